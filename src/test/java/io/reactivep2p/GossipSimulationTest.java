package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.gossip.BroadcastResult;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.sim.Simulation;
import io.reactivep2p.testing.LeakChecks;
import io.reactivep2p.topology.Topology;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Gossip's behaviour over whole networks, in the simulator: the same nodes as on sockets (secure
 * channel, gossip, relay queues), on one thread and virtual time, so every run is the same run.
 * What sockets themselves do (a peer that stops reading, a killed process, dropped packets) is
 * tested on real sockets in {@link GossipNetworkTest} and {@link NetworkFaultsTest}.
 */
class GossipSimulationTest {

    private static final MessageType APP = GossipNetworkTest.APP;

    /** Messages published at once, before the network runs. */
    private static final int BATCH = 100;

    private Simulation sim;

    @AfterEach
    void close() {
        if (sim != null) {
            sim.close();
        }
    }

    /** {@code size} nodes on ideal links (no latency, no bandwidth limit), a random topology of about {@code degree} links each. */
    private List<P2pNode> network(int size, int degree, long seed) {
        sim = Simulation.builder().seed(seed).build();
        List<P2pNode> net = sim.addNodes(size, c -> c.outboundTarget(0).seenCacheSize(1 << 16));
        sim.startAll();
        sim.connect(Topology.random(size, degree, new Random(seed)));
        return net;
    }

    /**
     * Publishes {@code messages} at random nodes back to back, with at most {@code window}
     * messages not yet delivered everywhere (each node's relay queues are bounded: an unpaced
     * burst of thousands is dropped for slow peers by design), and checks that every node
     * delivered every message exactly once and that no relay queue dropped one.
     */
    private void burstReachesEveryNodeExactlyOnce(int size, int messages, int window) {
        List<P2pNode> net = network(size, 8, size);
        int[][] received = new int[size][messages];
        long[] delivered = new long[1];
        for (int n = 0; n < size; n++) {
            int[] counts = received[n];
            net.get(n).messages(APP).subscribe(pm -> { // on the simulation's thread: this one
                counts[pm.message().payload().getInt(0)]++;
                delivered[0]++;
            });
        }
        Random random = new Random(42);
        int[] origin = new int[messages];
        List<BroadcastResult> results = new ArrayList<>();
        for (int first = 0; first < messages; first += BATCH) {
            long inFlightLimit = (long) (first - window) * (size - 1);
            assertThat(sim.runUntil(() -> delivered[0] >= inFlightLimit, Duration.ofSeconds(60))).isTrue();
            // A batch at once, as an application publishing from its own thread does.
            for (int seq = first; seq < Math.min(messages, first + BATCH); seq++) {
                origin[seq] = random.nextInt(size);
                net.get(origin[seq]).broadcast(GossipNetworkTest.numbered(seq, 32)).subscribe(results::add);
            }
            int published = Math.min(messages, first + BATCH);
            assertThat(sim.runUntil(() -> results.size() == published, Duration.ofSeconds(5))).isTrue();
        }
        assertThat(results).allMatch(r -> r.queued() > 0);
        long expected = (long) messages * (size - 1);
        assertThat(sim.runUntil(() -> delivered[0] >= expected, Duration.ofSeconds(60))).isTrue();
        sim.runFor(Duration.ofSeconds(1)); // the last duplicates on their way, and any extra delivery
        for (int n = 0; n < size; n++) {
            for (int seq = 0; seq < messages; seq++) {
                int want = origin[seq] == n ? 0 : 1; // a node does not deliver its own broadcast to itself
                assertThat(received[n][seq]).as("node %d, message %d", n, seq).isEqualTo(want);
            }
        }
        long wireDuplicates = net.stream().mapToLong(node -> node.gossip().duplicates()).sum();
        long drops = net.stream().mapToLong(node -> node.gossip().relayDrops()).sum();
        assertThat(wireDuplicates).isPositive(); // redundant paths: copies that arrived and were dropped
        assertThat(drops).isZero();
        assertThat(delivered[0]).isEqualTo(expected);
    }

    // About a million frames at 10 nodes, 4 million at 50: paranoid leak tracking of each (a
    // stack trace per touch, and in the simulator every write is a buffer of its own) costs some
    // 25× the time, so the bursts sample it (LeakChecks.sampled).

    @Test
    void aBurstOfTenThousandReachesEveryNodeOfTenExactlyOnce() {
        LeakChecks.sampled(() -> burstReachesEveryNodeExactlyOnce(10, 10_000, 2_000));
    }

    @Test
    void aBurstOfTenThousandReachesEveryNodeOfFiftyExactlyOnce() {
        LeakChecks.sampled(() -> burstReachesEveryNodeExactlyOnce(50, 10_000, 2_000));
    }

    @Test
    void largeMessagesAreAnnouncedAndFetchedSoEachNodeReceivesAboutOneCopy() {
        List<P2pNode> net = network(8, 4, 11);
        int messages = 20;
        int size = 64 * 1024; // above the 16 KiB threshold
        int[][] received = new int[net.size()][messages];
        long[] delivered = new long[1];
        for (int n = 0; n < net.size(); n++) {
            int[] counts = received[n];
            net.get(n).messages(APP).subscribe(pm -> {
                assertThat(pm.message().payloadLength()).isEqualTo(size);
                counts[pm.message().payload().getInt(0)]++;
                delivered[0]++;
            });
        }
        long[] before = net.stream().mapToLong(P2pNode::bytesReceived).toArray();
        Random random = new Random(5);
        int[] fromNode = new int[net.size()];
        int[] origins = new int[messages];
        for (int seq = 0; seq < messages; seq++) {
            byte[] payload = new byte[size];
            random.nextBytes(payload); // incompressible: the bytes counted are the payload's
            ByteBuffer.wrap(payload).putInt(0, seq);
            int origin = random.nextInt(net.size());
            origins[seq] = origin;
            fromNode[origin]++;
            sim.await(net.get(origin).broadcast(Message.of(APP, payload)), Duration.ofSeconds(5));
        }
        long expected = (long) messages * (net.size() - 1);
        assertThat(sim.runUntil(() -> delivered[0] == expected, Duration.ofSeconds(30))).isTrue();
        sim.runFor(Duration.ofSeconds(1));
        for (int n = 0; n < net.size(); n++) {
            P2pNode node = net.get(n);
            long payloadBytes = (long) (messages - fromNode[n]) * size;
            long got = node.bytesReceived() - before[n];
            assertThat(got).as("bytes received by node %d for %d payload bytes", n, payloadBytes)
                    .isLessThanOrEqualTo(payloadBytes * 12 / 10);
            for (int seq = 0; seq < messages; seq++) {
                assertThat(received[n][seq]).as("node %d, message %d", n, seq).isEqualTo(origins[seq] == n ? 0 : 1);
            }
        }
        assertThat(delivered[0]).isEqualTo(expected);
        assertThat(net.stream().mapToLong(node -> node.gossip().announced()).sum()).isPositive();
        assertThat(net.stream().mapToLong(node -> node.gossip().served()).sum())
                .isEqualTo(expected); // one fetch per node and message
        assertThat(net.stream().mapToLong(node -> node.gossip().unsolicitedLarge()).sum()).isZero();
    }
}
