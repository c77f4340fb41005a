/**
 * Gossip: message ids, the seen-cache, the dedup operator, fan-out to peers, announce/fetch.
 */
package io.reactivep2p.gossip;
