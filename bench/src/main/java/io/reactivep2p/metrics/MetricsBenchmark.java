package io.reactivep2p.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.BenchmarkBase;
import io.reactivep2p.gossip.MessageIds;
import io.reactivep2p.gossip.SeenCache;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameDecoder;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.time.Duration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of metrics on the gossip hot path: the same work with {@link MetricsRecorder#NOOP}
 * ({@code off}, the default) and with {@link MetricsRecorder#micrometer} into a
 * {@link PrometheusMeterRegistry} ({@code on}), side by side.
 *
 * <p>One operation is one gossip message through a node's own code: a read of 32 frames of
 * 256 bytes arrives in one buffer; the connection's {@link FrameDecoder} splits and checks
 * them (CRC32C); each becomes a {@link Message}, is marked in a {@link SeenCache} by its
 * dedup key, is encoded once, and is written to 8 peers through each peer's {@link FrameEncoder}
 * (one flush per peer per read, as a node's outbound queue coalesces).
 * So one message is one recorded read and eight recorded writes, each two counter
 * increments, as in a node relaying to 8 peers. The measured work leaves out what a node adds
 * around it (queues, the event loops' task hops, system calls), so the ratio here is an upper
 * bound of the overhead a node sees.
 *
 * <p>Run:
 * <pre>
 * java -jar bench/target/benchmarks.jar MetricsBenchmark -prof gc -rf json -rff /tmp/metrics.json
 * </pre>
 */
public class MetricsBenchmark extends BenchmarkBase {

    static final int FRAMES_PER_READ = 32;
    static final int PEERS = 8;
    static final MessageType DATA = MessageType.of(0x80, "DATA");

    @Param({"off", "on"})
    public String metrics;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final FrameSettings settings = FrameSettings.defaults();
    private final MessageIds ids = MessageIds.withRandomSeed();
    private PrometheusMeterRegistry registry;
    private SeenCache seen;
    private EmbeddedChannel inbound;
    private EmbeddedChannel[] peers;
    /** 32 frames back to back, each with a distinct payload; read again and again from index 0. */
    private ByteBuf read;
    private long round;

    @Setup(Level.Trial)
    public void setUp() {
        MetricsRecorder recorder;
        if (metrics.equals("on")) {
            registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            recorder = MetricsRecorder.micrometer(registry);
        } else {
            recorder = MetricsRecorder.NOOP;
        }
        seen = SeenCache.create(1 << 20, Duration.ofMinutes(2));
        inbound = new EmbeddedChannel(new FrameDecoder(settings, recorder));
        peers = new EmbeddedChannel[PEERS];
        for (int i = 0; i < PEERS; i++) {
            peers[i] = new EmbeddedChannel(new FrameEncoder(settings, recorder));
        }
        read = alloc.directBuffer();
        byte[] payload = randomBytes(256);
        for (int i = 0; i < FRAMES_PER_READ; i++) {
            payload[0] = (byte) i;
            ByteBuf frame = FrameCodec.encode(alloc, settings, Message.of(DATA, payload), false);
            read.writeBytes(frame);
            frame.release();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        read.release();
        inbound.finishAndReleaseAll();
        for (EmbeddedChannel p : peers) {
            p.finishAndReleaseAll();
        }
        if (registry != null) {
            double sent = registry.get("p2p.messages.sent").tags("type", "APP_0x80").counter().count();
            if (sent == 0) {
                throw new IllegalStateException("metrics on, but nothing was recorded");
            }
            registry.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_READ)
    public int receiveAndRelay() {
        inbound.writeInbound(read.retainedDuplicate());
        int relayed = 0;
        // Every round's messages are new to the seen-cache, and their keys stay spread like
        // hashes (a bare counter would cluster them in its table).
        long salt = ++round * 0x9E3779B97F4A7C15L;
        for (ByteBuf frame; (frame = inbound.readInbound()) != null; ) {
            Message message = FrameCodec.toMessage(frame);
            frame.release();
            if (!seen.markSeen(ids.dedupKey(message) ^ salt)) {
                continue;
            }
            ByteBuf out = FrameCodec.encode(alloc, settings, message, false);
            for (EmbeddedChannel peer : peers) {
                peer.write(out.retainedDuplicate(), peer.voidPromise()); // flushed once per read, as a node's queue does
            }
            out.release();
        }
        for (EmbeddedChannel peer : peers) {
            peer.flushOutbound();
            for (ByteBuf written; (written = peer.readOutbound()) != null; ) {
                relayed += written.readableBytes();
                written.release();
            }
        }
        return relayed;
    }
}
