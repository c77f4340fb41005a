/**
 * The node facade users touch: {@link io.reactivep2p.P2pNode} and its
 * {@link io.reactivep2p.NodeConfig}, which composes each concern's settings
 * ({@link io.reactivep2p.peer.PeerSettings}, {@link io.reactivep2p.transport.TransportSettings},
 * {@link io.reactivep2p.gossip.GossipSettings}, {@link io.reactivep2p.discovery.DiscoverySettings},
 * ...) and the node's {@link io.reactivep2p.runtime.NodeRuntime}. The only package that knows
 * the whole node: the packages below it receive their own settings and the runtime.
 */
package io.reactivep2p;
