package io.reactivep2p.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.runtime.Transport;
import io.reactivep2p.topology.Topology.Link;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random and given topologies, and wiring running nodes to one. */
class TopologyTest {

    @Test
    void theSameSeedGivesTheSameConnectedGraphAndLeavesTheSameDrawsAfterIt() {
        Random first = new Random(42);
        Random second = new Random(42);
        Topology a = Topology.random(50, 8, first);
        Topology b = Topology.random(50, 8, second);
        assertThat(a.links()).isEqualTo(b.links());
        assertThat(first.nextLong()).isEqualTo(second.nextLong());
        assertThat(Topology.random(50, 8, new Random(43)).links()).isNotEqualTo(a.links());

        assertThat(a.links()).hasSize(50 * 8 / 2);
        Set<Long> pairs = new HashSet<>();
        for (Link l : a.links()) {
            assertThat(l.from()).isNotEqualTo(l.to()).isBetween(0, 49);
            assertThat(pairs.add((long) Math.min(l.from(), l.to()) * 50 + Math.max(l.from(), l.to()))).isTrue();
        }
        assertThat(reachable(a)).isEqualTo(50);
    }

    @Test
    void aDegreeAboveWhatTheNodesAllowGivesEveryPairOnce() {
        Topology full = Topology.random(5, 16, new Random(1));
        assertThat(full.links()).hasSize(10);
        assertThat(Topology.random(1, 3, new Random(1)).links()).isEmpty();
    }

    @Test
    void givenLinksAreChecked() {
        assertThat(Topology.of(3, List.of(new Link(0, 1), new Link(2, 1))).links()).hasSize(2);
        assertThatThrownBy(() -> Topology.of(3, List.of(new Link(0, 3)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topology.of(3, List.of(new Link(1, 1)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topology.of(3, List.of(new Link(0, 1), new Link(1, 0))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topology.random(0, 3, new Random(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectCompletesOnceEveryLinkIsUpOnBothSides() {
        NodeRuntime memory = NodeRuntime.builder().transport(Transport.inMemory()).build();
        List<P2pNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                P2pNode node = P2pNode.create(NodeConfig.builder().runtime(memory).listenHost("10.0.1." + (i + 1))
                        .eventLoopThreads(1).outboundTarget(0).build());
                nodes.add(node);
                node.start().block(Duration.ofSeconds(5));
            }
            Topology topology = Topology.random(6, 3, new Random(7));
            topology.connect(nodes, Duration.ofSeconds(10)).block(Duration.ofSeconds(15));
            for (Link l : topology.links()) {
                assertThat(nodes.get(l.from()).peerManager().peer(nodes.get(l.to()).id())).isNotNull();
                assertThat(nodes.get(l.to()).peerManager().peer(nodes.get(l.from()).id())).isNotNull();
            }
            assertThat(nodes.stream().mapToInt(n -> n.peers().size()).sum()).isEqualTo(2 * topology.links().size());
            assertThatThrownBy(() -> topology.connect(nodes.subList(0, 5), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            nodes.forEach(P2pNode::close);
        }
    }

    @Test
    void connectFailsWithARefusedDialsErrorOrSaysHowFarItGotInTime() {
        NodeRuntime memory = NodeRuntime.builder().transport(Transport.inMemory()).build();
        List<P2pNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                // maxInbound 0 on node 2: a dial to it is refused at its end.
                P2pNode node = P2pNode.create(NodeConfig.builder().runtime(memory).listenHost("10.0.2." + (i + 1))
                        .eventLoopThreads(1).outboundTarget(0).maxInbound(i == 2 ? 0 : 25).plaintext(true).build());
                nodes.add(node);
                node.start().block(Duration.ofSeconds(5));
            }
            // The refusing node writes DISCONNECT and closes at once: the dialler reads why, as over TCP
            // (plaintext nodes: a secure node refuses before its handshake, with a close and no reason).
            Topology toLast = Topology.of(4, List.of(new Link(0, 2)));
            assertThatThrownBy(() -> toLast.connect(nodes, Duration.ofSeconds(5)).block(Duration.ofSeconds(10)))
                    .isInstanceOf(PeerException.class).hasMessageContaining("TOO_MANY_PEERS");

            // Not through node 2: its refusal would race the timer.
            Topology line = Topology.of(4, List.of(new Link(0, 1), new Link(1, 3)));
            assertThatThrownBy(() -> line.connect(nodes, Duration.ofNanos(1)).block(Duration.ofSeconds(10)))
                    .isInstanceOf(IllegalStateException.class)
                    // How far it got is a race between the in-memory dials and a 1 ns timer: 0 or 1 link.
                    .hasMessageMatching("the network did not come up: [01] of 2 links after PT0\\.000000001S");
        } finally {
            nodes.forEach(P2pNode::close);
        }
    }

    /** Nodes reached from node 0 along the links, either way. */
    private static int reachable(Topology t) {
        List<List<Integer>> adjacent = new ArrayList<>();
        for (int i = 0; i < t.nodes(); i++) {
            adjacent.add(new ArrayList<>());
        }
        for (Link l : t.links()) {
            adjacent.get(l.from()).add(l.to());
            adjacent.get(l.to()).add(l.from());
        }
        Set<Integer> seen = new HashSet<>(List.of(0));
        Queue<Integer> next = new ArrayDeque<>(List.of(0));
        while (!next.isEmpty()) {
            for (int n : adjacent.get(next.poll())) {
                if (seen.add(n)) {
                    next.add(n);
                }
            }
        }
        return seen.size();
    }
}
