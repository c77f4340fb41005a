/**
 * Peers: {@link io.reactivep2p.peer.Peer}, the handshake and keepalive handler, the
 * {@link io.reactivep2p.peer.PeerManager} with its limits, misbehaviour scores and bans, and
 * peer events.
 */
package io.reactivep2p.peer;
