package io.reactivep2p.transport;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.perf.Perf;
import io.reactivep2p.perf.PerfClient;
import io.reactivep2p.perf.PerfResult;
import io.reactivep2p.perf.PerfServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Bulk throughput over loopback against the physical limit, side by side in one run: a raw TCP
 * stream (blocking NIO, 1 MiB writes, no protocol) and this toolkit's perf upload in 1 MiB
 * messages between two {@link P2pNode}s, with LZ4 off and on, on random and on zero data.
 * The variants take turns, round after round, so the machine's noise falls on all of them;
 * each result is the median of the rounds, printed with its ratio to the raw stream.
 *
 * <p>Run:
 * <pre>
 * java -Dio.netty.leakDetection.level=disabled -cp bench/target/benchmarks.jar \
 *     io.reactivep2p.transport.BulkThroughputBenchmark [MiB per round] [rounds]
 * </pre>
 * (defaults 1024 and 5; one warm-up round of every variant first, not reported).
 */
public final class BulkThroughputBenchmark {

    private static final int CHUNK = 1 << 20;

    private BulkThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 1024) << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Map<String, List<Double>> results = new LinkedHashMap<>();
        String[] variants = {"raw TCP stream", "p2p, LZ4 off, random", "p2p, LZ4 on, random", "p2p, LZ4 on, zeros"};
        System.out.printf(Locale.ROOT, "bulk upload over loopback, %d MiB per round, %d rounds (+1 warm-up)%n",
                bytes >> 20, rounds);
        for (int round = 0; round <= rounds; round++) {
            for (String variant : variants) {
                double gbps = switch (variant) {
                    case "raw TCP stream" -> raw(bytes);
                    case "p2p, LZ4 off, random" -> p2p(bytes, false, PerfClient.Data.RANDOM);
                    case "p2p, LZ4 on, random" -> p2p(bytes, true, PerfClient.Data.RANDOM);
                    default -> p2p(bytes, true, PerfClient.Data.ZEROS);
                };
                if (round > 0) {
                    results.computeIfAbsent(variant, v -> new ArrayList<>()).add(gbps);
                    System.out.printf(Locale.ROOT, "round %d %-22s %6.2f Gbit/s%n", round, variant, gbps);
                }
            }
        }
        double raw = median(results.get(variants[0]));
        System.out.printf(Locale.ROOT, "%n%-22s %14s %10s%n", "variant", "median Gbit/s", "/ raw");
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            double m = median(e.getValue());
            System.out.printf(Locale.ROOT, "%-22s %14.2f %9.2fx%n", e.getKey(), m, m / raw);
        }
    }

    /** A blocking NIO stream: the client writes {@code bytes} in 1 MiB writes; timed until the server has read them all. */
    static double raw(long bytes) throws Exception {
        return raw(bytes, CHUNK);
    }

    /** A blocking NIO stream of {@code bytes} in writes of {@code chunk} bytes; Gbit/s. */
    static double raw(long bytes, int chunk) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel s = server.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(chunk, CHUNK));
                    long total = 0;
                    for (int n; (n = s.read(buf)) >= 0; buf.clear()) {
                        total += n;
                    }
                    return total;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteBuffer data = ByteBuffer.allocateDirect(chunk);
            long start;
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                client.socket().setTcpNoDelay(true);
                start = System.nanoTime();
                for (long sent = 0; sent < bytes; ) {
                    data.clear().limit((int) Math.min(chunk, bytes - sent));
                    while (data.hasRemaining()) {
                        sent += client.write(data);
                    }
                }
            }
            long total = read.get();
            long elapsed = System.nanoTime() - start;
            if (total != bytes) {
                throw new IllegalStateException("read " + total + " of " + bytes);
            }
            return bytes * 8.0 / elapsed;
        }
    }

    /** A perf upload of {@code bytes} in 1 MiB messages between two nodes, one event loop each. */
    static double p2p(long bytes, boolean lz4, PerfClient.Data data) {
        return p2p(bytes, CHUNK, lz4, data);
    }

    /** A perf upload of {@code bytes} in messages of {@code chunk} bytes; Gbit/s. */
    static double p2p(long bytes, int chunk, boolean lz4, PerfClient.Data data) {
        return p2p(bytes, chunk, lz4, data, false);
    }

    /** {@code secure}: over the secure channel (protocol v2), else plaintext (v1). */
    static double p2p(long bytes, int chunk, boolean lz4, PerfClient.Data data, boolean secure) {
        NodeConfig.Builder cfg = Perf.configure(NodeConfig.builder().plaintext(!secure)).listenHost("127.0.0.1").eventLoopThreads(1)
                .outboundTarget(0).lz4(lz4);
        try (P2pNode server = P2pNode.create(cfg.build());
             P2pNode client = P2pNode.create(cfg.build())) {
            server.start().block();
            client.start().block();
            PerfServer.attach(server, bytes);
            Peer peer = client.connect(server.address()).block(Duration.ofSeconds(10));
            PerfResult r = PerfClient.run(client, peer, bytes, 0, chunk, data).block(Duration.ofMinutes(10));
            return r.uploadBitsPerSecond() / 1e9;
        }
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
