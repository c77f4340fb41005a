package io.reactivep2p.sim;

import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.runtime.Transport;
import io.reactivep2p.topology.Topology;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A network of real nodes in one JVM, on one thread, on virtual time. Every node is a
 * {@link P2pNode} with its real pipeline, codecs, secure channel, handshake, keepalive,
 * discovery, gossip and mempool; what is simulated is below them: the channels are Netty's
 * in-memory {@code LocalChannel}s on one {@code ManualIoEventLoop} whose clock moves only when
 * this simulation moves it, and the {@link Links} between the nodes add latency, bandwidth
 * queues, loss and partitions. Reactor's timers of every node run on the same loop and clock,
 * and every random choice, keys included, comes from one seed: the same seed and the same
 * calls give the same run, event for event ({@link #traceHash()}).
 *
 * <pre>{@code
 * try (Simulation sim = Simulation.builder().seed(42)
 *         .links(Links.builder().latency(Latency.uniform(ofMillis(50), ofMillis(150))).build())
 *         .build()) {
 *     List<P2pNode> nodes = sim.addNodes(100, config -> config.seenCacheSize(1 << 12));
 *     sim.startAll();
 *     sim.connect(Topology.random(100, 8, sim.random()));
 *     sim.await(nodes.get(0).broadcast(Message.of(MsgTx, payload)), Duration.ofSeconds(1));
 *     sim.runFor(Duration.ofSeconds(2));                      // two seconds of the network's time
 * }
 * }</pre>
 *
 * <p><b>Time.</b> Nothing happens between calls: the network runs only inside
 * {@link #runFor}, {@link #runUntil} and {@link #await}, which run every task that is due,
 * then move the clock to the next timer, and so on. The clock starts at {@link #EPOCH} on the
 * nodes' wall {@link Clock}.
 *
 * <p><b>Addresses.</b> Node {@code i} listens on a public-looking IPv4 address of its own
 * /16 ({@link #addressOf(int)}), port {@value #PORT}, so that discovery's rules for groups and
 * local addresses apply as on the internet.
 *
 * <p><b>Threading.</b> Not thread-safe: the thread that builds a simulation is the only one
 * that may call it, and its nodes' methods that do work ({@code start}, {@code broadcast},
 * {@code submit}, ...) return publishers that make progress only while the simulation runs.
 * Never {@code block()} on them: {@link #await} instead.
 */
public final class Simulation implements AutoCloseable {

    /** The wall-clock time at which every simulation starts. */
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    /** The port every node listens on. */
    public static final int PORT = 9000;
    /** The most nodes a simulation gives addresses to: one /16 each, among 208 public /8s. */
    public static final int MAX_NODES = 208 * 256;

    private static final int[] FIRST_OCTETS;
    /**
     * Dials {@link #connect} has in flight at once, at least: as many as there are nodes when
     * there are more. Bringing a network up takes about links / concurrency handshake times of
     * simulated time, during which every node's timers run (keepalive, discovery): 64 at a time,
     * 10,000 nodes at degree 8 took 188 s of simulated time to come up.
     */
    private static final int DIAL_CONCURRENCY = 64;

    static {
        List<Integer> octets = new ArrayList<>();
        for (int o = 11; o <= 223; o++) {
            if (o != 127 && o != 169 && o != 172 && o != 192 && o != 100) {
                octets.add(o);
            }
        }
        FIRST_OCTETS = octets.stream().mapToInt(Integer::intValue).toArray();
        assert FIRST_OCTETS.length * 256 == MAX_NODES;
    }

    private final long seed;
    private final Links links;
    private final Thread owner;
    private final MockTicker ticker = Ticker.newMockTicker();
    private final long start;
    private final SimLoop loop;
    private final Scheduler scheduler;
    private final Random random;
    private final Transport transport;
    private final NodeRuntime runtime;
    private final List<P2pNode> nodes = new ArrayList<>();
    /** Node index by channel address (the links') and by node (the API's; a restarted node takes the old one's). */
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private final Map<P2pNode, Integer> indices = new IdentityHashMap<>();

    private long[] uploadFree = new long[16];
    private long[] downloadFree = new long[16];
    private int[] group = new int[16];
    private final Set<LinkHandler> parked = new LinkedHashSet<>();
    /** Each node's open connections, in the order they opened. */
    private final List<Set<LinkHandler>> open = new ArrayList<>();
    private long events;
    private long deliveries;
    private long bytesDelivered;
    private long trace = 0x9E3779B97F4A7C15L;
    private boolean closed;

    @SuppressForbidden(reason = "the simulation is its nodes' runtime: one seeded source for every random choice")
    private Simulation(Builder b) {
        this.seed = b.seed;
        this.links = b.links;
        this.owner = Thread.currentThread();
        this.start = ticker.nanoTime();
        this.loop = new SimLoop(owner, ticker);
        this.scheduler = Schedulers.fromExecutorService(loop, "p2p-sim");
        this.random = new Random(seed);
        this.transport = Transport.inMemory(loop, this::newLink);
        this.runtime = NodeRuntime.builder()
                .clock(new VirtualClock())
                .ticker(ticker)
                .random(random)
                .secureRandom(seededSecureRandom(seed))
                .timers(scheduler)
                .blocking(scheduler)
                .transport(transport)
                .build();
    }

    /** A builder: seed 0, {@link Links#ideal()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A {@code SecureRandom} that draws the same bytes for the same seed: SHA1PRNG seeded before
     * its first use. Keys drawn from it are known to anyone who knows the seed: for simulations only.
     */
    private static SecureRandom seededSecureRandom(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA1PRNG", e);
        }
    }

    private ChannelHandler newLink() {
        return new LinkHandler(this);
    }

    // ------------------------------------------------------------------ nodes

    /**
     * The runtime every node of this simulation runs on: its virtual clock and ticker, its
     * seeded randomness, its loop as timers and blocking scheduler, its in-memory transport.
     */
    public NodeRuntime runtime() {
        return runtime;
    }

    /** The simulation's seeded random source, for a scenario's own choices (topologies, payloads). */
    public Random random() {
        return random;
    }

    /** The seed the simulation was built with. */
    public long seed() {
        return seed;
    }

    /** The links' model. */
    public Links links() {
        return links;
    }

    /** The address node {@code index} listens on. */
    public static InetSocketAddress addressOf(int index) {
        if (index < 0 || index >= MAX_NODES) {
            throw new IllegalArgumentException("a node index in 0.." + (MAX_NODES - 1) + ", got " + index);
        }
        byte[] ip = {(byte) FIRST_OCTETS[index >> 8], (byte) index, 0, 1};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), PORT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: four bytes
        }
    }

    /**
     * Creates a node, not started, on the next address. Its configuration starts from the
     * library's defaults with this simulation's runtime, its address and one event loop
     * thread; {@code configure} changes the rest (and must not change the runtime, host or port).
     */
    public P2pNode addNode(UnaryOperator<NodeConfig.Builder> configure) {
        checkThread();
        int index = nodes.size();
        InetSocketAddress address = addressOf(index);
        NodeConfig.Builder builder = NodeConfig.builder().runtime(runtime)
                .listenHost(address.getAddress().getHostAddress()).listenPort(PORT).eventLoopThreads(1);
        NodeConfig config = configure.apply(builder).build();
        if (config.runtime() != runtime) {
            throw new IllegalArgumentException("a simulated node runs on the simulation's runtime");
        }
        P2pNode node = P2pNode.create(config);
        nodes.add(node);
        open.add(new LinkedHashSet<>());
        byAddress.put(address.getAddress(), index);
        indices.put(node, index);
        if (index >= uploadFree.length) {
            int n = Math.max(index + 1, uploadFree.length * 2);
            uploadFree = Arrays.copyOf(uploadFree, n);
            downloadFree = Arrays.copyOf(downloadFree, n);
            group = Arrays.copyOf(group, n);
        }
        return node;
    }

    /** Creates {@code count} nodes with {@link #addNode}, all configured alike. */
    public List<P2pNode> addNodes(int count, UnaryOperator<NodeConfig.Builder> configure) {
        List<P2pNode> added = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            added.add(addNode(configure));
        }
        return added;
    }

    /** The nodes, in the order they were added: node {@code i} is {@code nodes().get(i)}. */
    public List<P2pNode> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Starts every node not yet running, in order, and runs until they all listen. */
    public void startAll() {
        await(Flux.fromIterable(new ArrayList<>(nodes)).filter(n -> !n.isRunning())
                .concatMap(P2pNode::start).then(), Duration.ofMinutes(1));
    }

    /**
     * Dials the topology's links between {@link #nodes()}, as many at a time as there are nodes
     * (at least {@value #DIAL_CONCURRENCY}), and runs until each is up on both sides (at most ten
     * minutes of simulated time).
     */
    public void connect(Topology topology) {
        int concurrency = Math.max(DIAL_CONCURRENCY, nodes.size());
        await(topology.connect(nodes, Duration.ofMinutes(10), concurrency), Duration.ofMinutes(10));
    }

    // ------------------------------------------------------------------ time

    /** The virtual time since the simulation started. */
    public Duration elapsed() {
        return Duration.ofNanos(ticker.nanoTime() - start);
    }

    /** Runs the network for {@code duration} of virtual time. */
    public void runFor(Duration duration) {
        checkThread();
        drive(ticker.nanoTime() + duration.toNanos(), () -> false);
    }

    /**
     * Runs the network until {@code condition} holds (checked after each pass of due tasks) or
     * {@code max} of virtual time has passed.
     *
     * @return whether the condition held
     */
    public boolean runUntil(BooleanSupplier condition, Duration max) {
        checkThread();
        if (condition.getAsBoolean()) {
            return true;
        }
        return drive(ticker.nanoTime() + max.toNanos(), condition);
    }

    /**
     * Subscribes to {@code mono} and runs the network until it completes; returns its value
     * ({@code null} if empty).
     *
     * @throws IllegalStateException if it has not completed within {@code max} of virtual time
     *     (the subscription is then cancelled)
     * @throws RuntimeException the mono's error, as {@link Exceptions#propagate} makes it
     */
    public <T> T await(Mono<T> mono, Duration max) {
        checkThread();
        AtomicReference<T> value = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Disposable subscription = mono.subscribe(value::set, e -> {
            error.set(e);
            done.set(true);
        }, () -> done.set(true));
        if (!runUntil(done::get, max)) {
            subscription.dispose();
            throw new IllegalStateException("not done within " + max + " of simulated time");
        }
        if (error.get() != null) {
            throw Exceptions.propagate(error.get());
        }
        return value.get();
    }

    /**
     * Runs due tasks and moves the clock from timer to timer until {@code stop} holds (true) or
     * the clock reaches {@code end} (false).
     */
    private boolean drive(long end, BooleanSupplier stop) {
        for (;;) {
            events += loop.runNow();
            if (stop.getAsBoolean()) {
                return true;
            }
            long now = ticker.nanoTime();
            long next = loop.nextDeadline();
            if (next > now) {
                if (next > end) {
                    ticker.advance(Math.max(0, end - now), TimeUnit.NANOSECONDS);
                    events += loop.runNow();
                    return stop.getAsBoolean();
                }
                ticker.advance(next - now, TimeUnit.NANOSECONDS);
            } else if (next < 0) {
                ticker.advance(Math.max(0, end - now), TimeUnit.NANOSECONDS); // idle: nothing will ever happen
                return stop.getAsBoolean();
            }
        }
    }

    // ------------------------------------------------------------------ faults

    /**
     * Cuts every link between {@code side} and the other nodes: connections stay open, nothing
     * crosses (the nodes' keepalives notice), dials across fail their handshakes. Replaces any
     * earlier partition.
     */
    public void partition(Collection<P2pNode> side) {
        checkThread();
        Arrays.fill(group, 0);
        for (P2pNode node : side) {
            group[indexOf(node)] = 1;
        }
    }

    /** Ends the partition: what waited on a cut link arrives one latency from now, in order. */
    public void heal() {
        checkThread();
        Arrays.fill(group, 0);
        List<LinkHandler> waiting = new ArrayList<>(parked);
        parked.clear();
        waiting.forEach(LinkHandler::resume);
    }

    /**
     * Crashes a node, as a process killed at once: its connections close without a DISCONNECT
     * (what it had already written still arrives, then the close, one latency later), and it
     * stops. Its identity lives on in its configuration: {@link #restart} brings it back.
     */
    public void crash(P2pNode node) {
        checkThread();
        int index = indexOf(node);
        for (LinkHandler link : new ArrayList<>(open.get(index))) {
            link.abort();
        }
        await(node.stop(), Duration.ofMinutes(1));
    }

    /**
     * Starts a new node in a crashed (or stopped) node's place: the same configuration, so the
     * same identity, address and data files (an address book file, if it has one); what it
     * held only in memory (peers, mempool, seen messages) is gone. It takes the old node's
     * index in {@link #nodes()}.
     *
     * @return the new node, started and listening
     * @throws IllegalStateException if the node still runs
     */
    public P2pNode restart(P2pNode node) {
        checkThread();
        int index = indexOf(node);
        if (node.isRunning()) {
            throw new IllegalStateException(node + " still runs: crash or stop it first");
        }
        P2pNode again = P2pNode.create(node.config());
        nodes.set(index, again);
        indices.remove(node);
        indices.put(again, index);
        await(again.start(), Duration.ofMinutes(1));
        return again;
    }

    /** The index of a node of this simulation. */
    public int indexOf(P2pNode node) {
        Integer index = indices.get(node);
        if (index == null) {
            throw new IllegalArgumentException(node + " is not a node of this simulation");
        }
        return index;
    }

    // ------------------------------------------------------------------ statistics

    /** Tasks the loop has run: I/O, handlers' tasks and timers. */
    public long events() {
        return events;
    }

    /** Writes the links have delivered. */
    public long deliveries() {
        return deliveries;
    }

    /** Bytes the links have delivered. */
    public long bytesDelivered() {
        return bytesDelivered;
    }

    /**
     * A hash of every delivery so far: its virtual time, sender, receiver and size. Two runs
     * with the same seed and the same calls have the same hash.
     */
    public long traceHash() {
        return trace;
    }

    // ------------------------------------------------------------------ the links' model (LinkHandler)

    long nanoTime() {
        return ticker.nanoTime();
    }

    int nodeOf(SocketAddress channelAddress) {
        if (channelAddress == null) {
            return -1;
        }
        Integer index = byAddress.get(transport.address(channelAddress).getAddress());
        return index == null ? -1 : index;
    }

    long latencyNanos(int from, int to) {
        return links.latency().nanos(seed, from, to);
    }

    /** Queues {@code bytes} on {@code node}'s upload: when their last bit has left. */
    long upload(int node, int bytes, long now) {
        long bps = links.uploadBitsPerSecond();
        if (bps == 0) {
            return now;
        }
        long done = Math.max(now, uploadFree[node]) + transmitNanos(bytes, bps);
        uploadFree[node] = done;
        return done;
    }

    /**
     * Queues {@code bytes} whose last bit reached {@code node} now on its download: when the
     * node has them all. The bits stream in as they arrive (an idle download as fast as the
     * upload adds nothing); a busy one queues them behind what it is still taking in.
     */
    long download(int node, int bytes, long now) {
        long bps = links.downloadBitsPerSecond();
        if (bps == 0) {
            return now;
        }
        long done = Math.max(now, downloadFree[node] + transmitNanos(bytes, bps));
        downloadFree[node] = done;
        return done;
    }

    private static long transmitNanos(int bytes, long bitsPerSecond) {
        return (long) Math.ceil(bytes * 8e9 / bitsPerSecond);
    }

    /** The delay losses add to a write of {@code bytes}: a retransmission if any of its packets is lost. */
    long lossDelayNanos(int bytes) {
        double loss = links.loss();
        if (loss == 0) {
            return 0;
        }
        int packets = (bytes + Links.PACKET_BYTES - 1) / Links.PACKET_BYTES;
        double allThrough = Math.pow(1 - loss, packets);
        return random.nextDouble() < allThrough ? 0 : links.retransmitDelay().toNanos();
    }

    boolean cut(int a, int b) {
        return group[a] != group[b];
    }

    /** A connection of node {@code node} is up. */
    void opened(int node, LinkHandler link) {
        open.get(node).add(link);
    }

    /** A connection of node {@code node} is down. */
    void closed(int node, LinkHandler link) {
        open.get(node).remove(link);
    }

    void park(LinkHandler link) {
        parked.add(link);
    }

    void unpark(LinkHandler link) {
        parked.remove(link);
    }

    void delivered(int from, int to, int bytes) {
        deliveries++;
        bytesDelivered += bytes;
        long h = trace;
        h = Latency.mix(h ^ ticker.nanoTime());
        h = Latency.mix(h ^ (((long) from << 32) | to));
        trace = Latency.mix(h ^ bytes);
    }

    // ------------------------------------------------------------------ lifecycle

    private void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a simulation is driven by the thread that built it, "
                    + owner.getName() + ", not " + Thread.currentThread().getName());
        }
        if (closed) {
            throw new IllegalStateException("the simulation is closed");
        }
    }

    /** Stops every node (letting them say goodbye, at most a minute of virtual time) and the loop. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkThread();
        try {
            await(Flux.fromIterable(nodes).flatMap(P2pNode::stop).then(), Duration.ofMinutes(1));
        } finally {
            closed = true;
            loop.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
            for (int i = 0; i < 1_000 && !loop.isTerminated(); i++) {
                // The loop ends once its quiet period, zero, has passed on its clock: a tick.
                ticker.advance(1, TimeUnit.NANOSECONDS);
                loop.runNow();
            }
        }
    }

    @Override
    public String toString() {
        return "Simulation{seed=" + seed + ", nodes=" + nodes.size() + ", elapsed=" + elapsed() + ", " + links + "}";
    }

    /** The nodes' wall clock: {@link #EPOCH} plus the virtual time elapsed. */
    private final class VirtualClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a simulation's clock is in UTC");
        }

        @Override
        public long millis() {
            return EPOCH.toEpochMilli() + TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - start);
        }

        @Override
        public Instant instant() {
            return EPOCH.plusNanos(ticker.nanoTime() - start);
        }
    }

    /** Builds a {@link Simulation} for the calling thread, which alone may drive it. Not thread-safe. */
    public static final class Builder {
        private long seed;
        private Links links = Links.ideal();

        private Builder() {
        }

        /** Every random choice of the run, keys included, derives from it. Default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The links' model. Default {@link Links#ideal()}. */
        public Builder links(Links links) {
            this.links = Objects.requireNonNull(links, "links");
            return this;
        }

        /** A simulation owned by the calling thread. */
        public Simulation build() {
            return new Simulation(this);
        }
    }
}
