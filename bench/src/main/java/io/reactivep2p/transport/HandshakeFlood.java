package io.reactivep2p.transport;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.protocol.FrameSettings;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a flood of secure-channel first messages costs a node: connections from loopback
 * source addresses, each sending the preamble and an XX message 1 (32 random bytes, a valid
 * X25519 public key to the listener, which then makes a key pair and two agreements), reading
 * whether the node answers with message 2 or closes, and closing. The node (one event loop,
 * {@code limitLoopback} on, so its per-address limits apply to 127.x sources, defaults
 * otherwise) is measured by its event loop's CPU time ({@link ThreadMXBean}), not the
 * flooders'.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.reactivep2p.transport.HandshakeFlood [--seconds 10] [--json F]
 * </pre>
 *
 * <p>Scenarios, each for {@code --seconds}: 1,000 first messages a second from one address,
 * then 1,000 a second spread over 100 addresses (10 each, under the connection rate of 10 a
 * second per address). Reports per scenario: attempts, answered (message 2 came back),
 * closed (refused before any handshake work), the node loop's CPU in cores and per answered
 * handshake.
 */
public final class HandshakeFlood {

    private HandshakeFlood() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (P2pNode node = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").limitLoopback(true)
                .eventLoopThreads(1).outboundTarget(0).build())) {
            node.start().block();
            // Warm-up: the X25519 and handshake code compiled before anything is measured.
            flood(node.address(), 100, 300, 5, null);
            rows.add(flood(node.address(), 1, 1_000, seconds, "1,000/s from one address"));
            rows.add(flood(node.address(), 100, 1_000, seconds, "1,000/s from 100 addresses"));
        }
        if (json != null) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("benchmark", "handshake-flood");
            report.put("machine", NetworkHarness.machine());
            report.put("scenarios", rows);
            Files.writeString(json, Json.write(report));
            System.out.println("report written to " + json);
        }
    }

    /** {@code rate} first messages a second for {@code seconds}, from {@code sources} addresses in turn. */
    static Map<String, Object> flood(InetSocketAddress node, int sources, int rate, int seconds, String name)
            throws Exception {
        AtomicLong answered = new AtomicLong();
        AtomicLong closed = new AtomicLong();
        AtomicLong attempts = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        long loopCpuBefore = nodeLoopCpuNanos();
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            LockSupport.parkNanos(start + i * 1_000_000_000L / rate - System.nanoTime());
            InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, (byte) (1 + (i % sources) / 250),
                    (byte) (10 + (i % sources) % 250)});
            attempts.incrementAndGet();
            pool.execute(() -> {
                if (firstMessage(node, source)) {
                    answered.incrementAndGet();
                } else {
                    closed.incrementAndGet();
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (nodeLoopCpuNanos() - loopCpuBefore) / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("scenario", name);
        row.put("seconds", elapsed);
        row.put("attempts", attempts.get());
        row.put("answered", answered.get());
        row.put("closed", closed.get());
        row.put("node_loop_cores", cpu / elapsed);
        row.put("node_loop_us_per_answered", answered.get() == 0 ? null : cpu * 1e6 / answered.get());
        if (name != null) {
            System.out.printf(Locale.ROOT, "%-28s %6d attempts in %.1f s: %6d answered, %6d closed; node loop %.2f cores"
                            + " (%.0f µs per answered handshake)%n", name, attempts.get(), elapsed, answered.get(),
                    closed.get(), cpu / elapsed, answered.get() == 0 ? 0.0 : cpu * 1e6 / answered.get());
        }
        return row;
    }

    /** Sends a preamble and an XX message 1 from {@code source}; true if message 2 came back. */
    private static boolean firstMessage(InetSocketAddress node, InetAddress source) {
        byte[] ephemeral = new byte[32];
        ThreadLocalRandom.current().nextBytes(ephemeral);
        byte[] first = ByteBuffer.allocate(SecureChannelHandler.PREAMBLE_LENGTH + 2 + 32)
                .putInt(FrameSettings.DEFAULT_MAGIC).put((byte) SecureChannelHandler.MODE_XX).putShort((short) 32)
                .put(ephemeral).array();
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(node, 2_000);
            s.setSoTimeout(2_000);
            s.getOutputStream().write(first);
            DataInputStream in = new DataInputStream(s.getInputStream());
            return in.readUnsignedShort() > 0; // message 2's length prefix
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return false; // closed: refused before the handshake
        }
    }

    /** CPU time of the node's event-loop threads (named {@code p2p-<id>-...}). */
    private static long nodeLoopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("p2p-")) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    sum += cpu;
                }
            }
        }
        return sum;
    }
}
