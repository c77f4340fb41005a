package io.reactivep2p.test;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.Mempool;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.sim.Links;
import io.reactivep2p.sim.Simulation;
import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A simulated network of real nodes for an application's tests: nodes configured like the
 * application's, connected, on virtual time, with what each received recorded. Drive it from
 * {@code StepVerifier} on its {@link #time()}, or step it with {@link #runFor} and assert on
 * {@link #received}; cut and heal links, crash and restart nodes.
 *
 * <pre>{@code
 * try (TestNetwork net = TestNetwork.builder().nodes(10).degree(3).seed(1)
 *         .configure(config -> config.validator(...)).start()) {
 *     StepVerifier.withVirtualTime(() -> net.node(9).messages(MsgTx).next(), net::time, Long.MAX_VALUE)
 *             .then(() -> net.node(0).broadcast(Message.of(MsgTx, payload)).subscribe())
 *             .thenAwait(Duration.ofSeconds(1))                     // one simulated second
 *             .assertNext(m -> assertThat(m.message().payloadBytes()).isEqualTo(payload))
 *             .verifyComplete();
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> The thread that builds the network drives it (StepVerifier's steps run
 * on it); nothing happens between its calls. A node's {@code Mono} must not be
 * {@code block()}ed: {@link #await} it, or subscribe and advance time.
 */
public final class TestNetwork implements AutoCloseable {

    private final Simulation sim;
    private final List<List<PeerMessage>> received = new ArrayList<>();
    private final List<Disposable> recorders = new ArrayList<>();

    private TestNetwork(Simulation sim) {
        this.sim = sim;
    }

    /** A builder: 2 nodes, linked, seed 0, {@link Links#ideal()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Node {@code index}, in the order they were created (a restarted node keeps its index). */
    public P2pNode node(int index) {
        return sim.nodes().get(index);
    }

    /** Every node, by index. */
    public List<P2pNode> nodes() {
        return sim.nodes();
    }

    /** The simulation underneath: its links, partitions, statistics. */
    public Simulation simulation() {
        return sim;
    }

    /**
     * A new virtual-time scheduler on this network's clock, for
     * {@code StepVerifier.withVirtualTime(supplier, net::time, n)}.
     */
    public SimulatedTime time() {
        return new SimulatedTime(sim);
    }

    /** Runs the network for {@code duration} of simulated time. */
    public void runFor(Duration duration) {
        sim.runFor(duration);
    }

    /** {@link #runFor} as a step: {@code StepVerifier.create(...).then(net.advance(ofSeconds(1)))}. */
    public Runnable advance(Duration duration) {
        return () -> sim.runFor(duration);
    }

    /** Runs the network until {@code mono} completes (at most {@code max} of simulated time) and returns its value. */
    public <T> T await(Mono<T> mono, Duration max) {
        return sim.await(mono, max);
    }

    /**
     * What node {@code index} has received since the network started, every message type, in
     * order: what its {@code messages()} delivered (gossip once per message, direct messages).
     */
    public List<PeerMessage> received(int index) {
        return Collections.unmodifiableList(received.get(index));
    }

    /** What node {@code index} has received of one type. */
    public List<PeerMessage> received(int index, MessageType type) {
        return received.get(index).stream().filter(m -> m.message().type().equals(type)).toList();
    }

    /** Node {@code index}'s transaction pool. */
    public Mempool<Transaction> pooled(int index) {
        return node(index).mempool();
    }

    /** Cuts every link between these nodes and the others (see {@link Simulation#partition}). */
    public void partition(int... side) {
        sim.partition(Arrays.stream(side).mapToObj(this::node).toList());
    }

    /** Heals the partition. */
    public void heal() {
        sim.heal();
    }

    /** Crashes node {@code index} (see {@link Simulation#crash}). */
    public void crash(int index) {
        sim.crash(node(index));
    }

    /**
     * Restarts a crashed node with its identity and configuration, records what it receives
     * from now on (what it received before is kept), and returns it.
     */
    public P2pNode restart(int index) {
        P2pNode again = sim.restart(node(index));
        recorders.add(again.messages().subscribe(received.get(index)::add));
        return again;
    }

    /** Stops every node and the simulation. */
    @Override
    public void close() {
        recorders.forEach(Disposable::dispose);
        sim.close();
    }

    /** Builds and starts a {@link TestNetwork} on the calling thread. Not thread-safe. */
    public static final class Builder {
        private int nodes = 2;
        private int degree;
        private List<Topology.Link> links;
        private long seed;
        private Links model = Links.ideal();
        private UnaryOperator<NodeConfig.Builder> configure = UnaryOperator.identity();

        private Builder() {
        }

        /** How many nodes, at least 1. Default 2. */
        public Builder nodes(int nodes) {
            if (nodes < 1) {
                throw new IllegalArgumentException("nodes must be >= 1, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /** Links: a random connected topology of about {@code degree} per node ({@link Topology#random}). */
        public Builder degree(int degree) {
            if (degree < 1) {
                throw new IllegalArgumentException("degree must be >= 1, got " + degree);
            }
            this.degree = degree;
            this.links = null;
            return this;
        }

        /** Links: exactly these ({@code Link(from, to)}: node {@code from} dials node {@code to}). */
        public Builder links(List<Topology.Link> links) {
            this.links = List.copyOf(links);
            this.degree = 0;
            return this;
        }

        /** Every random choice, keys included, derives from it. Default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The links' latency, bandwidth and loss. Default {@link Links#ideal()}. */
        public Builder model(Links model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Configures each node like the application's. Applied to a configuration that already
         * has the simulation's runtime and address and no dialer of its own
         * ({@code outboundTarget(0)}: the links are the builder's); must keep the runtime and address.
         */
        public Builder configure(UnaryOperator<NodeConfig.Builder> configure) {
            this.configure = Objects.requireNonNull(configure, "configure");
            return this;
        }

        /**
         * Creates the nodes, starts them, records what each receives, and brings every link up.
         * Without {@link #degree} or {@link #links}, the nodes form a line: 0 - 1 - 2 ...
         */
        public TestNetwork start() {
            Simulation sim = Simulation.builder().seed(seed).links(model).build();
            TestNetwork net = new TestNetwork(sim);
            try {
                sim.addNodes(nodes, c -> configure.apply(c.outboundTarget(0)));
                for (P2pNode node : sim.nodes()) {
                    List<PeerMessage> list = new ArrayList<>();
                    net.received.add(list);
                    net.recorders.add(node.messages().subscribe(list::add));
                }
                sim.startAll();
                Topology topology = degree > 0 ? Topology.random(nodes, degree, sim.random())
                        : Topology.of(nodes, links != null ? links : line(nodes));
                sim.connect(topology);
                return net;
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }

        private static List<Topology.Link> line(int nodes) {
            List<Topology.Link> line = new ArrayList<>();
            for (int i = 1; i < nodes; i++) {
                line.add(new Topology.Link(i - 1, i));
            }
            return line;
        }
    }
}
