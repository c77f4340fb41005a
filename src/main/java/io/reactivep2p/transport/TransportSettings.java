package io.reactivep2p.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The immutable settings of how a node's bytes move between its peers' queues and their
 * sockets: event loops, the per-peer outbound queue, and when writes are flushed. Built with
 * {@link #builder()}; every field has a default and is checked here. A node takes them from
 * its {@code NodeConfig} ({@code NodeConfig.builder().transport(t -> t.flushDelay(...))}, or
 * the flat setters such as {@code .eventLoopThreads(1)}).
 *
 * <pre>{@code
 * TransportSettings batched = TransportSettings.builder()
 *         .flushDelay(Duration.ofMillis(1)).writeBufferHighWaterMark(256 * 1024).build();
 * }</pre>
 *
 * @param eventLoopThreads event loop threads of the node (default: the number of processors)
 * @param outboundQueueBytes outbound bytes queued for one peer at most; beyond them, sends are
 *     refused (default 8 MiB; a node needs it to hold its largest message)
 * @param outboundQueueMessages outbound messages queued for one peer at most (default 16,384)
 * @param flushPolicy when outbound data is flushed: {@link FlushPolicy#COALESCE} (default) or
 *     after every message
 * @param flushDelay how long written data may wait for its flush, to share one {@code write}
 *     system call with data that follows: fewer system calls under many small messages, at the
 *     cost of up to that much latency per message. A flush happens earlier once the written
 *     bytes reach the {@code writeBufferHighWaterMark}. Control frames (PING, PONG,
 *     DISCONNECT) never wait. Ignored with {@link FlushPolicy#EACH_MESSAGE}. Between 0 (the
 *     default: each drain of the outbound queue ends with a flush) and 1 s.
 * @param writeBufferHighWaterMark bytes written to a peer's channel and not yet taken by its
 *     socket, above which the outbound queue stops moving messages into the channel (Netty's
 *     write-buffer high-water mark; the low-water mark is half of it). What a peer that does
 *     not read can hold is its outbound queue budget plus this plus one frame. Between 1 KiB
 *     and 16 MiB; default 64 KiB.
 */
public record TransportSettings(int eventLoopThreads, int outboundQueueBytes, int outboundQueueMessages,
                                FlushPolicy flushPolicy, Duration flushDelay, int writeBufferHighWaterMark) {

    /** Checks every field. */
    public TransportSettings {
        check(eventLoopThreads >= 1, "eventLoopThreads must be >= 1, got " + eventLoopThreads);
        check(outboundQueueBytes >= 1, "outboundQueueBytes must be >= 1, got " + outboundQueueBytes);
        check(outboundQueueMessages >= 1, "outboundQueueMessages must be >= 1, got " + outboundQueueMessages);
        Objects.requireNonNull(flushPolicy, "flushPolicy");
        Objects.requireNonNull(flushDelay, "flushDelay");
        check(!flushDelay.isNegative() && flushDelay.compareTo(Duration.ofSeconds(1)) <= 0,
                "flushDelay must be in 0..1s, got " + flushDelay);
        check(writeBufferHighWaterMark >= 1024 && writeBufferHighWaterMark <= 16 * 1024 * 1024,
                "writeBufferHighWaterMark must be in 1 KiB..16 MiB, got " + writeBufferHighWaterMark);
    }

    /** The defaults. */
    public static TransportSettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with these settings' values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.eventLoopThreads = eventLoopThreads;
        b.outboundQueueBytes = outboundQueueBytes;
        b.outboundQueueMessages = outboundQueueMessages;
        b.flushPolicy = flushPolicy;
        b.flushDelay = flushDelay;
        b.writeBufferHighWaterMark = writeBufferHighWaterMark;
        return b;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds {@link TransportSettings}; see the record's fields for each default. Not thread-safe. */
    public static final class Builder {
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private int outboundQueueBytes = 8 * 1024 * 1024;
        private int outboundQueueMessages = 16_384;
        private FlushPolicy flushPolicy = FlushPolicy.COALESCE;
        private Duration flushDelay = Duration.ZERO;
        private int writeBufferHighWaterMark = 64 * 1024;

        private Builder() {
        }

        /** See {@link TransportSettings#eventLoopThreads()}. */
        public Builder eventLoopThreads(int eventLoopThreads) {
            this.eventLoopThreads = eventLoopThreads;
            return this;
        }

        /** See {@link TransportSettings#outboundQueueBytes()}. */
        public Builder outboundQueueBytes(int outboundQueueBytes) {
            this.outboundQueueBytes = outboundQueueBytes;
            return this;
        }

        /** See {@link TransportSettings#outboundQueueMessages()}. */
        public Builder outboundQueueMessages(int outboundQueueMessages) {
            this.outboundQueueMessages = outboundQueueMessages;
            return this;
        }

        /** See {@link TransportSettings#flushPolicy()}. */
        public Builder flushPolicy(FlushPolicy flushPolicy) {
            this.flushPolicy = Objects.requireNonNull(flushPolicy, "flushPolicy");
            return this;
        }

        /** See {@link TransportSettings#flushDelay()}. */
        public Builder flushDelay(Duration flushDelay) {
            this.flushDelay = Objects.requireNonNull(flushDelay, "flushDelay");
            return this;
        }

        /** See {@link TransportSettings#writeBufferHighWaterMark()}. */
        public Builder writeBufferHighWaterMark(int bytes) {
            this.writeBufferHighWaterMark = bytes;
            return this;
        }

        /**
         * Checks every field and builds the settings.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public TransportSettings build() {
            return new TransportSettings(eventLoopThreads, outboundQueueBytes, outboundQueueMessages, flushPolicy,
                    flushDelay, writeBufferHighWaterMark);
        }
    }
}
