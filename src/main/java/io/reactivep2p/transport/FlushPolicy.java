package io.reactivep2p.transport;

/**
 * When the outbound queue flushes the channel. A flush is a {@code write} system call.
 */
public enum FlushPolicy {
    /**
     * One flush for everything queued when the drain runs (the default): under load many
     * messages share a system call; an isolated message still leaves after one task hop.
     */
    COALESCE,
    /**
     * A flush after every message: one system call each. For latency experiments and
     * benchmarks; it costs throughput under load.
     */
    EACH_MESSAGE
}
