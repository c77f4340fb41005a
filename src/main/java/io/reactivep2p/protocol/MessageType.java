package io.reactivep2p.protocol;

import java.util.Locale;

/**
 * The type of a {@link Message}: one byte on the wire, an open set.
 *
 * <p>The protocol defines the constants below (codes {@code 0x00..0x7F} are reserved for
 * it); codes {@code 0x80..0xFF} are free for applications and are named with
 * {@link #of(int, String)}:
 *
 * <pre>{@code
 * import static io.reactivep2p.protocol.MessageType.MsgTx;
 *
 * MessageType vote = MessageType.of(0x81, "VOTE");
 * node.messages(MsgTx).subscribe(...);
 * node.messages(vote).subscribe(...);
 * }</pre>
 *
 * <p>Two types are equal when their codes are equal; the name is descriptive only.
 * Instances are immutable and safe to share between threads.
 */
public final class MessageType {

    /** First code applications may use. */
    public static final int FIRST_APPLICATION_CODE = 0x80;

    private static final MessageType[] BY_CODE = new MessageType[256];

    /** {@code 0x00} HELLO: the handshake, first frame in each direction. */
    public static final MessageType MsgHello = define(0x00, "HELLO");
    /** {@code 0x02} PING: {@code u64 nonce}. */
    public static final MessageType MsgPing = define(0x02, "PING");
    /** {@code 0x03} PONG: {@code u64 nonce}, echoing the ping's. */
    public static final MessageType MsgPong = define(0x03, "PONG");
    /** {@code 0x04} DISCONNECT: reason code and a short text. */
    public static final MessageType MsgDisconnect = define(0x04, "DISCONNECT");
    /** {@code 0x10} GET_PEERS: ask for addresses. */
    public static final MessageType MsgGetPeers = define(0x10, "GET_PEERS");
    /** {@code 0x11} PEERS: a list of peer addresses. */
    public static final MessageType MsgPeers = define(0x11, "PEERS");
    /** {@code 0x20} TX: a gossiped transaction. */
    public static final MessageType MsgTx = define(0x20, "TX");
    /** {@code 0x21} BLOCK: a gossiped block, opaque to the toolkit. */
    public static final MessageType MsgBlock = define(0x21, "BLOCK");
    /** {@code 0x23} INV: announces content hashes. */
    public static final MessageType MsgInv = define(0x23, "INV");
    /** {@code 0x24} GET_DATA: requests announced content. */
    public static final MessageType MsgGetData = define(0x24, "GET_DATA");
    /** {@code 0x30} REQUEST: opens a request, a stream or a fire-and-forget ({@link RpcFrame.Request}). */
    public static final MessageType MsgRequest = define(0x30, "REQUEST");
    /** {@code 0x31} RESPONSE: an item or the end of a request's answer ({@link RpcFrame.Response}). */
    public static final MessageType MsgResponse = define(0x31, "RESPONSE");
    /** {@code 0x32} ERROR: a request's answer is an error ({@link RpcFrame.StreamError}). */
    public static final MessageType MsgError = define(0x32, "ERROR");
    /** {@code 0x33} REQUEST_N: more credits for a stream ({@link RpcFrame.RequestN}). */
    public static final MessageType MsgRequestN = define(0x33, "REQUEST_N");
    /** {@code 0x34} CANCEL: the requester no longer wants the answer ({@link RpcFrame.Cancel}). */
    public static final MessageType MsgCancel = define(0x34, "CANCEL");

    static {
        for (int code = 0; code < BY_CODE.length; code++) {
            if (BY_CODE[code] == null) {
                String prefix = code >= FIRST_APPLICATION_CODE ? "APP_0x" : "UNKNOWN_0x";
                BY_CODE[code] = new MessageType(code, prefix + hex(code), code >= FIRST_APPLICATION_CODE);
            }
        }
    }

    private final int code;
    private final String name;
    private final boolean defined;

    private MessageType(int code, String name, boolean defined) {
        this.code = code;
        this.name = name;
        this.defined = defined;
    }

    private static MessageType define(int code, String name) {
        MessageType type = new MessageType(code, name, true);
        BY_CODE[code] = type;
        return type;
    }

    /**
     * Names an application message type.
     *
     * @param code {@code 0x80..0xFF}
     * @param name a short name for logs and metrics
     * @throws IllegalArgumentException when the code is outside the application range
     */
    public static MessageType of(int code, String name) {
        if (code < FIRST_APPLICATION_CODE || code > 0xFF) {
            throw new IllegalArgumentException("application message type code must be in 0x80..0xFF, got 0x"
                    + Integer.toHexString(code));
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return new MessageType(code, name, true);
    }

    /**
     * The type of a code read from the wire. Never allocates: unnamed codes map to shared
     * instances named {@code UNKNOWN_0x..} (protocol range) or {@code APP_0x..}.
     *
     * @param code {@code 0..255}
     */
    public static MessageType fromCode(int code) {
        if (code < 0 || code > 0xFF) {
            throw new IllegalArgumentException("message type code must be in 0..255, got " + code);
        }
        return BY_CODE[code];
    }

    /** The one-byte code, {@code 0..255}. */
    public int code() {
        return code;
    }

    /** The name, for logs and metrics. */
    public String name() {
        return name;
    }

    /** Whether the code is in the application range {@code 0x80..0xFF}. */
    public boolean isApplication() {
        return code >= FIRST_APPLICATION_CODE;
    }

    /**
     * Whether this version of the protocol defines the code, or the code is in the
     * application range. Frames of other types are counted and ignored after the handshake.
     */
    public boolean isDefined() {
        return defined;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageType other && other.code == code;
    }

    @Override
    public int hashCode() {
        return code;
    }

    @Override
    public String toString() {
        return name + "(0x" + hex(code) + ")";
    }

    private static String hex(int code) {
        return String.format(Locale.ROOT, "%02x", code);
    }
}
