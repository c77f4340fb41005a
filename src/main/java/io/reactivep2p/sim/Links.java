package io.reactivep2p.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * What the links between the nodes of a {@link Simulation} do to the bytes on them. Immutable;
 * built with {@link #builder()}.
 *
 * <pre>{@code
 * Links links = Links.builder()
 *         .latency(Latency.uniform(Duration.ofMillis(50), Duration.ofMillis(150)))
 *         .bandwidth(100_000_000)          // bits per second, up and down, per node
 *         .loss(0.001)                     // of packets: each loss delays its connection by a retransmission
 *         .build();
 * }</pre>
 *
 * <p><b>The model.</b> Each write a node flushes onto a connection leaves through the node's
 * upload link (one queue per node, shared by its connections, {@link #uploadBitsPerSecond()}),
 * travels the pair's {@link #latency()}, and enters the receiving node's download link (one
 * queue per node, {@link #downloadBitsPerSecond()}) before its pipeline reads it; a
 * connection delivers in order, as TCP does. A packet of {@value #PACKET_BYTES} bytes is lost
 * with probability {@link #loss()}; as over TCP, a loss is not a gap but a delay: the write
 * and everything after it on that connection arrive {@link #retransmitDelay()} later. A
 * connection holds at most {@link #window()} bytes sent and not yet read by the other end;
 * beyond it the sender's channel turns unwritable, as a full socket buffer makes it, and
 * becomes writable again below half of it.
 *
 * <p>What it leaves out: TCP's handshake round trip (a dial connects at once; its first bytes
 * then take the latency), slow start and congestion control (a connection sends at its node's
 * full bandwidth at once), and the bandwidth of the network in between.
 */
public final class Links {

    /** The size of a packet, for the loss model: an Ethernet MTU's TCP payload. */
    public static final int PACKET_BYTES = 1460;

    private final Latency latency;
    private final long uploadBitsPerSecond;
    private final long downloadBitsPerSecond;
    private final double loss;
    private final Duration retransmitDelay;
    private final int window;

    private Links(Builder b) {
        this.latency = b.latency;
        this.uploadBitsPerSecond = b.uploadBitsPerSecond;
        this.downloadBitsPerSecond = b.downloadBitsPerSecond;
        this.loss = b.loss;
        this.retransmitDelay = b.retransmitDelay;
        this.window = b.window;
    }

    /** A builder of links without latency, bandwidth limit or loss. */
    public static Builder builder() {
        return new Builder();
    }

    /** Links without latency, bandwidth limit or loss: bytes arrive in the task after they leave. */
    public static Links ideal() {
        return builder().build();
    }

    /** The one-way latency of each pair of nodes. Default {@link Latency#none()}. */
    public Latency latency() {
        return latency;
    }

    /** Each node's upload, in bits per second; 0 for no limit (the default). */
    public long uploadBitsPerSecond() {
        return uploadBitsPerSecond;
    }

    /** Each node's download, in bits per second; 0 for no limit (the default). */
    public long downloadBitsPerSecond() {
        return downloadBitsPerSecond;
    }

    /** The probability that a packet is lost, 0 (the default) to 0.5. */
    public double loss() {
        return loss;
    }

    /** How much later a write arrives when one of its packets was lost. Default 200 ms (Linux's least RTO). */
    public Duration retransmitDelay() {
        return retransmitDelay;
    }

    /** Bytes a connection holds sent and not yet read before its sender's channel turns unwritable. Default 4 MiB. */
    public int window() {
        return window;
    }

    @Override
    public String toString() {
        return "Links{latency=" + latency + ", up=" + uploadBitsPerSecond + " bit/s, down=" + downloadBitsPerSecond
                + " bit/s, loss=" + loss + ", window=" + window + "}";
    }

    /** Builds {@link Links}. Not thread-safe. */
    public static final class Builder {
        private Latency latency = Latency.none();
        private long uploadBitsPerSecond;
        private long downloadBitsPerSecond;
        private double loss;
        private Duration retransmitDelay = Duration.ofMillis(200);
        private int window = 4 << 20;

        private Builder() {
        }

        /** See {@link Links#latency()}. */
        public Builder latency(Latency latency) {
            this.latency = Objects.requireNonNull(latency, "latency");
            return this;
        }

        /** The same limit up and down; see {@link Links#uploadBitsPerSecond()}. */
        public Builder bandwidth(long bitsPerSecond) {
            return uploadBitsPerSecond(bitsPerSecond).downloadBitsPerSecond(bitsPerSecond);
        }

        /** See {@link Links#uploadBitsPerSecond()}. */
        public Builder uploadBitsPerSecond(long bitsPerSecond) {
            this.uploadBitsPerSecond = nonNegative(bitsPerSecond, "uploadBitsPerSecond");
            return this;
        }

        /** See {@link Links#downloadBitsPerSecond()}. */
        public Builder downloadBitsPerSecond(long bitsPerSecond) {
            this.downloadBitsPerSecond = nonNegative(bitsPerSecond, "downloadBitsPerSecond");
            return this;
        }

        /** See {@link Links#loss()}. */
        public Builder loss(double probability) {
            if (!(probability >= 0 && probability <= 0.5)) {
                throw new IllegalArgumentException("loss must be in 0..0.5, got " + probability);
            }
            this.loss = probability;
            return this;
        }

        /** See {@link Links#retransmitDelay()}. */
        public Builder retransmitDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retransmitDelay must not be negative, got " + delay);
            }
            this.retransmitDelay = delay;
            return this;
        }

        /** See {@link Links#window()}. */
        public Builder window(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("window must be at least 1024 bytes, got " + bytes);
            }
            this.window = bytes;
            return this;
        }

        private static long nonNegative(long value, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        }

        /** The links. */
        public Links build() {
            return new Links(this);
        }
    }
}
