package io.reactivep2p.cli;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.MempoolEvent;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.mempool.TxId;
import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A network of nodes in this process, gossiping transactions: the project's main job on its
 * default settings, measured. {@link #run} starts {@code nodes} nodes on 127.0.0.1, wires them
 * into a random connected topology (a random tree, then random extra links up to about
 * {@code degree} per node), submits random transactions at random nodes at {@code txRate} per
 * second for {@code duration}, and measures how long each takes to reach every other node's
 * pool. Then it stops submitting, gives the transactions in flight up to {@link #GRACE} to
 * arrive, and reports.
 *
 * <p><b>Measuring.</b> Each transaction's submit time ({@link System#nanoTime}) is kept by
 * id until it has reached every other node; every node's {@code mempool().events()} records
 * ADDED − submit into one HdrHistogram {@link Recorder} (wait-free, called from every node's
 * event loop). A delivery is the first arrival of a transaction in a node's pool other than
 * its origin's, so 100 % is {@code transactions × (nodes − 1)} deliveries.
 */
final class Demo {

    /** How long transactions in flight get to arrive once submitting stops; ends early when all did. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(60);
    private static final long SUBMIT_TICK_MICROS = 5_000;
    private static final int MAX_DATA_BYTES = 64;

    /**
     * What to run.
     *
     * @param nodes nodes in the network, at least 2
     * @param duration how long transactions are submitted
     * @param txRate transactions submitted per second, across all nodes
     * @param degree links per node the topology aims at (a tree first, so some have fewer)
     * @param seed of the topology and of the transactions: the same seed, the same network
     * @param plaintext whether the nodes speak the plaintext protocol (version 1) instead of the
     *     secure channel
     */
    public record Settings(int nodes, Duration duration, int txRate, int degree, long seed, boolean plaintext) {
        /** The most nodes: each has its event loop, listener and pool in this one process. */
        public static final int MAX_NODES = 500;
        /**
         * The most links per node asked for: random links come on top of the tree's, and the
         * library admits 25 inbound peers by default.
         */
        public static final int MAX_DEGREE = 16;

        /** Checks every field. */
        public Settings {
            Objects.requireNonNull(duration, "duration");
            if (nodes < 2 || nodes > MAX_NODES) {
                throw new IllegalArgumentException("nodes must be in 2.." + MAX_NODES + ", got " + nodes);
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive, got " + duration);
            }
            if (txRate < 1) {
                throw new IllegalArgumentException("txRate must be >= 1, got " + txRate);
            }
            if (degree < 1 || degree > MAX_DEGREE) {
                throw new IllegalArgumentException("degree must be in 1.." + MAX_DEGREE + ", got " + degree);
            }
        }
    }

    /**
     * A snapshot while the demo runs.
     *
     * @param elapsed since submitting started
     * @param transactions transactions submitted and taken by their origin's pool so far
     * @param txPerSecond their rate so far
     * @param deliveries arrivals in the other nodes' pools so far
     * @param expectedDeliveries {@code transactions × (nodes − 1)}
     * @param p50Micros median propagation so far, in microseconds (0 before the first)
     * @param p99Micros 99th percentile propagation so far, in microseconds
     * @param mempoolMin the smallest pool
     * @param mempoolMax the largest pool
     */
    public record Progress(Duration elapsed, long transactions, double txPerSecond, long deliveries,
                           long expectedDeliveries, long p50Micros, long p99Micros, int mempoolMin, int mempoolMax) {
        /** Deliveries over expected deliveries, 0..1 (1 before any transaction). */
        public double deliveryRatio() {
            return expectedDeliveries == 0 ? 1.0 : (double) deliveries / expectedDeliveries;
        }
    }

    /**
     * The outcome.
     *
     * @param nodes nodes in the network
     * @param links connections between them
     * @param seed the seed of the topology and the transactions
     * @param setup time to start the nodes and bring every link up
     * @param duration how long transactions were submitted, as measured
     * @param transactions transactions submitted and taken by their origin's pool
     * @param refused transactions their origin's pool refused (not gossiped, not counted)
     * @param txPerSecond transactions per second submitted
     * @param deliveries first arrivals of a transaction in a pool other than its origin's
     * @param expectedDeliveries {@code transactions × (nodes − 1)}
     * @param p50Micros median propagation, submit to arrival in another node's pool, in microseconds
     * @param p90Micros 90th percentile propagation, in microseconds
     * @param p99Micros 99th percentile propagation, in microseconds
     * @param maxMicros slowest propagation, in microseconds
     * @param mempoolMin the smallest pool at the end
     * @param mempoolMax the largest pool at the end
     * @param bytesSentPerNode bytes written to connections, per node on average
     * @param bytesReceivedPerNode bytes read from connections, per node on average
     * @param gossipDuplicates messages dropped as already seen, all nodes
     */
    public record Report(int nodes, int links, long seed, Duration setup, Duration duration, long transactions,
                         long refused, double txPerSecond, long deliveries, long expectedDeliveries, long p50Micros,
                         long p90Micros, long p99Micros, long maxMicros, int mempoolMin, int mempoolMax,
                         long bytesSentPerNode, long bytesReceivedPerNode, long gossipDuplicates) {
        /** Deliveries over expected deliveries, 0..1 (1 when nothing was expected). */
        public double deliveryRatio() {
            return expectedDeliveries == 0 ? 1.0 : (double) deliveries / expectedDeliveries;
        }

        /**
         * One JSON object on one line, with the fields of {@code p2p sim --json} that a demo has:
         * on real time, {@code simulatedSeconds} and {@code wallSeconds} are both the duration
         * measured, and {@code setupWallSeconds} the setup.
         */
        public String json() {
            double seconds = duration.toNanos() / 1e9;
            return "{\"nodes\":" + nodes
                    + ",\"links\":" + links
                    + ",\"seed\":" + seed
                    + ",\"transactions\":" + transactions
                    + ",\"refused\":" + refused
                    + ",\"txPerSecond\":" + Text.number(txPerSecond, 1)
                    + ",\"deliveries\":" + deliveries
                    + ",\"expectedDeliveries\":" + expectedDeliveries
                    + ",\"deliveryPercent\":" + Text.number(100 * deliveryRatio(), 3)
                    + ",\"duplicatesPerDelivery\":" + Text.number(deliveries == 0 ? 0 : (double) gossipDuplicates / deliveries, 3)
                    + ",\"propagationMillis\":{\"p50\":" + Text.number(p50Micros / 1e3, 3) + ",\"p90\":"
                    + Text.number(p90Micros / 1e3, 3) + ",\"p99\":" + Text.number(p99Micros / 1e3, 3) + ",\"max\":"
                    + Text.number(maxMicros / 1e3, 3) + "}"
                    + ",\"bytesPerNode\":{\"sent\":" + bytesSentPerNode + ",\"received\":" + bytesReceivedPerNode + "}"
                    + ",\"mempool\":{\"min\":" + mempoolMin + ",\"max\":" + mempoolMax + "}"
                    + ",\"setupWallSeconds\":" + Text.number(setup.toNanos() / 1e9, 3)
                    + ",\"simulatedSeconds\":" + Text.number(seconds, 3)
                    + ",\"wallSeconds\":" + Text.number(seconds, 3)
                    + "}";
        }

    }

    /** What a demo tells as it runs. Called from the demo's threads, one call at a time. */
    public interface Listener {
        /** Every node is connected to its neighbours; transactions come next. */
        default void networkUp(int nodes, int links, Duration took) {
        }

        /** A snapshot, every progress interval. */
        default void progress(Progress progress) {
        }

        /** The last snapshot, once the grace is over, right before the report. */
        default void done(Progress progress) {
        }
    }

    /** A transaction on its way: when and where it was submitted, which nodes have it. Guarded by itself. */
    private static final class InFlight {
        final long submittedNanos;
        final int origin;
        final BitSet arrived = new BitSet();
        int count;

        InFlight(long submittedNanos, int origin) {
            this.submittedNanos = submittedNanos;
            this.origin = origin;
        }
    }

    private final Settings settings;
    private final List<P2pNode> nodes = new ArrayList<>();
    private final Map<TxId, InFlight> inFlight = new ConcurrentHashMap<>();
    private final Recorder latencies = new Recorder(3);
    private final Histogram total = new Histogram(3); // timer thread, then run's thread once the timer stopped
    private Histogram interval; // recycled by latencies; with total
    private final LongAdder deliveries = new LongAdder();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final CountDownLatch submitted = new CountDownLatch(1);
    private final CountDownLatch allArrived = new CountDownLatch(1);
    private volatile boolean submitting = true;
    private volatile boolean stopRequested;
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile RuntimeException failure;
    private final AtomicBoolean ran = new AtomicBoolean();

    /** A demo of {@code settings}; nothing runs before {@link #run}. */
    public Demo(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Runs the demo, once, blocking for about {@code duration} plus setup and grace; closes
     * every node before returning.
     *
     * @param progressInterval how often {@code listener} gets a {@link Progress}
     * @throws IllegalStateException if a node cannot start, the network does not come up, or
     *     the demo already ran
     */
    public Report run(Duration progressInterval, Listener listener) {
        Objects.requireNonNull(progressInterval, "progressInterval");
        Objects.requireNonNull(listener, "listener");
        if (!ran.compareAndSet(false, true)) {
            throw new IllegalStateException("a demo runs once");
        }
        long setupStart = System.nanoTime();
        List<Disposable> subscriptions = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "p2p-demo");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < settings.nodes(); i++) {
                P2pNode node = P2pNode.create(nodeConfig(settings.txRate(), settings.plaintext()));
                nodes.add(node);
                node.start().block(NETWORK_TIMEOUT);
            }
            Random random = new Random(settings.seed());
            int links = connect(random);
            Duration setup = Duration.ofNanos(System.nanoTime() - setupStart);
            listener.networkUp(nodes.size(), links, setup);
            for (int i = 0; i < nodes.size(); i++) {
                int index = i;
                subscriptions.add(nodes.get(i).mempool().events()
                        .filter(e -> e.kind() == MempoolEvent.Kind.ADDED)
                        .subscribe(e -> arrived(index, e.transaction().id())));
            }

            startNanos = System.nanoTime();
            long durationNanos = settings.duration().toNanos();
            timer.scheduleAtFixedRate(guarded(() -> submitDue(random, durationNanos)), 0, SUBMIT_TICK_MICROS,
                    TimeUnit.MICROSECONDS);
            long every = progressInterval.toNanos();
            timer.scheduleAtFixedRate(guarded(() -> listener.progress(progress())), every, every, TimeUnit.NANOSECONDS);
            await(submitted, settings.duration().plus(NETWORK_TIMEOUT));
            if (failure == null) {
                await(allArrived, GRACE);
            }
            timer.shutdownNow();
            await(timer);
            if (failure != null) {
                throw failure;
            }
            listener.done(progress());
            return report(links, setup);
        } finally {
            timer.shutdownNow();
            subscriptions.forEach(Disposable::dispose);
            Flux.fromIterable(nodes).flatMap(P2pNode::stop).then().block(NETWORK_TIMEOUT);
        }
    }

    /**
     * Ends submitting now rather than at the end of the duration (e.g. on Ctrl-C): {@link #run}
     * then gives the transactions in flight their grace and reports as usual. Thread-safe.
     */
    public void stop() {
        stopRequested = true;
    }

    /**
     * The configuration of every node: the library's defaults but for what N nodes in one
     * process need.
     */
    private static NodeConfig nodeConfig(int txRate, boolean plaintext) {
        return NodeConfig.builder()
                .plaintext(plaintext)
                .listenHost("127.0.0.1")
                .listenPort(0)
                // The nodes share this machine's cores; one loop carries a node's few loopback links.
                .eventLoopThreads(1)
                // The demo wires the topology itself: no dialer filling outbound slots.
                .outboundTarget(0)
                // Enough ids for the transactions of one seen-cache ttl (2 min), twice over, from
                // 2^16 (1 MiB) up to the default 2^20 (16 MiB) instead of 16 MiB for every node.
                .seenCacheSize(seenCacheSize(txRate))
                .build();
    }

    static int seenCacheSize(int txRate) {
        return seenCacheSize(txRate, 1 << 16);
    }

    /**
     * Seen ids for two minutes of {@code txRate}, twice over, as a power of two from
     * {@code least} up to the library's default 2^20.
     */
    static int seenCacheSize(int txRate, int least) {
        long wanted = 2L * txRate * Duration.ofMinutes(2).toSeconds();
        long size = Long.highestOneBit(Math.max(1, wanted - 1)) << 1;
        return (int) Math.min(1 << 20, Math.max(least, size));
    }

    /** Connects a random {@link Topology} of the settings' degree; waits for every link to be up on both sides. */
    private int connect(Random random) {
        Topology topology = Topology.random(nodes.size(), settings.degree(), random);
        topology.connect(nodes, NETWORK_TIMEOUT).block();
        return topology.links().size();
    }

    /** A task of the timer that, should it fail, ends the demo with its failure rather than silently. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                failure = e;
                submitting = false;
                submitted.countDown();
                throw e;
            }
        };
    }

    /** On the timer: submits what the rate asks for by now; at the end of the duration, stops. */
    private void submitDue(Random random, long durationNanos) {
        if (!submitting) {
            return;
        }
        long elapsed = Math.min(System.nanoTime() - startNanos, durationNanos);
        long due = (long) (settings.txRate() * (elapsed / 1e9));
        for (long k = transactions.get() + refused.get(); k < due && !stopRequested; k++) {
            submitOne(random);
        }
        if (elapsed >= durationNanos || stopRequested) {
            endNanos = System.nanoTime();
            submitting = false;
            submitted.countDown();
            checkAllArrived();
        }
    }

    private void submitOne(Random random) {
        int origin = random.nextInt(nodes.size());
        Transaction tx = randomTransaction(random, System.currentTimeMillis());
        InFlight f = new InFlight(System.nanoTime(), origin);
        inFlight.put(tx.id(), f); // before submit: the first relays may arrive before submit returns
        AddResult result = nodes.get(origin).submit(tx).block();
        if (result != null && result.accepted()) {
            transactions.incrementAndGet();
        } else {
            inFlight.remove(tx.id());
            refused.incrementAndGet();
        }
    }

    /**
     * A transaction from a new random sender (the pool takes at most 64 per sender), paying
     * 1..1000, with 0..64 random data bytes, stamped {@code millis}.
     */
    static Transaction randomTransaction(Random random, long millis) {
        byte[] data = new byte[random.nextInt(MAX_DATA_BYTES + 1)];
        random.nextBytes(data);
        return Transaction.builder()
                .from(randomAddress(random))
                .to(randomAddress(random))
                .value(random.nextInt(1_000_000))
                .nonce(0)
                .gasPrice(1 + random.nextInt(1_000))
                .gasLimit(21_000)
                .timestamp(millis)
                .data(data)
                .build();
    }

    private static Address randomAddress(Random random) {
        byte[] bytes = new byte[Address.LENGTH];
        random.nextBytes(bytes);
        return Address.of(bytes);
    }

    /** On a node's event loop: {@code id} entered node {@code index}'s pool. */
    private void arrived(int index, TxId id) {
        long now = System.nanoTime();
        InFlight f = inFlight.get(id);
        if (f == null || f.origin == index) {
            return;
        }
        boolean complete;
        synchronized (f) {
            if (f.arrived.get(index)) {
                return;
            }
            f.arrived.set(index);
            f.count++;
            complete = f.count == settings.nodes() - 1;
        }
        latencies.recordValue(Math.max(1, (now - f.submittedNanos) / 1_000));
        deliveries.increment();
        if (complete) {
            inFlight.remove(id);
            checkAllArrived();
        }
    }

    private void checkAllArrived() {
        if (!submitting && inFlight.isEmpty()) {
            allArrived.countDown();
        }
    }

    /** On the timer (or once it stopped): folds the latest latencies into the total. */
    private Progress progress() {
        interval = latencies.getIntervalHistogram(interval);
        total.add(interval);
        long now = System.nanoTime();
        long end = submitting ? now : endNanos;
        long tx = transactions.get();
        double seconds = Math.max(1e-9, (end - startNanos) / 1e9);
        int[] pools = poolSizes();
        long count = total.getTotalCount();
        return new Progress(Duration.ofNanos(now - startNanos), tx, tx / seconds, deliveries.sum(),
                tx * (nodes.size() - 1), count == 0 ? 0 : total.getValueAtPercentile(50),
                count == 0 ? 0 : total.getValueAtPercentile(99), pools[0], pools[1]);
    }

    private Report report(int links, Duration setup) {
        int n = nodes.size();
        long tx = transactions.get();
        Duration duration = Duration.ofNanos(endNanos - startNanos);
        double seconds = Math.max(1e-9, duration.toNanos() / 1e9);
        int[] pools = poolSizes();
        long sent = 0;
        long received = 0;
        long duplicates = 0;
        for (P2pNode node : nodes) {
            sent += node.bytesSent();
            received += node.bytesReceived();
            duplicates += node.gossip().duplicates();
        }
        long count = total.getTotalCount();
        return new Report(n, links, settings.seed(), setup, duration, tx, refused.get(), tx / seconds,
                deliveries.sum(), tx * (n - 1), count == 0 ? 0 : total.getValueAtPercentile(50),
                count == 0 ? 0 : total.getValueAtPercentile(90), count == 0 ? 0 : total.getValueAtPercentile(99),
                count == 0 ? 0 : total.getMaxValue(), pools[0], pools[1], sent / n, received / n, duplicates);
    }

    private int[] poolSizes() {
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (P2pNode node : nodes) {
            int size = node.mempool().size();
            min = Math.min(min, size);
            max = Math.max(max, size);
        }
        return new int[] {min, max};
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void await(ScheduledExecutorService timer) {
        try {
            if (!timer.awaitTermination(NETWORK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the demo's timer did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
