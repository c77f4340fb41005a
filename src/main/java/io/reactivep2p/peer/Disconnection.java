package io.reactivep2p.peer;

import io.reactivep2p.protocol.DisconnectReason;
import java.util.Objects;

/**
 * Why a connection ended: the reason, the side that ended it, and a detail for logs.
 *
 * @param reason the DISCONNECT reason sent or received; {@link DisconnectReason#REQUESTED}
 *     when the remote closed the socket without one
 * @param side who ended it
 * @param detail text for logs; never shown to the remote beyond the DISCONNECT text
 */
public record Disconnection(DisconnectReason reason, PeerEvent.Side side, String detail) {

    /** Checks the fields. */
    public Disconnection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(side, "side");
        detail = detail == null ? "" : detail;
    }
}
