package io.reactivep2p.protocol;

/**
 * Why a connection ends: the {@code u8 reason} of a DISCONNECT frame.
 *
 * <p>Codes a newer peer may send that this version does not know decode to
 * {@link #UNKNOWN}; the raw code stays available in {@link Disconnect#reasonCode()}.
 */
public enum DisconnectReason {
    /** 0: the peer asked to leave (shutdown, application request). */
    REQUESTED(0),
    /** 1: malformed frame or payload. */
    PROTOCOL_ERROR(1),
    /** 2: the peer's protocol version is not supported. */
    INCOMPATIBLE_VERSION(2),
    /** 3: no free peer slot. */
    TOO_MANY_PEERS(3),
    /** 4: handshake, ping or read timeout. */
    TIMEOUT(4),
    /** 5: misbehaviour score over the limit. */
    MISBEHAVIOUR(5),
    /** 6: the node id is already connected. */
    DUPLICATE_CONNECTION(6),
    /** 7: the node dialled itself. */
    SELF_CONNECTION(7),
    /** 8: different network magic or chain. */
    WRONG_NETWORK(8),
    /** 9: the peer's id or address is banned. */
    BANNED(9),
    /** 10: the peer does not read fast enough to keep its outbound queue within budget. */
    SLOW_PEER(10),
    /** A code this version does not define; never sent. */
    UNKNOWN(-1);

    private static final DisconnectReason[] BY_CODE = new DisconnectReason[11];

    static {
        for (DisconnectReason r : values()) {
            if (r.code >= 0) {
                BY_CODE[r.code] = r;
            }
        }
    }

    private final int code;

    DisconnectReason(int code) {
        this.code = code;
    }

    /** The wire code, {@code 0..255}; {@code -1} for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** The reason of a wire code; {@link #UNKNOWN} for codes this version does not define. */
    public static DisconnectReason fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
