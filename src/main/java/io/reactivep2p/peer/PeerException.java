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
    private final boolean secureHandshakeFailed;

    /** A failure for {@code reason}. */
    public PeerException(DisconnectReason reason, String message) {
        this(reason, message, false);
    }

    /**
     * A failure for {@code reason}; {@code secureHandshakeFailed}: the connection ended before
     * the secure channel was up (see {@link #secureHandshakeFailed()}).
     */
    public PeerException(DisconnectReason reason, String message, boolean secureHandshakeFailed) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.secureHandshakeFailed = secureHandshakeFailed;
    }

    /**
     * Whether the connection ended before the secure channel was up: the peer refused it before
     * its handshake (limits, a ban), the handshake failed, or (an IK dial) the peer does not
     * hold the key the dialer expected. A dial under a stale id is retried once with XX.
     */
    public boolean secureHandshakeFailed() {
        return secureHandshakeFailed;
    }

    /** The reason: for a refused handshake, the one sent or received. */
    public DisconnectReason reason() {
        return reason;
    }
}
