package io.reactivep2p.peer;

import io.reactivep2p.protocol.DisconnectReason;
import java.util.Objects;

/**
 * A connection attempt or a send that failed because of the peer: refused handshake,
 * closed connection, or a full outbound queue. Carries the {@link DisconnectReason} where
 * there is one.
 */
public final class PeerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient DisconnectReason reason;

    /** A failure for {@code reason}. */
    public PeerException(DisconnectReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The reason: for a refused handshake, the one sent or received. */
    public DisconnectReason reason() {
        return reason;
    }
}
