/**
 * The mempool: the built-in transaction and its codec, and the fee-ranked, bounded pool of
 * transactions a node has heard of and accepted.
 */
package io.reactivep2p.mempool;
