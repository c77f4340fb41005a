package io.reactivep2p.transport;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Write coalescing under many concurrent small producers over a long round trip, after the
 * go-yamux write-coalescing study: 1,000 producers on one connection, each sending a 4 KiB
 * message every 100 ms (at a random phase), through a {@link DelayProxy} that adds 50 ms each
 * way (100 ms round trip). Offered load: 10,000 messages/s, 41 MB/s.
 *
 * <p>Variants, in turns: a flush per message ({@link FlushPolicy#EACH_MESSAGE}); the default
 * coalescing (a flush per drain); coalescing with a flush delay of 1, 2 and 5 ms
 * ({@link NodeConfig.Builder#flushDelay}), with the default 64 KiB write-buffer high-water mark
 * and with 256 KiB ({@link NodeConfig.Builder#writeBufferHighWaterMark}), which bounds what one
 * flush carries. For each: messages and bytes delivered per second,
 * write system calls per second made by the sending node's event-loop thread ({@code write},
 * {@code writev}, {@code sendto}, {@code sendmsg}, counted by the kernel's tracepoints with
 * {@code perf stat -t}; Debian package {@code linux-perf}; without it the column is empty —
 * the {@code syscw} counter of {@code /proc} would miss {@code sendto}, which Netty's epoll
 * transport uses for a single buffer), p50/p99/p99.9
 * of the delivery latency (send to receiving application, including the 50 ms of the proxy),
 * the peak of the sender's outbound queue, and the messages refused (queue full).
 */
final class CoalescingStudy {

    static final MessageType STREAM = MessageType.of(0x83, "STREAM");
    static final int PRODUCERS = 1_000;
    static final int MESSAGE = 4 * 1024;
    static final long PERIOD_MILLIS = 100;
    static final long ONE_WAY_DELAY_MILLIS = 50;

    private final boolean quick;

    CoalescingStudy(boolean quick) {
        this.quick = quick;
    }

    record Variant(String name, FlushPolicy policy, Duration flushDelay, int highWaterMark) {
        Variant(String name, FlushPolicy policy, Duration flushDelay) {
            this(name, policy, flushDelay, 64 * 1024);
        }
    }

    Map<String, Object> run() throws Exception {
        List<Variant> variants = List.of(
                new Variant("flush per message", FlushPolicy.EACH_MESSAGE, Duration.ZERO),
                new Variant("coalesce (flush per drain)", FlushPolicy.COALESCE, Duration.ZERO),
                new Variant("flushDelay 1 ms", FlushPolicy.COALESCE, Duration.ofMillis(1)),
                new Variant("flushDelay 2 ms", FlushPolicy.COALESCE, Duration.ofMillis(2)),
                new Variant("flushDelay 5 ms", FlushPolicy.COALESCE, Duration.ofMillis(5)),
                new Variant("flushDelay 2 ms, mark 256 KiB", FlushPolicy.COALESCE, Duration.ofMillis(2), 256 * 1024),
                new Variant("flushDelay 5 ms, mark 256 KiB", FlushPolicy.COALESCE, Duration.ofMillis(5), 256 * 1024));
        int rounds = quick ? 1 : 2;
        Duration warmup = Duration.ofSeconds(quick ? 1 : 3);
        Duration measure = Duration.ofSeconds(quick ? 2 : 10);
        Map<String, List<Map<String, Object>>> byVariant = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Variant v : variants) {
                Map<String, Object> r = runOne(v, warmup, measure);
                System.out.printf(Locale.ROOT, "round %d %-28s %,8.0f msg/s %8s writes/s  p50 %6.2f ms  p99 %6.2f ms"
                                + "  peak queue %,d B  refused %d%n", round, v.name(), r.get("messages_per_s"),
                        r.get("writes_per_s") == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", (Double) r.get("writes_per_s")),
                        r.get("p50_ms"), r.get("p99_ms"), r.get("peak_queue_bytes"), r.get("refused"));
                byVariant.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(r);
            }
        }
        // Reported per variant: the round with the median delivery p99 (of two rounds, the lower).
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> base = null;
        for (Map.Entry<String, List<Map<String, Object>>> e : byVariant.entrySet()) {
            List<Map<String, Object>> runs = new ArrayList<>(e.getValue());
            runs.sort((a, b) -> Double.compare((Double) a.get("p99_ms"), (Double) b.get("p99_ms")));
            Map<String, Object> r = new LinkedHashMap<>(runs.get((runs.size() - 1) / 2));
            r.put("variant", e.getKey());
            r.put("rounds", e.getValue());
            if (base == null) {
                base = r;
            }
            Double writes = (Double) r.get("writes_per_s");
            Double baseWrites = (Double) base.get("writes_per_s");
            r.put("fewer_writes_x", writes == null || baseWrites == null ? null : baseWrites / writes);
            r.put("p99_vs_flush_per_message", (Double) r.get("p99_ms") / (Double) base.get("p99_ms"));
            rows.add(r);
        }
        System.out.printf(Locale.ROOT, "%n%-28s %10s %10s %9s %9s %9s %9s %12s%n", "variant", "msg/s", "writes/s",
                "fewer", "p50 ms", "p99 ms", "p99.9 ms", "peak queue");
        for (Map<String, Object> r : rows) {
            System.out.printf(Locale.ROOT, "%-28s %,10.0f %10s %9s %9.2f %9.2f %9.2f %,12d%n", r.get("variant"),
                    r.get("messages_per_s"), r.get("writes_per_s") == null ? "n/a"
                            : String.format(Locale.ROOT, "%,.0f", (Double) r.get("writes_per_s")),
                    r.get("fewer_writes_x") == null ? "n/a"
                            : String.format(Locale.ROOT, "%.1fx", (Double) r.get("fewer_writes_x")),
                    r.get("p50_ms"), r.get("p99_ms"), r.get("p99_9_ms"), r.get("peak_queue_bytes"));
        }
        Map<String, Object> study = new LinkedHashMap<>();
        study.put("producers", PRODUCERS);
        study.put("message_bytes", MESSAGE);
        study.put("period_ms", PERIOD_MILLIS);
        study.put("round_trip_ms", 2 * ONE_WAY_DELAY_MILLIS);
        study.put("measure_s", measure.toSeconds());
        study.put("variants", rows);
        return study;
    }

    private Map<String, Object> runOne(Variant v, Duration warmup, Duration measure) throws Exception {
        NodeConfig.Builder cfg = NodeConfig.builder().plaintext(true).listenHost("127.0.0.1").eventLoopThreads(1).outboundTarget(0)
                .directTypes(STREAM).flushPolicy(v.policy()).flushDelay(v.flushDelay())
                .writeBufferHighWaterMark(v.highWaterMark());
        Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicLong delivered = new AtomicLong();
        ScheduledThreadPoolExecutor producers = new ScheduledThreadPoolExecutor(2);
        Process proxy = null;
        try (P2pNode receiver = P2pNode.create(cfg.build());
             P2pNode sender = P2pNode.create(cfg.build())) {
            receiver.messages(STREAM).subscribe(m -> {
                latency.recordValue(Math.max(0, System.nanoTime() - m.message().payload().getLong(0)));
                delivered.incrementAndGet();
            });
            receiver.start().block();
            sender.start().block();
            proxy = new ProcessBuilder(NetworkHarness.javaBin(), "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    DelayProxy.class.getName(), String.valueOf(receiver.address().getPort()),
                    String.valueOf(ONE_WAY_DELAY_MILLIS)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader proxyOut = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
            int proxyPort = Integer.parseInt(NetworkHarness.expect(proxyOut, "port")[1]);
            Peer peer = sender.connect("127.0.0.1:" + proxyPort).block(Duration.ofSeconds(10));
            List<String> loopThreads = threadIds("p2p-" + sender.id().shortHex());
            AtomicLong refused = new AtomicLong();
            AtomicLong peakQueue = new AtomicLong();
            List<ScheduledFuture<?>> tasks = new ArrayList<>();
            for (int i = 0; i < PRODUCERS; i++) {
                byte[] filler = new byte[MESSAGE];
                ThreadLocalRandom.current().nextBytes(filler);
                tasks.add(producers.scheduleAtFixedRate(() -> {
                    byte[] payload = filler.clone();
                    writeLong(payload, System.nanoTime());
                    if (!peer.offer(Message.wrap(STREAM, payload))) {
                        refused.incrementAndGet();
                    }
                    peakQueue.accumulateAndGet(peer.outboundQueue().bytes(), Math::max);
                }, ThreadLocalRandom.current().nextLong(PERIOD_MILLIS * 1000), PERIOD_MILLIS * 1000, TimeUnit.MICROSECONDS));
            }
            Thread.sleep(warmup.toMillis()); // the load runs; nothing to wait for
            latency.reset();
            peakQueue.set(0);
            long refusedBefore = refused.get();
            long deliveredBefore = delivered.get();
            Process perf = perfStat(loopThreads, measure);
            long start = System.nanoTime();
            Thread.sleep(measure.toMillis());
            long elapsed = System.nanoTime() - start;
            Long writes = perfCount(perf);
            long messages = delivered.get() - deliveredBefore;
            Histogram h = latency.getIntervalHistogram();
            tasks.forEach(t -> t.cancel(false));
            double seconds = elapsed / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("messages_per_s", messages / seconds);
            r.put("mbit_per_s", messages * (MESSAGE + 14.0) * 8 / seconds / 1e6);
            r.put("writes_per_s", writes == null ? null : writes / seconds);
            r.put("messages_per_write", writes == null || writes == 0 ? null : (double) messages / writes);
            r.put("p50_ms", h.getValueAtPercentile(50) / 1e6);
            r.put("p99_ms", h.getValueAtPercentile(99) / 1e6);
            r.put("p99_9_ms", h.getValueAtPercentile(99.9) / 1e6);
            r.put("max_ms", h.getMaxValue() / 1e6);
            r.put("peak_queue_bytes", peakQueue.get());
            r.put("refused", refused.get() - refusedBefore);
            return r;
        } finally {
            producers.shutdownNow();
            producers.awaitTermination(10, TimeUnit.SECONDS);
            if (proxy != null) {
                proxy.getOutputStream().close();
                if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                    proxy.destroyForcibly();
                }
            }
        }
    }

    static final String WRITE_SYSCALLS = "syscalls:sys_enter_write,syscalls:sys_enter_writev,"
            + "syscalls:sys_enter_sendto,syscalls:sys_enter_sendmsg";

    /** The ids of this process's threads whose name starts with {@code prefix} (Linux keeps 15 characters of a name). */
    static List<String> threadIds(String prefix) throws IOException {
        String comm = prefix.length() > 15 ? prefix.substring(0, 15) : prefix;
        List<String> ids = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).startsWith(comm)) {
                        ids.add(task.getFileName().toString());
                    }
                } catch (IOException threadEnded) {
                    // gone while listed: not an event loop of a running node
                }
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalStateException("no thread named " + comm + "* in /proc/self/task");
        }
        return ids;
    }

    /** Starts {@code perf stat} counting the write system calls of {@code threads} for {@code d}; null without perf. */
    static Process perfStat(List<String> threads, Duration d) {
        try {
            return new ProcessBuilder("perf", "stat", "-x", ",", "-e", WRITE_SYSCALLS, "-t", String.join(",", threads),
                    "--", "sleep", String.valueOf(d.toMillis() / 1000.0)).redirectErrorStream(true).start();
        } catch (IOException noPerf) {
            System.out.println("perf not installed (apt-get install linux-perf): write system calls not counted");
            return null;
        }
    }

    /** The sum of the counts {@code perf stat -x,} printed; null when perf is missing or could not count. */
    static Long perfCount(Process perf) throws Exception {
        if (perf == null) {
            return null;
        }
        String out = new String(perf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        perf.waitFor();
        long total = 0;
        int events = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split(",");
            if (f.length > 2 && f[2].startsWith("syscalls:") && f[0].matches("\\d+")) {
                total += Long.parseLong(f[0]);
                events++;
            }
        }
        if (events != 4) {
            System.out.println("perf stat could not count the write system calls: " + out.trim());
            return null;
        }
        return total;
    }

    private static void writeLong(byte[] b, long v) {
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
