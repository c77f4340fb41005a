package io.reactivep2p.mempool;

import java.util.Objects;

/**
 * A change of a {@link Mempool}, from {@link Mempool#events()}.
 *
 * @param kind what happened
 * @param transaction the transaction that entered ({@code ADDED}, {@code REPLACED}) or left
 *     (the others)
 * @param replaced for {@code REPLACED}, the transaction it replaced; otherwise {@code null}
 * @param <T> the transaction type
 */
public record MempoolEvent<T extends PoolTransaction>(Kind kind, T transaction, T replaced) {

    /** What happened. */
    public enum Kind {
        /** A transaction entered the pool. */
        ADDED,
        /** A transaction entered in place of the sender's transaction with the same nonce. */
        REPLACED,
        /** A transaction left to make room for a better-paying one. */
        EVICTED,
        /** A transaction left because it was pooled for longer than the ttl. */
        EXPIRED,
        /** A transaction left through {@link Mempool#removeIncluded}. */
        REMOVED
    }

    /** Checks that {@code replaced} is set exactly for {@code REPLACED}. */
    public MempoolEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(transaction, "transaction");
        if ((kind == Kind.REPLACED) != (replaced != null)) {
            throw new IllegalArgumentException("replaced is set exactly for REPLACED events");
        }
    }
}
