package io.reactivep2p.mempool;

/**
 * What {@link Mempool#add} did with a transaction: took it ({@link #ADDED},
 * {@link #REPLACED}), or why it refused it. The node maps each refusal to IGNORE: the
 * transaction is valid but not wanted, so it is neither relayed nor held against the sender.
 */
public enum AddResult {
    /** Pooled. */
    ADDED,
    /** Pooled in place of the sender's transaction with the same nonce, which paid at least the bump less. */
    REPLACED,
    /** A transaction with this id is already pooled. */
    DUPLICATE,
    /** Its fee rate is below {@link MempoolConfig#minFeeRate()}. */
    BELOW_MIN_FEE,
    /** Its size is above {@link MempoolConfig#maxTransactionSize()}. */
    OVERSIZE,
    /** The pool is full and it does not pay more than the transactions it would have to evict. */
    UNDERPRICED,
    /**
     * It has the (sender, nonce) of a pooled transaction but does not pay
     * {@link MempoolConfig#replacementBumpPercent()} % (and at least 1) more.
     */
    REPLACEMENT_UNDERPRICED,
    /** Its sender already has {@link MempoolConfig#maxPerSender()} pooled transactions. */
    SENDER_LIMIT;

    /** Whether the transaction is now in the pool. */
    public boolean accepted() {
        return this == ADDED || this == REPLACED;
    }
}
