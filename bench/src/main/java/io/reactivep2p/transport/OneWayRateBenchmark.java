package io.reactivep2p.transport;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One-way rate of 256-byte messages on one connection between two {@link P2pNode}s, with the
 * outbound queue's coalescing flush against a flush per message, side by side in one run. A
 * producer thread offers messages to the peer (parking 10 µs while its outbound queue is full);
 * the receiver counts them through {@code node.messages(type)}. The rate is messages
 * delivered to the receiving application per second.
 *
 * <p>Run:
 * <pre>
 * java -Dio.netty.leakDetection.level=disabled -cp bench/target/benchmarks.jar \
 *     io.reactivep2p.transport.OneWayRateBenchmark [messages] [rounds] [metrics]
 * </pre>
 * (defaults 2000000, 3 and {@code off}; the first round is a warm-up and is not reported).
 * With {@code metrics} = {@code compare}, it runs the coalescing policy only, alternating
 * rounds without metrics and with both nodes recording into a Prometheus registry, and
 * reports the ratio of their medians.
 */
public final class OneWayRateBenchmark {

    static final MessageType DATA = MessageType.of(0x81, "DATA");

    private OneWayRateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "one-way, 256-byte payload, %d messages per round%n", messages);
        if (args.length > 2 && args[2].equals("compare")) {
            compareMetrics(messages, rounds);
            return;
        }
        for (FlushPolicy policy : FlushPolicy.values()) {
            for (int round = 0; round < rounds; round++) {
                double rate = run(messages, policy);
                if (round > 0) {
                    System.out.printf(Locale.ROOT, "%-14s round %d: %,.0f messages/s (%.2f Gbit/s of payload)%n",
                            policy, round, rate, rate * 256 * 8 / 1e9);
                }
            }
        }
    }

    /** Rounds without and with metrics, alternating, after one warm-up round of each. */
    static void compareMetrics(int messages, int rounds) throws Exception {
        double[][] rates = new double[2][rounds];
        for (int round = 0; round <= rounds; round++) {
            for (int on = 0; on < 2; on++) {
                double rate = run(messages, FlushPolicy.COALESCE, on == 1);
                if (round > 0) {
                    rates[on][round - 1] = rate;
                    System.out.printf(Locale.ROOT, "metrics %-3s round %d: %,.0f messages/s%n", on == 1 ? "on" : "off",
                            round, rate);
                }
            }
        }
        double off = median(rates[0]);
        double on = median(rates[1]);
        System.out.printf(Locale.ROOT, "median: off %,.0f, on %,.0f messages/s; on/off %.3f%n", off, on, on / off);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double run(int messages, FlushPolicy policy) throws Exception {
        return run(messages, policy, false);
    }

    static double run(int messages, FlushPolicy policy, boolean metrics) throws Exception {
        return run(messages, policy, metrics, false);
    }

    /** {@code secure}: over the secure channel (protocol v2), else plaintext (v1). */
    static double run(int messages, FlushPolicy policy, boolean metrics, boolean secure) throws Exception {
        // Point to point, not gossip: the same payload again and again is not a duplicate here.
        NodeConfig.Builder cfg = NodeConfig.builder().plaintext(!secure).listenHost("127.0.0.1").eventLoopThreads(1).flushPolicy(policy)
                .directTypes(DATA);
        if (metrics) {
            cfg.meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        }
        try (P2pNode receiver = P2pNode.create(cfg.build());
             P2pNode sender = P2pNode.create(metrics
                     ? cfg.meterRegistry(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).build()
                     : cfg.build())) {
            CountDownLatch done = new CountDownLatch(1);
            long[] count = new long[1]; // written by the receiver's one event loop only
            receiver.messages(DATA).subscribe(m -> {
                if (++count[0] == messages) {
                    done.countDown();
                }
            });
            receiver.start().block();
            sender.start().block();
            Peer peer = sender.connect(new InetSocketAddress("127.0.0.1", receiver.address().getPort())).block();
            Message message = Message.of(DATA, new byte[256]);
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                while (!peer.offer(message)) {
                    LockSupport.parkNanos(10_000); // queue full: back off, leave the cores to the event loops
                }
            }
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("not all messages arrived");
            }
            long elapsed = System.nanoTime() - start;
            if (receiver.droppedDeliveries() > 0) {
                throw new IllegalStateException(receiver.droppedDeliveries() + " deliveries dropped");
            }
            return messages / (elapsed / 1e9);
        }
    }
}
