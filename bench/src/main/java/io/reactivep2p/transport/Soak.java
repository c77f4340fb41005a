package io.reactivep2p.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.internal.PlatformDependent;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.gossip.Gossip;
import io.reactivep2p.peer.PeerEvent;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.topology.Topology;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The soak test: a network of nodes in one JVM gossiping at a steady rate for minutes, watched
 * for what only time shows — a heap that keeps growing, leaked buffers, messages lost between
 * honest peers. Not part of the build's tests (it runs for minutes); {@code SoakSmokeTest}
 * keeps it working.
 *
 * <p><b>Network.</b> {@code --nodes} nodes on 127.0.0.1, each on one event loop with 2^16
 * seen ids (1 MiB; at 2,000 msg/s an id is kept 16–33 s) and otherwise the library's
 * defaults, no dialer: a random connected topology (a random tree, then random links up to
 * about {@code --degree} per node) dialled explicitly, every link up before publishing.
 *
 * <p><b>Traffic.</b> {@code --rate} messages per second across the network, of type
 * {@link #SOAK}, published every 10 ms (what the rate asks for by then) with
 * {@code node.broadcast}. Message {@code seq} ({@code 0 .. rate × duration − 1}) decides
 * everything about itself from the seed: its origin node, its size (128–512 bytes) and its
 * content (the sequence number, then pseudo-random words), so a receiver checks each one it
 * gets without a lookup.
 *
 * <p><b>Counting.</b> Every node subscribes to {@code node.messages(SOAK)} and sets the
 * message's bit in a bit set of its own; a bit already set is a duplicate delivery, a message
 * at its own origin a self-delivery, a payload that does not match its sequence number
 * corrupt. Once publishing ends the network drains (until every delivery arrived, nothing
 * arrived for 5 s, or {@code --drain}); then every message is checked at every node but its
 * origin: a missing bit is a lost message, listed by node and by publishing interval.
 *
 * <p><b>Watching.</b> Every {@code --sample} a line and a JSON sample: heap used, heap after
 * the collections of the interval ({@link HeapWatch}), the reachable heap after a forced full
 * collection every {@code --live-heap-every}, direct memory (the JDK's count and Netty's
 * allocator's), peers, drops, propagation latency, leak reports, CPU. Leak reports come from
 * {@link CountingLeakDetector}: run with paranoid leak detection (every buffer tracked;
 * {@link #main} turns it on when {@code -Dio.netty.leakDetection.level} is not given). After
 * the nodes stop, a last collection makes Netty report what it has not yet.
 *
 * <p><b>Access records off.</b> {@link #main} sets {@code -Dio.netty.leakDetection.targetRecords=0}
 * unless it is given: every buffer is still tracked and a leak still reported with the stack
 * that allocated the buffer, but no stack is captured on each later access ({@code touch} at
 * every pipeline hop, {@code retain}, {@code release}, reads). With those stacks the 20-node
 * network at 2,000 msg/s needs more than the two cores of the reference machine: deliveries
 * fall behind by tens of seconds and the backlog fills the heap (RESULTS.md, Soak). To trace
 * a leak the soak found, run again with {@code -Dio.netty.leakDetection.targetRecords=4}
 * (Netty's default), on fewer nodes or at a lower rate.
 *
 * <p>Run ({@code bench/soak.sh} builds the jar and runs this):
 * <pre>
 * java -Xmx1g -Dio.netty.leakDetection.level=paranoid -Dio.netty.leakDetection.targetRecords=0 \
 *     -cp bench/target/benchmarks.jar io.reactivep2p.transport.Soak \
 *     [--nodes 20] [--rate 2000] [--duration 5m] [--degree 5] [--seed N] \
 *     [--sample 5s] [--live-heap-every 60s] [--drain 30s] [--json FILE]
 * </pre>
 * Exits with 1 when a message was lost, delivered twice, delivered to its origin or corrupt,
 * when Netty reported a leak, or when publishing failed; 0 otherwise.
 */
public final class Soak {

    /** The type of the soak's messages. */
    static final MessageType SOAK = MessageType.of(0x80, "SOAK");
    static final int MIN_PAYLOAD = 128;
    static final int MAX_PAYLOAD = 512;

    private static final long PUBLISH_TICK_MILLIS = 10;
    private static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(60);
    /** The drain ends once deliveries stop growing for this long. */
    private static final Duration QUIET = Duration.ofSeconds(5);
    /** Lost messages listed one by one in the report, at most. */
    private static final int LOST_LISTED = 20;
    private static final double MIB = 1024.0 * 1024.0;
    /** Access records Netty keeps per tracked buffer; {@link #main} makes it 0 unless given (see the class comment). */
    static final String TARGET_RECORDS = "io.netty.leakDetection.targetRecords";
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * What to run.
     *
     * @param nodes nodes in the network, 2..500
     * @param rate messages per second published across the network, ≥ 1
     * @param duration how long messages are published
     * @param degree links per node the topology aims at, 1..16 (a tree first, so some have fewer)
     * @param seed of the topology and of the messages' origins, sizes and contents
     * @param sampleEvery how often a sample is taken
     * @param liveHeapEvery how often a sample forces a full collection to read the reachable
     *     heap; zero: only before publishing and after the drain
     * @param drainLimit how long the network may drain at most once publishing ends
     */
    record Settings(int nodes, int rate, Duration duration, int degree, long seed, Duration sampleEvery,
                    Duration liveHeapEvery, Duration drainLimit) {

        /** The soak: 20 nodes, 2,000 msg/s, 5 minutes. */
        static Settings defaults() {
            return new Settings(20, 2_000, Duration.ofMinutes(5), 5, System.nanoTime(), Duration.ofSeconds(5),
                    Duration.ofSeconds(60), Duration.ofSeconds(30));
        }

        /** Checks every field. */
        Settings {
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(sampleEvery, "sampleEvery");
            Objects.requireNonNull(liveHeapEvery, "liveHeapEvery");
            Objects.requireNonNull(drainLimit, "drainLimit");
            if (nodes < 2 || nodes > 500) {
                throw new IllegalArgumentException("nodes must be in 2..500, got " + nodes);
            }
            if (rate < 1) {
                throw new IllegalArgumentException("rate must be >= 1, got " + rate);
            }
            if (degree < 1 || degree > 16) {
                throw new IllegalArgumentException("degree must be in 1..16, got " + degree);
            }
            if (duration.toMillis() < 1 || sampleEvery.toMillis() < 1) {
                throw new IllegalArgumentException("duration and sample interval must be at least 1 ms");
            }
            if (liveHeapEvery.isNegative() || drainLimit.isNegative()) {
                throw new IllegalArgumentException("live-heap interval and drain limit must not be negative");
            }
            long total = (long) rate * duration.toMillis() / 1000;
            if (total < 1 || total > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("rate × duration must be 1.." + Integer.MAX_VALUE / 2
                        + " messages, got " + total);
            }
        }

        /** Messages published in all: {@code rate × duration}. */
        int messages() {
            return (int) ((long) rate * duration.toMillis() / 1000);
        }
    }

    private final Settings settings;
    private final int total;
    private final List<P2pNode> nodes = new ArrayList<>();
    private final List<Disposable> subscriptions = new ArrayList<>();
    /** Per node, a bit per message: whether it arrived. Set with {@link #BITS}'s atomic or. */
    private final long[][] received;
    /** Publication times, nanoseconds since {@link #t0} plus one (0: not published). */
    private final AtomicLongArray publishedAt;
    private final long t0 = System.nanoTime();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder selfDeliveries = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final Recorder latency = new Recorder(3);
    private final Histogram latencyTotal = new Histogram(3); // sampler thread, then run's thread once it stopped
    private Histogram latencyInterval; // recycled by latency; with latencyTotal
    private final AtomicLong published = new AtomicLong();
    private final LongAdder originDrops = new LongAdder();
    private final LongAdder unsent = new LongAdder();
    private final LongAdder publishErrors = new LongAdder();
    private final Map<String, LongAdder> disconnects = new ConcurrentHashMap<>();
    private final CountDownLatch publishingDone = new CountDownLatch(1);
    /** Whether {@link CountingLeakDetector} sees Netty's buffers: not in a test JVM, whose detector is the test jar's. */
    private final boolean countingLeaks = CountingLeakDetector.installed();
    private final List<Map<String, Object>> samples = new ArrayList<>(); // sampler thread, then run's thread
    private volatile long publishStart;
    private volatile long publishEnd;
    private volatile long maxBurst;
    private volatile boolean stopping;
    private volatile String phase = "publish";
    private String drainEnd = "not drained"; // run's thread
    private volatile Throwable failure;
    private long lastSampleNanos; // sampler thread
    private long lastSamplePublished;
    private long lastSampleCpuNanos;
    private long nextLiveHeapNanos;

    private Soak(Settings settings) {
        this.settings = settings;
        this.total = settings.messages();
        this.received = new long[settings.nodes()][(total + 63) / 64];
        this.publishedAt = new AtomicLongArray(total);
    }

    public static void main(String[] args) throws Exception {
        // First: Netty reads the record count when its detector class loads, and creates its
        // detectors when its buffer classes load.
        if (System.getProperty(TARGET_RECORDS) == null) {
            System.setProperty(TARGET_RECORDS, "0");
        }
        CountingLeakDetector.install();
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        Settings settings = parse(args);
        Path json = json(args);
        if (!CountingLeakDetector.installed()) {
            throw new IllegalStateException("the counting leak detector could not be installed");
        }
        Map<String, Object> report = run(settings, "Soak " + String.join(" ", args));
        if (json != null) {
            if (json.getParent() != null) {
                Files.createDirectories(json.getParent());
            }
            Files.writeString(json, Json.write(report));
            System.out.println("report written to " + json);
        }
        System.exit(Boolean.TRUE.equals(report.get("pass")) ? 0 : 1);
    }

    /** Runs the soak once and returns the report that {@code --json} writes; every node is stopped on return. */
    static Map<String, Object> run(Settings settings, String command) throws Exception {
        return new Soak(Objects.requireNonNull(settings, "settings")).run(command);
    }

    private Map<String, Object> run(String command) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", Instant.now().toString());
        report.put("command", command);
        report.put("machine", NetworkHarness.machine());
        report.put("loadavg_start", NetworkHarness.loadavg());
        report.put("settings", settingsReport());
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(daemon("soak-publisher"));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(daemon("soak-sampler"));
        boolean nodesStopped = false;
        try (HeapWatch heap = new HeapWatch()) {
            long setupStart = System.nanoTime();
            for (int i = 0; i < settings.nodes(); i++) {
                startNode(i);
            }
            int links = connect(new Random(settings.seed()));
            double setup = seconds(System.nanoTime() - setupStart);
            String protocol = nodes.get(0).config().plaintext() ? "plaintext (version 1)"
                    : "secure channel (Noise XX, AES-256-GCM)";
            System.out.printf(Locale.ROOT, "soak: %d nodes on 127.0.0.1, %d links (degree %d, seed %d) up in %.1f s;"
                            + " %,d msg/s for %s = %,d messages; %s; leak detection %s%n", nodes.size(), links,
                    settings.degree(), settings.seed(), setup, settings.rate(), human(settings.duration()), total,
                    protocol, ResourceLeakDetector.getLevel());
            Map<String, Object> network = new LinkedHashMap<>();
            network.put("protocol", nodes.get(0).config().plaintext() ? "v1" : "v2");
            network.put("links", links);
            network.put("setup_s", setup);
            report.put("network", network);

            long liveStart = heap.live();
            heap.takeIntervalMaxAfterGc();
            System.out.printf(Locale.ROOT, "reachable heap before publishing: %.1f MiB%n", liveStart / MIB);
            System.out.printf(Locale.ROOT, "%6s %-7s %10s %7s %12s %9s %8s %8s %8s %8s %6s %7s %6s %5s %5s%n",
                    "t s", "phase", "published", "msg/s", "delivered", "in flight", "heap MiB", "after GC", "live",
                    "direct", "peers", "p99 ms", "drops", "leaks", "cpu");

            publishStart = System.nanoTime();
            lastSampleNanos = publishStart;
            lastSampleCpuNanos = processCpuNanos();
            long cpuStart = lastSampleCpuNanos;
            nextLiveHeapNanos = settings.liveHeapEvery().isZero() ? Long.MAX_VALUE
                    : publishStart + settings.liveHeapEvery().toNanos();
            publisher.scheduleAtFixedRate(guarded(this::publishDue), 0, PUBLISH_TICK_MILLIS, TimeUnit.MILLISECONDS);
            long every = settings.sampleEvery().toNanos();
            sampler.scheduleAtFixedRate(guarded(() -> sample(heap, phase, false)), every, every, TimeUnit.NANOSECONDS);
            if (!publishingDone.await(settings.duration().plus(NETWORK_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("publishing did not end: " + published.get() + " of " + total);
            }
            publisher.shutdownNow();
            publisher.awaitTermination(10, TimeUnit.SECONDS);
            phase = "drain";
            double drain = drain();
            long endNanos = System.nanoTime();
            double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
            sampler.shutdownNow();
            sampler.awaitTermination(30, TimeUnit.SECONDS);
            if (failure != null) {
                throw new IllegalStateException("the soak failed", failure);
            }
            long liveEnd = (Long) sample(heap, "end", true).getOrDefault("live_heap", -1L);

            Map<String, Object> counters = nodeCounters();
            stopping = true;
            long stopStart = System.nanoTime();
            stopNodes();
            nodesStopped = true;
            double stopSeconds = seconds(System.nanoTime() - stopStart);
            long leaks = CountingLeakDetector.collect();
            boolean counting = countingLeaks;

            Map<String, Object> lost = lostReport();
            Map<String, Object> totals = totals(drain, (Long) lost.get("total"), liveStart, liveEnd, heap.peak(),
                    stopSeconds, counting ? leaks : null, cpuSeconds, endNanos);
            report.put("totals", totals);
            report.put("lost", lost);
            report.put("heap", heapReport(liveStart, liveEnd, heap.peak()));
            report.put("latency_ms", latencyReport(latencyTotal));
            report.put("nodes", counters);
            report.put("disconnects", disconnectReport());
            report.put("leak_reports", counting ? CountingLeakDetector.firstReports() : "not counted: Netty's buffers "
                    + "loaded before CountingLeakDetector.install() (the test run's detector checks them)");
            report.put("samples", samples);
            report.put("loadavg_end", NetworkHarness.loadavg());
            boolean pass = (Long) totals.get("lost") == 0 && (Long) totals.get("duplicate_deliveries") == 0
                    && (Long) totals.get("self_deliveries") == 0 && (Long) totals.get("corrupt") == 0
                    && (Long) totals.get("publish_errors") == 0 && published.get() == total
                    && (!counting || leaks == 0);
            report.put("pass", pass);
            summary(totals, counters, pass);
            return report;
        } finally {
            publisher.shutdownNow();
            sampler.shutdownNow();
            if (!nodesStopped) {
                stopping = true;
                stopNodes();
            }
        }
    }

    // ---- the network ----

    private void startNode(int index) {
        P2pNode node = P2pNode.create(NodeConfig.builder()
                .listenHost("127.0.0.1")
                .listenPort(0)
                .eventLoopThreads(1) // 20 nodes share the machine's cores
                .outboundTarget(0) // the soak wires the topology itself
                .seenCacheSize(1 << 16)
                .build());
        nodes.add(node);
        subscriptions.add(node.messages(SOAK).subscribe(pm -> deliver(index, pm)));
        subscriptions.add(node.peerEvents()
                .filter(e -> e.type() == PeerEvent.Type.DISCONNECTED && !stopping)
                .subscribe(e -> disconnected(index, e)));
        node.start().block(NETWORK_TIMEOUT);
    }

    /** A random {@link Topology} of the settings' degree; waits for every link to be up on both sides. */
    private int connect(Random random) {
        Topology topology = Topology.random(nodes.size(), settings.degree(), random);
        topology.connect(nodes, NETWORK_TIMEOUT).block();
        return topology.links().size();
    }

    private int peers() {
        int sum = 0;
        for (P2pNode node : nodes) {
            sum += node.peers().size();
        }
        return sum;
    }

    private void disconnected(int index, PeerEvent e) {
        disconnects.computeIfAbsent(e.reason() + " (" + e.side() + ")", k -> new LongAdder()).increment();
        System.err.printf(Locale.ROOT, "%.1f s: node %d lost peer %s: %s, %s side%s%n",
                seconds(System.nanoTime() - t0), index, e.peer(), e.reason(), e.side(),
                e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
    }

    private void stopNodes() {
        subscriptions.forEach(Disposable::dispose);
        subscriptions.clear();
        Flux.fromIterable(nodes).flatMap(P2pNode::stop).then().block(NETWORK_TIMEOUT);
    }

    // ---- publishing and receiving ----

    /** On the publisher: publishes what the rate asks for by now; at the end of the duration, the rest. */
    private void publishDue() {
        long now = System.nanoTime();
        long elapsed = now - publishStart;
        long due = elapsed >= settings.duration().toNanos() ? total
                : Math.min(total, (long) (settings.rate() * (elapsed / 1e9)));
        long from = published.get();
        if (due - from > maxBurst) {
            maxBurst = due - from;
        }
        for (long seq = from; seq < due; seq++) {
            publish((int) seq);
        }
        if (due >= total && publishEnd == 0) {
            publishEnd = System.nanoTime();
            publishingDone.countDown();
        }
    }

    private void publish(int seq) {
        P2pNode origin = nodes.get(origin(seq, settings.seed(), nodes.size()));
        Message message = Message.wrap(SOAK, payload(seq, settings.seed()));
        // Before the broadcast: the first copies may arrive before it returns.
        publishedAt.set(seq, System.nanoTime() - t0 + 1);
        origin.broadcast(message).subscribe(r -> {
            originDrops.add(r.dropped());
            if (r.queued() == 0) {
                unsent.increment();
            }
        }, e -> {
            publishErrors.increment();
            System.err.println("publishing message " + seq + " failed: " + e);
        });
        published.incrementAndGet();
    }

    /** On node {@code index}'s event loop: a SOAK message arrived. */
    private void deliver(int index, PeerMessage pm) {
        long now = System.nanoTime() - t0 + 1;
        ByteBuffer payload = pm.message().payload();
        long seq = payload.remaining() >= Long.BYTES ? payload.getLong(0) : -1;
        if (seq < 0 || seq >= total || !matches(payload, seq, settings.seed())) {
            corrupt.increment();
            return;
        }
        if (index == origin(seq, settings.seed(), nodes.size())) {
            selfDeliveries.increment();
            return;
        }
        long bit = 1L << seq; // the shift takes seq mod 64
        if (((long) BITS.getAndBitwiseOr(received[index], (int) (seq >>> 6), bit) & bit) != 0) {
            duplicates.increment();
            return;
        }
        delivered.increment();
        latency.recordValue(Math.max(0, now - publishedAt.get((int) seq)));
    }

    /** The node that publishes message {@code seq}. */
    static int origin(long seq, long seed, int nodes) {
        return (int) Long.remainderUnsigned(mix64(seed ^ mix64(seq)), nodes);
    }

    /** Message {@code seq}'s payload: 128–512 bytes, a multiple of 8; {@code seq}, then pseudo-random words. */
    static byte[] payload(long seq, long seed) {
        int words = payloadWords(seq, seed);
        ByteBuffer b = ByteBuffer.allocate(words * Long.BYTES);
        b.putLong(seq);
        for (int k = 1; k < words; k++) {
            b.putLong(word(seq, seed, k));
        }
        return b.array();
    }

    /** Whether {@code payload} (read from position 0) is message {@code seq}'s. */
    static boolean matches(ByteBuffer payload, long seq, long seed) {
        int words = payloadWords(seq, seed);
        if (payload.remaining() != words * Long.BYTES || payload.getLong(0) != seq) {
            return false;
        }
        for (int k = 1; k < words; k++) {
            if (payload.getLong(k * Long.BYTES) != word(seq, seed, k)) {
                return false;
            }
        }
        return true;
    }

    private static int payloadWords(long seq, long seed) {
        int choices = (MAX_PAYLOAD - MIN_PAYLOAD) / Long.BYTES + 1;
        return MIN_PAYLOAD / Long.BYTES + (int) Long.remainderUnsigned(mix64(~seed ^ mix64(seq)), choices);
    }

    private static long word(long seq, long seed, int k) {
        return mix64(seed + mix64(seq) + 0x9E3779B97F4A7C15L * k);
    }

    /** SplittableRandom's finalizer: a bijective mix of 64 bits. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- draining and counting ----

    /** Waits until every delivery arrived, none arrived for {@link #QUIET}, or the drain limit; returns its seconds. */
    private double drain() throws InterruptedException {
        long start = System.nanoTime();
        long expected = (long) total * (nodes.size() - 1);
        long last = delivered.sum();
        long lastChange = start;
        while (true) {
            long now = System.nanoTime();
            long d = delivered.sum();
            if (d != last) {
                last = d;
                lastChange = now;
            }
            if (d >= expected || now - lastChange >= QUIET.toNanos() || now - start >= settings.drainLimit().toNanos()
                    || failure != null) {
                drainEnd = d >= expected ? "every delivery arrived"
                        : now - lastChange >= QUIET.toNanos() ? "no delivery for " + QUIET.toSeconds() + " s"
                        : failure != null ? "failure" : "drain limit reached while deliveries were still arriving";
                return seconds(now - start);
            }
            Thread.sleep(50);
        }
    }

    /** Every message at every node but its origin: what did not arrive. */
    private Map<String, Object> lostReport() {
        int n = nodes.size();
        long[] byNode = new long[n];
        Map<Long, Long> byInterval = new TreeMap<>();
        List<Map<String, Object>> first = new ArrayList<>();
        long every = settings.sampleEvery().toNanos();
        for (int seq = 0; seq < published.get(); seq++) {
            int origin = origin(seq, settings.seed(), n);
            for (int node = 0; node < n; node++) {
                if (node == origin || ((long) BITS.getVolatile(received[node], seq >>> 6) & (1L << seq)) != 0) {
                    continue;
                }
                byNode[node]++;
                long at = publishedAt.get(seq) - 1 - (publishStart - t0);
                byInterval.merge(at / every * every / 1_000_000_000L, 1L, Long::sum);
                if (first.size() < LOST_LISTED) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("seq", seq);
                    m.put("origin", origin);
                    m.put("node", node);
                    m.put("published_at_s", seconds(at));
                    first.add(m);
                }
            }
        }
        Map<String, Object> lost = new LinkedHashMap<>();
        Map<String, Object> nodesWithLoss = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            if (byNode[i] > 0) {
                nodesWithLoss.put(String.valueOf(i), byNode[i]);
            }
        }
        lost.put("total", sum(byNode));
        lost.put("by_node", nodesWithLoss);
        Map<String, Object> intervals = new LinkedHashMap<>();
        byInterval.forEach((s, c) -> intervals.put(s + " s", c));
        lost.put("by_publish_interval", intervals);
        lost.put("first", first);
        return lost;
    }

    private Map<String, Object> totals(double drain, long lost, long liveStart, long liveEnd, long peak,
                                       double stopSeconds, Long leaks, double cpuSeconds, long endNanos) {
        long expected = published.get() * (nodes.size() - 1);
        long got = delivered.sum();
        double publishing = seconds(publishEnd - publishStart);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("published", published.get());
        t.put("publish_s", publishing);
        t.put("publish_rate", published.get() / publishing);
        t.put("max_publish_burst", maxBurst);
        t.put("expected_deliveries", expected);
        t.put("delivered", got);
        t.put("lost", lost); // every bit checked; equals expected − delivered, as delivered counts first arrivals
        if (lost != expected - got) {
            throw new IllegalStateException("lost " + lost + " but expected − delivered = " + (expected - got));
        }
        t.put("delivery_ratio", expected == 0 ? 1.0 : (double) got / expected);
        t.put("duplicate_deliveries", duplicates.sum());
        t.put("self_deliveries", selfDeliveries.sum());
        t.put("corrupt", corrupt.sum());
        t.put("publish_errors", publishErrors.sum());
        t.put("origin_queue_drops", originDrops.sum());
        t.put("unsent", unsent.sum());
        t.put("drain_s", drain);
        t.put("drain_end", drainEnd);
        t.put("cpu_s", cpuSeconds);
        t.put("cpu_cores_avg", cpuSeconds / seconds(endNanos - publishStart));
        t.put("cpu_us_per_delivery", got == 0 ? null : cpuSeconds * 1e6 / got);
        t.put("leak_reports", leaks);
        t.put("leak_detection", ResourceLeakDetector.getLevel().toString());
        t.put("live_heap_start", liveStart);
        t.put("live_heap_end", liveEnd);
        t.put("peak_heap", peak);
        t.put("disconnects", disconnects.values().stream().mapToLong(LongAdder::sum).sum());
        t.put("stop_s", stopSeconds);
        return t;
    }

    /** Per node, and summed: what the library counts. Read before the nodes stop. */
    private Map<String, Object> nodeCounters() {
        List<Map<String, Object>> per = new ArrayList<>();
        Map<String, Long> sums = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            P2pNode node = nodes.get(i);
            Gossip g = node.gossip();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("node", i);
            c.put("peers", node.peers().size());
            c.put("received_unique", bits(received[i]));
            c.put("gossip_accepted", g.accepted());
            c.put("gossip_duplicates", g.duplicates());
            c.put("gossip_relayed", g.relayed());
            c.put("gossip_relay_drops", g.relayDrops());
            c.put("gossip_ignored", g.ignored());
            c.put("gossip_rejected", g.rejected());
            c.put("dropped_deliveries", node.droppedDeliveries());
            c.put("unknown_frames", node.unknownFrames());
            c.put("bytes_sent", node.bytesSent());
            c.put("bytes_received", node.bytesReceived());
            per.add(c);
            c.forEach((k, v) -> {
                if (!k.equals("node")) {
                    sums.merge(k, ((Number) v).longValue(), Long::sum);
                }
            });
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sum", sums);
        out.put("per_node", per);
        return out;
    }

    private static long bits(long[] a) {
        long n = 0;
        for (int i = 0; i < a.length; i++) {
            n += Long.bitCount((long) BITS.getVolatile(a, i));
        }
        return n;
    }

    // ---- sampling ----

    /** On the sampler (then on run's thread): one line, one JSON sample. */
    private Map<String, Object> sample(HeapWatch heap, String phase, boolean forceLive) {
        long now = System.nanoTime();
        long live = -1;
        if (forceLive || now >= nextLiveHeapNanos) {
            if (now >= nextLiveHeapNanos) {
                nextLiveHeapNanos += settings.liveHeapEvery().toNanos();
            }
            try {
                live = heap.live();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long used = HeapWatch.used();
        long got = delivered.sum(); // before published: what arrives in between can only raise in-flight
        long pub = published.get();
        long expected = pub * (nodes.size() - 1);
        double interval = Math.max(1e-9, seconds(now - lastSampleNanos));
        double rate = (pub - lastSamplePublished) / interval;
        long cpu = processCpuNanos();
        double cpuCores = cpu < 0 ? -1 : (cpu - lastSampleCpuNanos) / 1e9 / interval;
        lastSampleNanos = now;
        lastSamplePublished = pub;
        lastSampleCpuNanos = cpu;
        latencyInterval = latency.getIntervalHistogram(latencyInterval);
        latencyTotal.add(latencyInterval);
        long drops = originDrops.sum();
        for (P2pNode node : nodes) {
            drops += node.droppedDeliveries() + node.gossip().relayDrops();
        }
        Long leaks = countingLeaks ? CountingLeakDetector.reports() : null;
        ByteBufAllocatorMetric alloc = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
                ? p.metric() : null;

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("t_s", seconds(now - publishStart));
        s.put("phase", phase);
        s.put("published", pub);
        s.put("publish_rate", rate);
        s.put("delivered", got);
        s.put("in_flight", expected - got);
        s.put("heap_used", used);
        s.put("heap_after_gc", heap.lastAfterGc());
        s.put("heap_after_gc_max", heap.takeIntervalMaxAfterGc());
        if (live >= 0) {
            s.put("live_heap", live);
        }
        s.put("jdk_direct", jdkDirect());
        s.put("netty_direct", PlatformDependent.usedDirectMemory());
        s.put("allocator_direct", alloc == null ? null : alloc.usedDirectMemory());
        s.put("allocator_heap", alloc == null ? null : alloc.usedHeapMemory());
        s.put("peers", peers());
        s.put("drops", drops);
        s.put("duplicate_deliveries", duplicates.sum());
        s.put("latency_p50_ms", latencyInterval.getValueAtPercentile(50) / 1e6);
        s.put("latency_p99_ms", latencyInterval.getValueAtPercentile(99) / 1e6);
        s.put("latency_max_ms", latencyInterval.getMaxValue() / 1e6);
        s.put("leak_reports", leaks);
        long[] gc = HeapWatch.collections();
        s.put("gc_count", gc[0]);
        s.put("gc_ms", gc[1]);
        s.put("cpu_cores", cpuCores);
        s.put("loadavg", loadavg1());
        samples.add(s);

        System.out.printf(Locale.ROOT, "%6.1f %-7s %,10d %7.0f %,12d %,9d %8.1f %8s %8s %8.1f %6d %7.2f %,6d %5s %5.2f%n",
                (Double) s.get("t_s"), phase, pub, rate, got, expected - got, used / MIB, mib(heap.lastAfterGc()),
                live < 0 ? "" : String.format(Locale.ROOT, "%.1f", live / MIB), jdkDirect() / MIB,
                (Integer) s.get("peers"),
                latencyInterval.getValueAtPercentile(99) / 1e6, drops, leaks == null ? "-" : String.valueOf(leaks),
                cpuCores);
        return s;
    }

    private static long jdkDirect() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static double loadavg1() {
        try {
            String avg = NetworkHarness.loadavg();
            return avg.equals("n/a") ? -1 : Double.parseDouble(avg.split(" ")[0]);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    // ---- reporting ----

    private Map<String, Object> settingsReport() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("nodes", settings.nodes());
        s.put("rate", settings.rate());
        s.put("duration_s", settings.duration().toMillis() / 1000.0);
        s.put("messages", total);
        s.put("degree", settings.degree());
        s.put("seed", settings.seed());
        s.put("payload_bytes", MIN_PAYLOAD + ".." + MAX_PAYLOAD);
        s.put("sample_s", settings.sampleEvery().toMillis() / 1000.0);
        s.put("live_heap_every_s", settings.liveHeapEvery().toMillis() / 1000.0);
        s.put("drain_limit_s", settings.drainLimit().toMillis() / 1000.0);
        s.put("leak_detection", ResourceLeakDetector.getLevel().toString());
        s.put("leak_access_records", System.getProperty(TARGET_RECORDS, "default (4)"));
        s.put("node_config", "127.0.0.1, eventLoopThreads 1, outboundTarget 0, seenCacheSize 65536, else defaults");
        s.put("allocator", ByteBufAllocator.DEFAULT.getClass().getSimpleName());
        return s;
    }

    private Map<String, Object> heapReport(long liveStart, long liveEnd, long peak) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("max_heap", Runtime.getRuntime().maxMemory());
        h.put("live_start", liveStart);
        h.put("live_end", liveEnd);
        h.put("live_growth", liveEnd - liveStart);
        h.put("peak", peak);
        h.put("max_after_gc_while_publishing", samples.stream().filter(s -> "publish".equals(s.get("phase")))
                .mapToLong(s -> (Long) s.get("heap_after_gc_max")).max().orElse(-1));
        List<Object> lives = new ArrayList<>();
        lives.add(List.of(0.0, liveStart));
        for (Map<String, Object> s : samples) {
            if (s.containsKey("live_heap")) {
                lives.add(List.of(s.get("t_s"), s.get("live_heap")));
            }
        }
        h.put("live_over_time", lives);
        return h;
    }

    private static Map<String, Object> latencyReport(Histogram h) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("count", h.getTotalCount());
        for (double p : new double[] {50, 90, 99, 99.9}) {
            String name = "p" + (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p));
            l.put(name, h.getValueAtPercentile(p) / 1e6);
        }
        l.put("max", h.getMaxValue() / 1e6);
        return l;
    }

    private Map<String, Object> disconnectReport() {
        Map<String, Object> d = new TreeMap<>();
        disconnects.forEach((k, v) -> d.put(k, v.sum()));
        return d;
    }

    @SuppressWarnings("unchecked")
    private void summary(Map<String, Object> t, Map<String, Object> counters, boolean pass) {
        Map<String, Long> sums = (Map<String, Long>) counters.get("sum");
        System.out.println();
        System.out.println("Summary");
        row("nodes", nodes.size() + " (" + settings.degree() + " links per node aimed at, seed " + settings.seed()
                + ")");
        row("published", String.format(Locale.ROOT, "%,d in %.1f s (%.1f msg/s; largest catch-up burst %d)",
                (Long) t.get("published"), (Double) t.get("publish_s"), (Double) t.get("publish_rate"), maxBurst));
        row("deliveries", String.format(Locale.ROOT, "%,d of %,d", (Long) t.get("delivered"),
                (Long) t.get("expected_deliveries")));
        row("lost", String.format(Locale.ROOT, "%,d", (Long) t.get("lost")));
        row("duplicates", String.valueOf(t.get("duplicate_deliveries")));
        row("self / corrupt", t.get("self_deliveries") + " / " + t.get("corrupt"));
        row("leak reports", t.get("leak_reports") == null ? "not counted" : t.get("leak_reports")
                + " (" + t.get("leak_detection") + ")");
        row("drops", "origin queues " + t.get("origin_queue_drops") + ", relays " + sums.get("gossip_relay_drops")
                + ", subscribers " + sums.get("dropped_deliveries"));
        row("gossip", String.format(Locale.ROOT, "%,d accepted, %,d duplicates dropped (%.2f per delivery)",
                sums.get("gossip_accepted"), sums.get("gossip_duplicates"),
                (double) sums.get("gossip_duplicates") / Math.max(1, (Long) t.get("delivered"))));
        row("disconnects", String.valueOf(t.get("disconnects")));
        row("reachable heap", String.format(Locale.ROOT, "%.1f MiB before, %.1f MiB after (%+.1f MiB)",
                (Long) t.get("live_heap_start") / MIB, (Long) t.get("live_heap_end") / MIB,
                ((Long) t.get("live_heap_end") - (Long) t.get("live_heap_start")) / MIB));
        row("peak heap", String.format(Locale.ROOT, "%.1f MiB of %.0f MiB", (Long) t.get("peak_heap") / MIB,
                Runtime.getRuntime().maxMemory() / MIB));
        row("latency", String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms, max %.1f ms",
                latencyTotal.getValueAtPercentile(50) / 1e6, latencyTotal.getValueAtPercentile(99) / 1e6,
                latencyTotal.getMaxValue() / 1e6));
        row("drain", String.format(Locale.ROOT, "%.1f s (%s)", (Double) t.get("drain_s"), t.get("drain_end")));
        row("cpu", String.format(Locale.ROOT, "%.2f cores on average, %.1f µs per delivery",
                (Double) t.get("cpu_cores_avg"), t.get("cpu_us_per_delivery") == null ? 0.0
                        : (Double) t.get("cpu_us_per_delivery")));
        row("stop", String.format(Locale.ROOT, "%.1f s", (Double) t.get("stop_s")));
        row("result", pass ? "PASS" : "FAIL");
    }

    private static void row(String name, String value) {
        System.out.printf(Locale.ROOT, "  %-16s %s%n", name, value);
    }

    // ---- plumbing ----

    /** A task that, should it fail, ends the soak with its failure rather than silently. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable e) {
                failure = e;
                publishingDone.countDown();
                throw e;
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static Settings parse(String[] args) {
        Settings d = Settings.defaults();
        int nodes = d.nodes();
        int rate = d.rate();
        Duration duration = d.duration();
        int degree = d.degree();
        long seed = d.seed();
        Duration sample = d.sampleEvery();
        Duration live = d.liveHeapEvery();
        Duration drain = d.drainLimit();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(required(args[i], value));
                case "--rate" -> rate = Integer.parseInt(required(args[i], value));
                case "--duration" -> duration = duration(required(args[i], value));
                case "--degree" -> degree = Integer.parseInt(required(args[i], value));
                case "--seed" -> seed = Long.parseLong(required(args[i], value));
                case "--sample" -> sample = duration(required(args[i], value));
                case "--live-heap-every" -> live = duration(required(args[i], value));
                case "--drain" -> drain = duration(required(args[i], value));
                case "--json" -> required(args[i], value);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (expected --nodes N,"
                        + " --rate MSG_PER_S, --duration 5m, --degree N, --seed N, --sample 5s, --live-heap-every 60s,"
                        + " --drain 30s, --json FILE)");
            }
            i++;
        }
        return new Settings(nodes, rate, duration, degree, seed, sample, live, drain);
    }

    private static Path json(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--json")) {
                return Path.of(args[i + 1]);
            }
        }
        return null;
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; {@code 0} alone is zero. */
    static Duration duration(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + text + " (e.g. 500ms, 30s, 5m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 ? ms / 60_000 + " min" : ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "" : String.format(Locale.ROOT, "%.1f", bytes / MIB);
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }
}
