package io.reactivep2p.transport;

import io.netty.buffer.Unpooled;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.perf.PerfClient;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * The network benchmark harness: this toolkit side by side with its raw baseline, in one run,
 * on loopback. Every measurement runs its variants in turns, round after round (the machine's
 * noise falls on all of them alike), reports the median of the rounds and its ratio to the
 * baseline, and goes into one JSON report that {@code bench/plot.py} draws.
 *
 * <p>Its nodes run the plaintext protocol (version 1, {@code NodeConfig.plaintext(true)}): these
 * figures are the protocol stack's against the raw socket, without the secure channel's cost.
 * The variants named "secure" run the same over the secure channel (version 2, the default),
 * beside them in the same rounds: what encryption costs.
 *
 * <table>
 *   <caption>Sections</caption>
 *   <tr><th>section</th><th>toolkit</th><th>baseline</th></tr>
 *   <tr><td>{@code bulk}</td><td>perf upload, 1 MiB messages, LZ4 off/on, random/zero data</td>
 *       <td>blocking NIO stream, 1 MiB writes (and iperf3 when installed)</td></tr>
 *   <tr><td>{@code sizes}</td><td>perf upload, LZ4 off, messages of 1 KiB to 1 MiB</td>
 *       <td>the NIO stream with writes of the same size</td></tr>
 *   <tr><td>{@code oneway}</td><td>256-byte messages, node to node</td>
 *       <td>270-byte records (14-byte header) through buffered blocking sockets</td></tr>
 *   <tr><td>{@code reqresp}</td><td>256-byte request, echoed, one in flight: direct messages, and
 *       {@code peer.request} (with its latency)</td>
 *       <td>the same over blocking sockets, and over bare Netty</td></tr>
 *   <tr><td>{@code rpc}</td><td>request-stream of 1 KiB and 1 MiB items ({@code peer.requestStream})</td>
 *       <td>the same items pushed with {@code peer.send(Publisher)}</td></tr>
 *   <tr><td>{@code rtt}</td><td>1-byte payload round trip: p50/p99/p99.9</td>
 *       <td>blocking sockets, bare Netty</td></tr>
 *   <tr><td>{@code setup}</td><td>handshakes/s accepted by a node; node-to-node dial to first
 *       delivered message</td><td>TCP connect + first bytes</td></tr>
 *   <tr><td>{@code idle}</td><td>heap per idle admitted peer (2,000 connections)</td>
 *       <td>heap per idle Reactor Netty connection</td></tr>
 *   <tr><td>{@code coalesce}</td><td colspan="2">{@link CoalescingStudy}</td></tr>
 * </table>
 *
 * <p>Run ({@code bench/network.sh} builds the jar and runs this):
 * <pre>
 * java -Dio.netty.leakDetection.level=disabled -cp bench/target/benchmarks.jar \
 *     io.reactivep2p.transport.NetworkHarness [--quick] [--only bulk,rtt,...] [--json FILE]
 * </pre>
 * {@code --quick} shrinks every section to a smoke test (seconds, figures meaningless).
 */
public final class NetworkHarness {

    static final MessageType DATA = MessageType.of(0x81, "DATA");
    static final MessageType FIRST = MessageType.of(0x82, "FIRST");
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    private final boolean quick;
    private final List<Map<String, Object>> results = new ArrayList<>();
    private final List<Map<String, Object>> latencies = new ArrayList<>();
    private final List<Map<String, Object>> sizes = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private NetworkHarness(boolean quick) {
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Path json = null;
        Set<String> only = new LinkedHashSet<>(List.of("bulk", "sizes", "oneway", "reqresp", "rpc", "rtt", "setup", "idle",
                "coalesce"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(args[++i]);
                case "--only" -> only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --quick, --only a,b,... or --json FILE)");
            }
        }
        Map<String, Object> report = report(quick, only, String.join(" ", args));
        String text = Json.write(report);
        if (json != null) {
            Files.writeString(json, text);
            System.out.println("report written to " + json);
        }
    }

    /** Runs {@code sections} and returns the report that {@code --json} writes. */
    static Map<String, Object> report(boolean quick, Set<String> sections, String args) throws Exception {
        return new NetworkHarness(quick).run(sections, args);
    }

    private Map<String, Object> run(Set<String> sections, String args) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", Instant.now().toString());
        report.put("command", "NetworkHarness " + args);
        report.put("machine", machine());
        report.put("loadavg_start", loadavg());
        warmup();
        for (String s : sections) {
            System.out.printf(Locale.ROOT, "%n== %s ==%n", s);
            switch (s) {
                case "bulk" -> bulk();
                case "sizes" -> sizes();
                case "oneway" -> oneway();
                case "reqresp" -> reqresp();
                case "rpc" -> rpc();
                case "rtt" -> rtt();
                case "setup" -> setup();
                case "idle" -> idle();
                case "coalesce" -> extra.put("coalesce", new CoalescingStudy(quick).run());
                default -> throw new IllegalArgumentException("unknown section " + s);
            }
        }
        report.put("loadavg_end", loadavg());
        report.put("results", results);
        report.put("latency", latencies);
        report.put("sizes", sizes);
        report.putAll(extra);
        System.out.printf(Locale.ROOT, "%n%-9s %-40s %14s %-9s %8s%n", "section", "variant", "median", "unit", "ratio");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-9s %-40s %14s %-9s %8s%n", r.get("section"), r.get("variant"),
                    fmt((Double) r.get("value")), r.get("unit"),
                    r.get("ratio") == null ? "baseline" : String.format(Locale.ROOT, "%.2fx", (Double) r.get("ratio")));
        }
        return report;
    }

    /**
     * Runs the toolkit's paths for 30 s before any section measures them: a 1 MiB-message
     * section alone calls its per-message code a few hundred times per round, too few for the
     * JIT, and its first rounds also paid for the buffer pools' first growth (a first run
     * measured the same upload at 0.48x the raw stream in the first section and at 0.91x in a
     * later one).
     */
    private void warmup() throws Exception {
        long bytes = (quick ? 8L : 256L) * MIB;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(quick ? 0 : 30);
        long start = System.nanoTime();
        do {
            for (int size : new int[] {4 * KIB, 64 * KIB, MIB}) {
                BulkThroughputBenchmark.p2p(bytes, size, false, PerfClient.Data.RANDOM);
                BulkThroughputBenchmark.p2p(bytes, size, true, PerfClient.Data.RANDOM);
                BulkThroughputBenchmark.p2p(bytes, size, true, PerfClient.Data.ZEROS);
                BulkThroughputBenchmark.raw(bytes, size);
            }
            OneWayRateBenchmark.run(quick ? 20_000 : 500_000, FlushPolicy.COALESCE);
        } while (System.nanoTime() < until);
        System.out.printf(Locale.ROOT, "warm-up: %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    // ---- sections ----

    private void bulk() throws Exception {
        long bytes = (quick ? 16L : 512L) * MIB;
        int rounds = quick ? 1 : 5;
        Map<String, Measure> variants = new LinkedHashMap<>();
        variants.put("raw TCP stream, 1 MiB writes", () -> BulkThroughputBenchmark.raw(bytes, MIB));
        variants.put("p2p, LZ4 off, random", () -> BulkThroughputBenchmark.p2p(bytes, MIB, false, PerfClient.Data.RANDOM));
        variants.put("p2p, LZ4 on, random", () -> BulkThroughputBenchmark.p2p(bytes, MIB, true, PerfClient.Data.RANDOM));
        variants.put("p2p, LZ4 on, zeros", () -> BulkThroughputBenchmark.p2p(bytes, MIB, true, PerfClient.Data.ZEROS));
        variants.put("p2p secure, LZ4 off, random",
                () -> BulkThroughputBenchmark.p2p(bytes, MIB, false, PerfClient.Data.RANDOM, true));
        rounds("bulk", "Gbit/s", rounds, variants);
        Double iperf = iperf3(quick ? 1 : 5);
        if (iperf != null) {
            extra.put("iperf3_gbps", iperf);
            System.out.printf(Locale.ROOT, "iperf3 single stream: %.2f Gbit/s%n", iperf);
        }
    }

    private void sizes() throws Exception {
        long bytes = (quick ? 4L : 256L) * MIB;
        int rounds = quick ? 1 : 3;
        for (int size : new int[] {KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB}) {
            Map<String, Measure> variants = new LinkedHashMap<>();
            variants.put("raw TCP stream, " + size(size) + " writes", () -> BulkThroughputBenchmark.raw(bytes, size));
            variants.put("p2p, " + size(size) + " messages, LZ4 off",
                    () -> BulkThroughputBenchmark.p2p(bytes, size, false, PerfClient.Data.RANDOM));
            List<Map<String, Object>> rows = rounds("sizes", "Gbit/s", rounds, variants);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("size", size);
            point.put("raw_gbps", rows.get(0).get("value"));
            point.put("p2p_gbps", rows.get(1).get("value"));
            sizes.add(point);
        }
    }

    private void oneway() throws Exception {
        int messages = quick ? 50_000 : 2_000_000;
        int rounds = quick ? 1 : 5;
        Map<String, Measure> variants = new LinkedHashMap<>();
        variants.put("raw buffered stream, 270-byte records", () -> rawRecords(messages, 256 + 14));
        variants.put("p2p, 256-byte messages", () -> OneWayRateBenchmark.run(messages, FlushPolicy.COALESCE));
        variants.put("p2p secure, 256-byte messages",
                () -> OneWayRateBenchmark.run(messages, FlushPolicy.COALESCE, false, true));
        rounds("oneway", "msg/s", rounds, variants);
    }

    private void reqresp() throws Exception {
        int samples = quick ? 2_000 : 50_000;
        int warmup = quick ? 1_000 : 10_000;
        int rounds = quick ? 1 : 5;
        Message request = Message.of(RoundTripBenchmark.ECHO, new byte[256]);
        byte[] frame = RoundTripBenchmark.frameBytes(request);
        Map<String, Measure> variants = new LinkedHashMap<>();
        variants.put("raw blocking sockets, 270-byte echo",
                () -> RoundTripBenchmark.blockingSocket(frame, samples, warmup).rate());
        variants.put("netty raw, 270-byte echo", () -> RoundTripBenchmark.nettyRaw(frame, samples, warmup).rate());
        variants.put("p2p, 256-byte request/response",
                () -> RoundTripBenchmark.p2p(request, samples, warmup, FlushPolicy.COALESCE).rate());
        variants.put("p2p, 256-byte peer.request",
                () -> RoundTripBenchmark.p2pRequest(request, samples, warmup, false).rate());
        variants.put("p2p secure, 256-byte peer.request",
                () -> RoundTripBenchmark.p2pRequest(request, samples, warmup, true).rate());
        rounds("reqresp", "req/s", rounds, variants);
        // The latency of peer.request beside bare Netty's, from one more run of each.
        latency("reqresp", "netty raw, 270-byte echo", RoundTripBenchmark.nettyRaw(frame, samples, warmup).histogram);
        latency("reqresp", "p2p, 256-byte peer.request",
                RoundTripBenchmark.p2pRequest(request, samples, warmup, false).histogram);
        latency("reqresp", "p2p secure, 256-byte peer.request",
                RoundTripBenchmark.p2pRequest(request, samples, warmup, true).histogram);
    }

    /** Request-stream throughput against {@code Peer.send(Publisher)} of the same items, 1 KiB and 1 MiB. */
    private void rpc() throws Exception {
        int rounds = quick ? 1 : 5;
        for (int size : new int[] {KIB, MIB}) {
            long bytes = (quick ? 8L : size == KIB ? 256L : 1024L) * MIB;
            Map<String, Measure> variants = new LinkedHashMap<>();
            variants.put("p2p send(Publisher), " + size(size) + " items", () -> RpcStreamBenchmark.send(bytes, size, false));
            variants.put("p2p requestStream, " + size(size) + " items",
                    () -> RpcStreamBenchmark.requestStream(bytes, size, false));
            variants.put("p2p secure requestStream, " + size(size) + " items",
                    () -> RpcStreamBenchmark.requestStream(bytes, size, true));
            rounds("rpc", "Gbit/s", rounds, variants);
        }
    }

    private void rtt() throws Exception {
        int samples = quick ? 2_000 : 100_000;
        int warmup = quick ? 1_000 : 20_000;
        int rounds = quick ? 1 : 5;
        String[] names = {"raw blocking sockets", "netty raw", "p2p (coalesce)", "p2p (flush each)", "p2p secure (coalesce)"};
        Histogram[] total = new Histogram[names.length];
        for (int round = 0; round < rounds; round++) {
            Histogram[] h = {
                    RoundTripBenchmark.blockingSocket(RoundTripBenchmark.FRAME, samples, warmup).histogram,
                    RoundTripBenchmark.nettyRaw(RoundTripBenchmark.FRAME, samples, warmup).histogram,
                    RoundTripBenchmark.p2p(RoundTripBenchmark.ONE_BYTE, samples, warmup, FlushPolicy.COALESCE).histogram,
                    RoundTripBenchmark.p2p(RoundTripBenchmark.ONE_BYTE, samples, warmup, FlushPolicy.EACH_MESSAGE).histogram,
                    RoundTripBenchmark.p2p(RoundTripBenchmark.ONE_BYTE, samples, warmup, FlushPolicy.COALESCE, true)
                            .histogram};
            for (int v = 0; v < names.length; v++) {
                System.out.printf(Locale.ROOT, "round %d %-22s p50 %6.1f µs  p99 %6.1f µs%n", round + 1, names[v],
                        h[v].getValueAtPercentile(50) / 1e3, h[v].getValueAtPercentile(99) / 1e3);
                if (total[v] == null) {
                    total[v] = h[v];
                } else {
                    total[v].add(h[v]);
                }
            }
        }
        for (int v = 0; v < names.length; v++) {
            latency("rtt", names[v], total[v]);
            for (double p : new double[] {50, 99, 99.9}) {
                result("rtt", names[v] + ", p" + pct(p), "µs", total[v].getValueAtPercentile(p) / 1e3,
                        v == 0 ? null : names[0] + ", p" + pct(p), v == 0 ? null
                                : (double) total[v].getValueAtPercentile(p) / total[0].getValueAtPercentile(p),
                        List.of());
            }
        }
    }

    private void setup() throws Exception {
        // Enough handshakes per round for the JIT to settle: with 1,000 per round the secure
        // channel's rate was still climbing in the third round (1,080/s; 2,400/s by the sixth
        // round of 5,000), the crypto and the pipeline code compiling as they ran.
        int handshakes = quick ? 200 : 5_000;
        int dials = quick ? 50 : 1_000;
        int rounds = quick ? 1 : 5;
        int concurrency = 16;
        Map<String, Measure> rates = new LinkedHashMap<>();
        rates.put("raw TCP connect + first bytes", () -> connectRate(false, handshakes, concurrency));
        rates.put("p2p handshakes accepted", () -> connectRate(true, handshakes, concurrency));
        rates.put("p2p secure handshakes accepted (XX)", () -> connectRate(true, handshakes, concurrency, true));
        rounds("setup", "conn/s", rounds, rates);

        Histogram rawDial = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        Histogram p2pDial = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        Histogram secureDial = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int round = 0; round < rounds; round++) {
            rawDial.add(rawDialToFirst(dials));
            p2pDial.add(p2pDialToFirst(dials, false));
            secureDial.add(p2pDialToFirst(dials, true));
        }
        latency("setup", "raw connect to first bytes read", rawDial);
        latency("setup", "p2p dial to first message delivered", p2pDial);
        latency("setup", "p2p secure (IK) dial to first message delivered", secureDial);
        for (double p : new double[] {50, 99}) {
            double raw = rawDial.getValueAtPercentile(p) / 1e3;
            double p2p = p2pDial.getValueAtPercentile(p) / 1e3;
            double secure = secureDial.getValueAtPercentile(p) / 1e3;
            result("setup", "raw connect to first bytes, p" + pct(p), "µs", raw, null, null, List.of());
            result("setup", "p2p dial to first message, p" + pct(p), "µs", p2p,
                    "raw connect to first bytes, p" + pct(p), p2p / raw, List.of());
            result("setup", "p2p secure (IK) dial to first message, p" + pct(p), "µs", secure,
                    "p2p dial to first message, p" + pct(p), secure / p2p, List.of());
        }
    }

    private void idle() throws Exception {
        int peers = quick ? 100 : 2_000;
        long raw = idleHeapPerConnection("raw", peers);
        long p2p = idleHeapPerConnection("p2p", peers);
        long secure = idleHeapPerConnection("p2p-secure", peers);
        result("idle", "Reactor Netty connection, no protocol", "B/conn", (double) raw, null, null, List.of());
        result("idle", "p2p admitted idle peer", "B/conn", (double) p2p, "Reactor Netty connection, no protocol",
                (double) p2p / raw, List.of());
        result("idle", "p2p secure admitted idle peer", "B/conn", (double) secure, "p2p admitted idle peer",
                (double) secure / p2p, List.of());
        System.out.printf(Locale.ROOT, "secure channel: %+,d B per idle peer over plaintext%n", secure - p2p);
    }

    // ---- measurements ----

    @FunctionalInterface
    interface Measure {
        double run() throws Exception;
    }

    /** Runs the variants in turns, one warm-up round first, and records the medians; the first variant is the baseline. */
    private List<Map<String, Object>> rounds(String section, String unit, int rounds, Map<String, Measure> variants)
            throws Exception {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (Map.Entry<String, Measure> v : variants.entrySet()) {
                double value = v.getValue().run();
                if (round > 0) {
                    values.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(value);
                    System.out.printf(Locale.ROOT, "round %d %-40s %14s %s%n", round, v.getKey(), fmt(value), unit);
                }
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        String baseline = null;
        double base = 0;
        for (Map.Entry<String, List<Double>> e : values.entrySet()) {
            double median = BulkThroughputBenchmark.median(e.getValue());
            if (baseline == null) {
                baseline = e.getKey();
                base = median;
                rows.add(result(section, e.getKey(), unit, median, null, null, e.getValue()));
            } else {
                rows.add(result(section, e.getKey(), unit, median, baseline, median / base, e.getValue()));
            }
        }
        return rows;
    }

    private Map<String, Object> result(String section, String variant, String unit, double value, String baseline,
                                       Double ratio, List<Double> rounds) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("section", section);
        r.put("variant", variant);
        r.put("unit", unit);
        r.put("value", value);
        r.put("baseline", baseline);
        r.put("ratio", ratio);
        r.put("rounds", rounds);
        results.add(r);
        return r;
    }

    private void latency(String section, String variant, Histogram h) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("section", section);
        l.put("variant", variant);
        l.put("count", h.getTotalCount());
        Map<String, Object> p = new LinkedHashMap<>();
        for (double q : new double[] {50, 90, 99, 99.9, 99.99}) {
            p.put(pct(q), h.getValueAtPercentile(q) / 1e3);
        }
        p.put("max", h.getMaxValue() / 1e3);
        l.put("percentiles_us", p);
        latencies.add(l);
    }

    /** Messages per second of {@code record}-byte records written through a 64 KiB buffered stream and read back whole. */
    static double rawRecords(int messages, int record) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> done = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * KIB));
                    byte[] buf = new byte[record];
                    for (int i = 0; i < messages; i++) {
                        in.readFully(buf);
                    }
                    return System.nanoTime();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] data = new byte[record];
            long start;
            try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * KIB);
                start = System.nanoTime();
                for (int i = 0; i < messages; i++) {
                    out.write(data);
                }
                out.flush();
                long end = done.get(5, TimeUnit.MINUTES);
                return messages / ((end - start) / 1e9);
            }
        }
    }

    /**
     * Connections per second with {@code concurrency} dials in flight. {@code p2p}: raw peers
     * handshake with a node on one event loop, each counted once the node admits it; else:
     * TCP connections to a bare server on one event loop that writes 14 bytes at once, counted
     * once the client reads them. Each connection closes as soon as it counts.
     */
    static double connectRate(boolean p2p, int total, int concurrency) throws Exception {
        return connectRate(p2p, total, concurrency, false);
    }

    /** {@code secure}: raw peers and the node speak the secure channel (Noise XX, protocol v2). */
    static double connectRate(boolean p2p, int total, int concurrency, boolean secure) throws Exception {
        LoopResources clientLoops = LoopResources.create("dialer", 1, 1, true);
        LoopResources serverLoops = LoopResources.create("acceptor", 1, 1, true);
        P2pNode node = null;
        DisposableServer raw = null;
        try {
            InetSocketAddress address;
            if (p2p) {
                node = P2pNode.create(NodeConfig.builder().plaintext(!secure).listenHost("127.0.0.1").eventLoopThreads(1)
                        .outboundTarget(0).maxPeers(10_000).maxInbound(10_000).build());
                node.start().block();
                address = node.address();
            } else {
                raw = TcpServer.create().runOn(serverLoops).host("127.0.0.1").port(0)
                        .handle((in, out) -> out.sendObject(Unpooled.wrappedBuffer(new byte[14])).then(in.receive().then()))
                        .bindNow();
                address = (InetSocketAddress) raw.address();
            }
            Supplier<CompletableFuture<Connection>> dial = p2p
                    ? () -> RawPeer.connect(clientLoops, address, secure)
                    : () -> rawConnect(clientLoops, address);
            AtomicInteger started = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(total);
            long start = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                chain(dial, started, failed, total, done);
            }
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("connections did not finish: " + done.getCount() + " left");
            }
            long elapsed = System.nanoTime() - start;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " of " + total + " connections failed");
            }
            return total / (elapsed / 1e9);
        } finally {
            if (node != null) {
                node.close();
            }
            if (raw != null) {
                raw.disposeNow();
            }
            clientLoops.disposeLater().block();
            serverLoops.disposeLater().block();
        }
    }

    private static void chain(Supplier<CompletableFuture<Connection>> dial, AtomicInteger started, AtomicInteger failed,
                              int total, CountDownLatch done) {
        if (started.incrementAndGet() > total) {
            return;
        }
        dial.get().whenComplete((c, e) -> {
            if (e != null) {
                failed.incrementAndGet();
            } else {
                c.dispose();
            }
            done.countDown();
            chain(dial, started, failed, total, done);
        });
    }

    private static CompletableFuture<Connection> rawConnect(LoopResources loops, InetSocketAddress address) {
        CompletableFuture<Connection> first = new CompletableFuture<>();
        TcpClient.newConnection().runOn(loops).remoteAddress(() -> address)
                .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .connect()
                .subscribe(c -> c.inbound().receive().next().subscribe(b -> first.complete(c), first::completeExceptionally,
                        () -> first.completeExceptionally(new IllegalStateException("closed"))),
                        first::completeExceptionally);
        return first;
    }

    /** Connect, write one 15-byte frame, until the server has read it; sequential. */
    static Histogram rawDialToFirst(int dials) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicLong dialedAt = new AtomicLong();
        SynchronousQueue<Long> arrived = new SynchronousQueue<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                byte[] buf = new byte[RoundTripBenchmark.FRAME.length];
                for (int i = 0; i < dials; i++) {
                    try (Socket s = server.accept()) {
                        new DataInputStream(s.getInputStream()).readFully(buf);
                        arrived.put(System.nanoTime() - dialedAt.get());
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "raw-acceptor");
            acceptor.start();
            for (int i = 0; i < dials; i++) {
                dialedAt.set(System.nanoTime());
                try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
                    s.setTcpNoDelay(true);
                    s.getOutputStream().write(RoundTripBenchmark.FRAME);
                    h.recordValue(arrived.take());
                }
            }
            acceptor.join();
        }
        return h;
    }

    /**
     * Node to node: from {@code connect()} until the server's application receives the first
     * message; sequential. {@code secure}: over the secure channel, dialled with IK (the
     * server's id known, as from PEERS or the address book).
     */
    static Histogram p2pDialToFirst(int dials, boolean secure) throws Exception {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        NodeConfig.Builder cfg = NodeConfig.builder().plaintext(!secure).listenHost("127.0.0.1").eventLoopThreads(1).outboundTarget(0)
                .directTypes(FIRST);
        AtomicLong dialedAt = new AtomicLong();
        BlockingQueue<Long> arrived = new LinkedBlockingQueue<>();
        Message first = Message.of(FIRST, new byte[1]);
        try (P2pNode server = P2pNode.create(cfg.build());
             P2pNode client = P2pNode.create(cfg.build())) {
            server.messages(FIRST).subscribe(m -> {
                arrived.add(System.nanoTime() - dialedAt.get());
            });
            server.start().block();
            client.start().block();
            for (int i = 0; i < dials; i++) {
                dialedAt.set(System.nanoTime());
                Peer peer = (secure ? client.connect(server.address(), server.id()) : client.connect(server.address()))
                        .block(Duration.ofSeconds(10));
                peer.offer(first);
                Long latency = arrived.poll(10, TimeUnit.SECONDS);
                if (latency == null) {
                    throw new IllegalStateException("first message not delivered");
                }
                h.recordValue(latency);
                peer.disconnect(DisconnectReason.REQUESTED, "next dial").block(Duration.ofSeconds(10));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!server.peers().isEmpty() || !client.peers().isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("peers did not leave");
                    }
                    LockSupport.parkNanos(50_000);
                }
            }
        }
        return h;
    }

    /** Heap per connection of an {@link IdlePeerServer} in a JVM of its own, holding {@code peers} idle connections. */
    static long idleHeapPerConnection(String mode, int peers) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", // Netty's epoll, lz4-java: no warning on JDK 24+
                "-Dio.netty.leakDetection.level=disabled", "-cp", System.getProperty("java.class.path"),
                IdlePeerServer.class.getName(), mode);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = pb.start();
        LoopResources loops = LoopResources.create("idle-clients", 1, 1, true);
        List<Connection> connections = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            int port = Integer.parseInt(expect(out, "port")[1]);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            in.println("heap");
            long before = Long.parseLong(expect(out, "heap")[1]);
            for (int i = 0; i < peers; i += 50) {
                List<CompletableFuture<Connection>> batch = new ArrayList<>();
                for (int j = i; j < Math.min(peers, i + 50); j++) {
                    batch.add(mode.startsWith("p2p") ? RawPeer.connect(loops, address, mode.equals("p2p-secure"))
                            : rawConnected(loops, address));
                }
                for (CompletableFuture<Connection> f : batch) {
                    connections.add(f.get(30, TimeUnit.SECONDS));
                }
            }
            String[] after;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            do {
                in.println("heap");
                after = expect(out, "heap");
            } while (Integer.parseInt(after[3]) < peers && System.nanoTime() < deadline);
            if (Integer.parseInt(after[3]) != peers) {
                throw new IllegalStateException(mode + " server holds " + after[3] + " of " + peers + " connections");
            }
            // The baseline again once the connections are gone: the lower of the two, as the heap
            // of a node just started may still hold some hundreds of KB of start-up state.
            connections.forEach(Connection::dispose);
            connections.clear();
            String[] end;
            do {
                in.println("heap");
                end = expect(out, "heap");
            } while (Integer.parseInt(end[3]) > 0 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(30));
            long baseline = Math.min(before, Long.parseLong(end[1]));
            long perConnection = (Long.parseLong(after[1]) - baseline) / peers;
            System.out.printf(Locale.ROOT, "%s: heap %,d B before, %,d B with %d idle connections, %,d B after: %,d B each%n",
                    mode, before, Long.parseLong(after[1]), peers, Long.parseLong(end[1]), perConnection);
            in.println("exit");
            return perConnection;
        } finally {
            connections.forEach(Connection::dispose);
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            loops.disposeLater().block();
        }
    }

    private static CompletableFuture<Connection> rawConnected(LoopResources loops, InetSocketAddress address) {
        return TcpClient.newConnection().runOn(loops).remoteAddress(() -> address).connect().map(c -> (Connection) c).toFuture();
    }

    static String[] expect(BufferedReader out, String key) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(key + " ")) {
                return line.split(" ");
            }
        }
        throw new IllegalStateException("child exited before printing '" + key + "'");
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** iperf3's single-stream loopback throughput in Gbit/s, or null when iperf3 is not installed. */
    static Double iperf3(int seconds) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process server;
        try {
            server = new ProcessBuilder("iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).start();
        } catch (IOException notInstalled) {
            System.out.println("iperf3 not installed: skipped (apt-get install iperf3)");
            return null;
        }
        try {
            java.util.regex.Pattern received = java.util.regex.Pattern.compile(
                    "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)");
            java.util.regex.Matcher m = null;
            String out = "";
            // iperf3 reports a refused connection (its server still starting) as JSON, sometimes with exit code 0.
            for (int attempt = 0; attempt < 50 && m == null; attempt++) {
                Process client = new ProcessBuilder("iperf3", "-c", "127.0.0.1", "-p", String.valueOf(port), "-t",
                        String.valueOf(seconds), "-J").redirectErrorStream(true).start();
                out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                java.util.regex.Matcher found = received.matcher(out);
                if (client.waitFor() == 0 && found.find()) {
                    m = found;
                } else {
                    Thread.sleep(100);
                }
            }
            if (m == null) {
                System.out.println("iperf3 gave no result: " + out.replaceAll("\\s+", " "));
                return null;
            }
            return Double.parseDouble(m.group(1)) / 1e9;
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    // ---- reporting ----

    static Map<String, Object> machine() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("netty_native_epoll", LoopResources.hasNativeSupport());
        return m;
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        return System.getProperty("os.arch");
    }

    static String loadavg() throws IOException {
        Path p = Path.of("/proc/loadavg");
        return Files.isReadable(p) ? Files.readString(p).trim() : "n/a";
    }

    private static String pct(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }

    private static String size(int bytes) {
        return bytes >= MIB ? (bytes / MIB) + " MiB" : (bytes / KIB) + " KiB";
    }

    private static String fmt(double v) {
        return v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
