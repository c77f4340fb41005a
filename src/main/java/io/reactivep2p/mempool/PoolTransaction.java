package io.reactivep2p.mempool;

/**
 * What a {@link Mempool} needs to know of a transaction. The built-in {@link Transaction}
 * implements it; an application with its own transaction format implements it too and gets
 * the same pool ({@code Mempool<MyTx>}).
 *
 * <p>Implementations must be immutable: the pool reads each value once, when the
 * transaction is added, and relies on it not changing.
 */
public interface PoolTransaction {

    /** The id: two transactions with the same id are the same transaction. */
    TxId id();

    /**
     * The account that sends it, compared with {@code equals}: at most one transaction per
     * (sender, nonce) is pooled, and each sender has a cap.
     */
    Object sender();

    /** The sender's sequence number; a second transaction with the same one replaces the first. */
    long nonce();

    /**
     * What it pays per unit of work: the pool keeps the best payers. An unsigned 64-bit
     * number (compared with {@link Long#compareUnsigned}).
     */
    long feeRate();

    /** Its size in bytes, counted against the pool's byte limit. */
    int size();
}
