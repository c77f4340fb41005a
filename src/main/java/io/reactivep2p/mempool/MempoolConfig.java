package io.reactivep2p.mempool;

import java.time.Duration;
import java.util.Objects;

/**
 * The immutable limits of a {@link Mempool}. Built with {@link #builder()}; every field has a
 * default and is checked in {@link Builder#build()}.
 *
 * <pre>{@code
 * MempoolConfig cfg = MempoolConfig.builder().maxTransactions(20_000).minFeeRate(1).build();
 * }</pre>
 *
 * @param maxTransactions the most transactions pooled (default 100,000)
 * @param maxBytes the most bytes pooled, by {@link PoolTransaction#size()} (default 64 MiB)
 * @param maxTransactionSize the largest transaction taken (default
 *     {@link Transaction#MAX_ENCODED_LENGTH}, all the codec allows)
 * @param minFeeRate the lowest fee rate taken, unsigned (default 1)
 * @param replacementBumpPercent how much more, in percent of the old fee rate, a transaction
 *     must pay to replace the sender's pooled one with the same nonce (default 10; and at
 *     least 1 more in any case)
 * @param maxPerSender the most transactions of one sender (default 64), so one account cannot
 *     take the pool with a run of nonces at the same price
 * @param ttl how long a transaction stays at most (default 3 h)
 * @param eventBufferSize the events buffered for each {@link Mempool#events()} subscriber
 *     that does not keep up; beyond it the newest are dropped for that subscriber (default 4096)
 */
public record MempoolConfig(int maxTransactions, long maxBytes, int maxTransactionSize, long minFeeRate,
                            int replacementBumpPercent, int maxPerSender, Duration ttl, int eventBufferSize) {

    /** Checks every field. */
    public MempoolConfig {
        check(maxTransactions >= 1, "maxTransactions must be >= 1, got " + maxTransactions);
        check(maxTransactionSize >= 1, "maxTransactionSize must be >= 1, got " + maxTransactionSize);
        check(maxBytes >= maxTransactionSize,
                "maxBytes must hold the largest transaction (" + maxTransactionSize + "), got " + maxBytes);
        check(replacementBumpPercent >= 0 && replacementBumpPercent <= 100,
                "replacementBumpPercent must be in 0..100, got " + replacementBumpPercent);
        check(maxPerSender >= 1, "maxPerSender must be >= 1, got " + maxPerSender);
        Objects.requireNonNull(ttl, "ttl");
        check(!ttl.isNegative() && !ttl.isZero(), "ttl must be positive, got " + ttl);
        check(eventBufferSize >= 1, "eventBufferSize must be >= 1, got " + eventBufferSize);
    }

    /** The defaults. */
    public static MempoolConfig defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxTransactions = maxTransactions;
        b.maxBytes = maxBytes;
        b.maxTransactionSize = maxTransactionSize;
        b.minFeeRate = minFeeRate;
        b.replacementBumpPercent = replacementBumpPercent;
        b.maxPerSender = maxPerSender;
        b.ttl = ttl;
        b.eventBufferSize = eventBufferSize;
        return b;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds a {@link MempoolConfig}; see the record's fields for each default. */
    public static final class Builder {

        private int maxTransactions = 100_000;
        private long maxBytes = 64L * 1024 * 1024;
        private int maxTransactionSize = Transaction.MAX_ENCODED_LENGTH;
        private long minFeeRate = 1;
        private int replacementBumpPercent = 10;
        private int maxPerSender = 64;
        private Duration ttl = Duration.ofHours(3);
        private int eventBufferSize = 4096;

        private Builder() {
        }

        /** See {@link MempoolConfig#maxTransactions()}. */
        public Builder maxTransactions(int maxTransactions) {
            this.maxTransactions = maxTransactions;
            return this;
        }

        /** See {@link MempoolConfig#maxBytes()}. */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        /** See {@link MempoolConfig#maxTransactionSize()}. */
        public Builder maxTransactionSize(int maxTransactionSize) {
            this.maxTransactionSize = maxTransactionSize;
            return this;
        }

        /** See {@link MempoolConfig#minFeeRate()}. */
        public Builder minFeeRate(long minFeeRate) {
            this.minFeeRate = minFeeRate;
            return this;
        }

        /** See {@link MempoolConfig#replacementBumpPercent()}. */
        public Builder replacementBumpPercent(int replacementBumpPercent) {
            this.replacementBumpPercent = replacementBumpPercent;
            return this;
        }

        /** See {@link MempoolConfig#maxPerSender()}. */
        public Builder maxPerSender(int maxPerSender) {
            this.maxPerSender = maxPerSender;
            return this;
        }

        /** See {@link MempoolConfig#ttl()}. */
        public Builder ttl(Duration ttl) {
            this.ttl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** See {@link MempoolConfig#eventBufferSize()}. */
        public Builder eventBufferSize(int eventBufferSize) {
            this.eventBufferSize = eventBufferSize;
            return this;
        }

        /**
         * Checks every field and builds the configuration.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public MempoolConfig build() {
            return new MempoolConfig(maxTransactions, maxBytes, maxTransactionSize, minFeeRate,
                    replacementBumpPercent, maxPerSender, ttl, eventBufferSize);
        }
    }
}
