package io.reactivep2p.gossip;

/**
 * What a broadcast did.
 *
 * @param queued peers the message was queued to
 * @param dropped peers whose outbound queue was full (the message is not sent to them)
 */
public record BroadcastResult(int queued, int dropped) {
}
