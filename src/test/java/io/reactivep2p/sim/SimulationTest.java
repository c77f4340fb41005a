package io.reactivep2p.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.TestTransactions;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.testing.LeakChecks;
import io.reactivep2p.topology.Topology;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated network: real nodes on virtual time over modelled links. */
class SimulationTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");

    @Test
    void aMessageTakesTheLinksLatency() {
        try (Simulation sim = Simulation.builder().seed(1)
                .links(Links.builder().latency(Latency.fixed(Duration.ofMillis(50))).build()).build()) {
            List<P2pNode> nodes = sim.addNodes(2, c -> c.outboundTarget(0));
            sim.startAll();
            sim.connect(Topology.of(2, List.of(new Topology.Link(0, 1))));
            List<Duration> at = new ArrayList<>();
            nodes.get(1).messages(APP).subscribe(m -> at.add(sim.elapsed()));
            Duration sent = sim.elapsed();
            sim.await(nodes.get(0).broadcast(Message.of(APP, new byte[] {1, 2, 3})), Duration.ofSeconds(1));
            assertThat(sim.runUntil(() -> at.size() == 1, Duration.ofSeconds(1))).isTrue();
            assertThat(at.get(0).minus(sent)).isEqualTo(Duration.ofMillis(50));
        }
    }

    /**
     * 300 nodes, 1,200 links of 50 ms: a link takes at least 150 ms to come up (the XX
     * handshake's three messages), so dialling 64 at a time would need 1,200 / 64 x 150 ms =
     * 2.8 s of simulated time; as many at a time as there are nodes, well under that.
     */
    @Test
    void aNetworkComesUpInAFewHandshakeTimes_dialsAsManyAtOnceAsThereAreNodes() {
        LeakChecks.sampled(() -> {
            try (Simulation sim = Simulation.builder().seed(3)
                    .links(Links.builder().latency(Latency.fixed(Duration.ofMillis(50))).build()).build()) {
                List<P2pNode> nodes = sim.addNodes(300, c -> c.outboundTarget(0).seenCacheSize(1 << 12));
                sim.startAll();
                Topology topology = Topology.random(300, 8, sim.random());
                sim.connect(topology);
                assertThat(sim.elapsed()).isLessThan(Duration.ofMillis(1_500));
                assertThat(nodes.stream().mapToInt(n -> n.peers().size()).sum()).isEqualTo(2 * topology.links().size());
            }
        });
    }

    /** What a run of {@code n} nodes gossiping 50 transactions did: its trace, and what each pool holds. */
    private record Outcome(long trace, long deliveries, List<Integer> pools, Duration elapsed) {
    }

    private static Outcome gossip(long seed, int n) {
        Links links = Links.builder().latency(Latency.uniform(Duration.ofMillis(20), Duration.ofMillis(120)))
                .bandwidth(50_000_000).loss(0.001).build();
        try (Simulation sim = Simulation.builder().seed(seed).links(links).build()) {
            List<P2pNode> nodes = sim.addNodes(n, c -> c.outboundTarget(0).seenCacheSize(1 << 12));
            sim.startAll();
            sim.connect(Topology.random(n, 4, sim.random()));
            for (int i = 0; i < 50; i++) {
                P2pNode origin = nodes.get(sim.random().nextInt(n));
                origin.submit(TestTransactions.tx(i, 0, 1 + sim.random().nextInt(1000), 40)).subscribe();
                sim.runFor(Duration.ofMillis(20));
            }
            sim.runUntil(() -> nodes.stream().allMatch(node -> node.mempool().size() == 50), Duration.ofSeconds(10));
            return new Outcome(sim.traceHash(), sim.deliveries(),
                    nodes.stream().map(node -> node.mempool().size()).toList(), sim.elapsed());
        }
    }

    /**
     * The runs below sample leak tracking ({@link LeakChecks#sampled}): paranoid's stack trace
     * per touch costs some 10× the time in the simulator's one deep stack, over the hundreds of
     * thousands of buffers of these runs.
     */
    @Test
    void theSameSeedGivesTheSameRunEventForEvent() {
        Outcome first = LeakChecks.sampled(() -> gossip(7, 200));
        Outcome second = LeakChecks.sampled(() -> gossip(7, 200));
        assertThat(first.pools()).allMatch(size -> size == 50);
        assertThat(second).isEqualTo(first);
        Outcome other = LeakChecks.sampled(() -> gossip(8, 200));
        assertThat(other.pools()).allMatch(size -> size == 50);
        assertThat(other.trace()).isNotEqualTo(first.trace());
    }

    /** What a run of discovery did: its trace, and each node's peers (short ids, in the order the node lists them). */
    private record Discovered(long trace, List<List<String>> peers) {
    }

    /**
     * 30 nodes that find each other through seeds, exchange addresses, rotate an outbound peer
     * every second; 5 of them crash half way. Nothing is given but the seeds.
     */
    private static Discovered discovery(long seed) {
        Links links = Links.builder().latency(Latency.uniform(Duration.ofMillis(20), Duration.ofMillis(80))).build();
        try (Simulation sim = Simulation.builder().seed(seed).links(links).build()) {
            List<P2pNode> nodes = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                List<InetSocketAddress> seeds = i == 0 ? List.of()
                        : List.of(Simulation.addressOf(i - 1), Simulation.addressOf(sim.random().nextInt(i)));
                nodes.add(sim.addNode(c -> c.seeds(seeds).outboundTarget(4).seenCacheSize(1 << 12)
                        .dialInterval(Duration.ofMillis(200)).peerExchangeInterval(Duration.ofSeconds(2))
                        .outboundRotation(Duration.ofSeconds(1)).pingInterval(Duration.ofSeconds(1))));
            }
            sim.startAll();
            sim.runFor(Duration.ofSeconds(5));
            for (int i = 25; i < 30; i++) {
                sim.crash(nodes.get(i));
            }
            sim.runFor(Duration.ofSeconds(5));
            assertThat(nodes.subList(0, 25)).allMatch(n -> n.peers().size() >= 4);
            assertThat(nodes.stream().mapToLong(n -> n.discovery().rotations()).sum()).isPositive();
            return new Discovered(sim.traceHash(), nodes.stream()
                    .map(n -> n.peers().stream().map(p -> p.id().shortHex()).toList()).toList());
        }
    }

    @Test
    void discoveryRotationAndCrashesRunTheSameForTheSameSeed() {
        Discovered first = LeakChecks.sampled(() -> discovery(3));
        Discovered second = LeakChecks.sampled(() -> discovery(3));
        assertThat(second).isEqualTo(first);
    }

    /** Two connected nodes over {@code links}; node 1 records when each APP message arrives. */
    private static List<P2pNode> pair(Simulation sim, List<Duration> arrivals) {
        List<P2pNode> nodes = sim.addNodes(2, c -> c.outboundTarget(0).pingInterval(Duration.ofSeconds(5))
                .maxMissedPongs(2));
        sim.startAll();
        sim.connect(Topology.of(2, List.of(new Topology.Link(0, 1))));
        nodes.get(1).messages(APP).subscribe(m -> arrivals.add(sim.elapsed()));
        return nodes;
    }

    @Test
    void aPartitionHoldsWhatCrossesItUntilItHeals() {
        try (Simulation sim = Simulation.builder().seed(2)
                .links(Links.builder().latency(Latency.fixed(Duration.ofMillis(10))).build()).build()) {
            List<Duration> arrivals = new ArrayList<>();
            List<P2pNode> nodes = pair(sim, arrivals);
            sim.partition(List.of(nodes.get(1)));
            sim.await(nodes.get(0).broadcast(Message.of(APP, new byte[] {1})), Duration.ofSeconds(1));
            sim.runFor(Duration.ofSeconds(3));
            assertThat(arrivals).isEmpty();
            Duration healed = sim.elapsed();
            sim.heal();
            assertThat(sim.runUntil(() -> arrivals.size() == 1, Duration.ofSeconds(1))).isTrue();
            assertThat(arrivals.get(0).minus(healed)).isEqualTo(Duration.ofMillis(10)); // one latency after the heal
            assertThat(nodes.get(0).peers()).hasSize(1);
        }
    }

    @Test
    void aLongPartitionEndsInKeepaliveTimeoutsOnBothSides() {
        try (Simulation sim = Simulation.builder().seed(3)
                .links(Links.builder().latency(Latency.fixed(Duration.ofMillis(10))).build()).build()) {
            List<P2pNode> nodes = pair(sim, new ArrayList<>());
            sim.partition(List.of(nodes.get(0)));
            assertThat(sim.runUntil(() -> nodes.get(0).peers().isEmpty() && nodes.get(1).peers().isEmpty(),
                    Duration.ofSeconds(60))).isTrue();
            assertThat(sim.elapsed()).isGreaterThan(Duration.ofSeconds(10)); // two pings missed, not at once
        }
    }

    @Test
    void aWriteTakesItsTransmissionTimeAtTheNodesBandwidth() {
        try (Simulation sim = Simulation.builder().seed(4)
                .links(Links.builder().bandwidth(1_000_000).build()).build()) { // 1 Mbit/s: 8 us per byte
            List<Duration> arrivals = new ArrayList<>();
            List<P2pNode> nodes = pair(sim, arrivals);
            Duration sent = sim.elapsed();
            byte[] payload = new byte[125_000];
            new java.util.Random(4).nextBytes(payload); // incompressible: LZ4 leaves it as it is
            sim.await(nodes.get(0).broadcast(Message.of(APP, payload)), Duration.ofSeconds(1));
            assertThat(sim.runUntil(() -> arrivals.size() == 1, Duration.ofSeconds(5))).isTrue();
            // 1 s for the payload, a little more for records and frames; the download, as fast, adds nothing.
            assertThat(arrivals.get(0).minus(sent)).isBetween(Duration.ofMillis(1_000), Duration.ofMillis(1_020));
        }
    }

    @Test
    void aLostPacketDelaysItsConnectionByARetransmission_inOrder() {
        try (Simulation sim = Simulation.builder().seed(5)
                .links(Links.builder().latency(Latency.fixed(Duration.ofMillis(10))).loss(0.2).build()).build()) {
            List<PeerMessage> received = new ArrayList<>();
            List<Duration> arrivals = new ArrayList<>();
            List<P2pNode> nodes = pair(sim, arrivals);
            nodes.get(1).messages(APP).subscribe(received::add);
            List<Duration> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                sent.add(sim.elapsed());
                sim.await(nodes.get(0).broadcast(Message.of(APP, new byte[] {(byte) i})), Duration.ofSeconds(1));
                sim.runFor(Duration.ofMillis(20));
            }
            assertThat(sim.runUntil(() -> arrivals.size() == 40, Duration.ofSeconds(5))).isTrue();
            assertThat(received).extracting(m -> (int) m.message().payloadBytes()[0])
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).boxed().toList());
            long delayed = java.util.stream.IntStream.range(0, 40)
                    .filter(i -> arrivals.get(i).minus(sent.get(i)).compareTo(Duration.ofMillis(200)) >= 0).count();
            assertThat(delayed).isBetween(1L, 39L);
        }
    }

    @Test
    void onlyTheThreadThatBuiltASimulationDrivesIt() throws Exception {
        try (Simulation sim = Simulation.builder().build()) {
            java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    sim.runFor(Duration.ofSeconds(1));
                } catch (Throwable t) {
                    error.set(t);
                }
            });
            other.start();
            other.join();
            assertThat(error.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("thread that built it");
        }
    }

    @Test
    void nodesGetPublicAddressesOfTheirOwnGroup() {
        assertThat(Simulation.addressOf(0).getAddress().getHostAddress()).isEqualTo("11.0.0.1");
        assertThat(Simulation.addressOf(257).getAddress().getHostAddress()).isEqualTo("12.1.0.1");
        assertThat(java.util.stream.IntStream.range(0, Simulation.MAX_NODES).mapToObj(Simulation::addressOf)
                .map(a -> a.getAddress()).filter(a -> a.isSiteLocalAddress() || a.isLoopbackAddress()
                        || a.isLinkLocalAddress() || a.isMulticastAddress()).count()).isZero();
    }

    @Test
    void aClosedSimulationLeavesNothingReachable() {
        java.lang.ref.WeakReference<Simulation> gone = closedSimulation();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return gone.get() == null; // nothing static (a resolver cache, a channel registry) keeps it
        });
    }

    private static java.lang.ref.WeakReference<Simulation> closedSimulation() {
        Simulation sim = Simulation.builder().seed(6).build();
        sim.addNodes(3, c -> c.outboundTarget(0));
        sim.startAll();
        sim.connect(Topology.random(3, 2, sim.random()));
        sim.close();
        return new java.lang.ref.WeakReference<>(sim);
    }

    @Test
    void aStoppingNodesDisconnectArrivesBeforeItsClose_oneLatencyLater() {
        try (Simulation sim = Simulation.builder().seed(7)
                .links(Links.builder().latency(Latency.fixed(Duration.ofMillis(30))).build()).build()) {
            List<P2pNode> nodes = pair(sim, new ArrayList<>());
            List<io.reactivep2p.peer.PeerEvent> events = new ArrayList<>();
            nodes.get(1).peerEvents().filter(e -> e.type() == io.reactivep2p.peer.PeerEvent.Type.DISCONNECTED)
                    .subscribe(events::add);
            Duration stopped = sim.elapsed();
            sim.await(nodes.get(0).stop(), Duration.ofSeconds(5));
            assertThat(sim.runUntil(() -> events.size() == 1, Duration.ofSeconds(1))).isTrue();
            // The peer learnt why (its DISCONNECT came first), from the remote side, a latency later.
            assertThat(events.get(0).reason()).isEqualTo(io.reactivep2p.protocol.DisconnectReason.REQUESTED);
            assertThat(events.get(0).side()).isEqualTo(io.reactivep2p.peer.PeerEvent.Side.REMOTE);
            assertThat(sim.elapsed().minus(stopped)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
        }
    }
}
