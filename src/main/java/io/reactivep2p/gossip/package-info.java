/**
 * Gossip: message ids, the seen-cache, the dedup operator, fan-out to peers, announce/fetch,
 * and their {@link io.reactivep2p.gossip.GossipSettings}.
 */
package io.reactivep2p.gossip;
