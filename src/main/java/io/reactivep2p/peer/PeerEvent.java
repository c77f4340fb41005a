package io.reactivep2p.peer;

import io.reactivep2p.protocol.DisconnectReason;
import java.util.Objects;

/**
 * A change in the set of connected peers, from {@link PeerManager#events()}.
 *
 * @param type connected or disconnected
 * @param peer the peer
 * @param reason for {@link Type#DISCONNECTED}: why; {@code null} for {@link Type#CONNECTED}
 * @param side for {@link Type#DISCONNECTED}: which side ended the connection; {@code null} otherwise
 * @param detail a short explanation for logs, possibly empty
 */
public record PeerEvent(Type type, Peer peer, DisconnectReason reason, Side side, String detail) {

    /** What happened. */
    public enum Type {
        /** The handshake completed and the peer was admitted. */
        CONNECTED,
        /** An admitted peer's connection closed. */
        DISCONNECTED
    }

    /** Which side ended a connection. */
    public enum Side {
        /** This node. */
        LOCAL,
        /** The remote node (DISCONNECT received, or the connection closed under us). */
        REMOTE
    }

    /** Checks the fields. */
    public PeerEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(peer, "peer");
        detail = detail == null ? "" : detail;
    }

    static PeerEvent connected(Peer peer) {
        return new PeerEvent(Type.CONNECTED, peer, null, null, "");
    }

    static PeerEvent disconnected(Peer peer, Disconnection why) {
        return new PeerEvent(Type.DISCONNECTED, peer, why.reason(), why.side(), why.detail());
    }
}
