/**
 * Peers: {@link io.reactivep2p.peer.Peer}, the handshake and keepalive handler, the
 * {@link io.reactivep2p.peer.PeerManager} with its limits, misbehaviour scores and bans, peer
 * events, their {@link io.reactivep2p.peer.PeerSettings}, and the
 * {@link io.reactivep2p.peer.PeerObserver} that metrics listen through.
 */
package io.reactivep2p.peer;
