/**
 * Between peers and sockets: pipeline handler names, the per-peer outbound queue with its
 * flush policy, byte counting, and their {@link io.reactivep2p.transport.TransportSettings}.
 * The event loops and channels themselves come from the node's
 * {@link io.reactivep2p.runtime.Transport}.
 */
package io.reactivep2p.transport;
