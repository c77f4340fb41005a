package io.reactivep2p.protocol;

import io.netty.handler.codec.DecoderException;
import java.util.Objects;

/**
 * Bytes from a peer that break the protocol. Carries the {@link Kind} of the fault (for
 * metrics and tests) and the {@link DisconnectReason} the connection is closed with.
 *
 * <p>It extends Netty's {@link DecoderException} so that the frame decoder's pipeline sees
 * it unwrapped. Payload codecs throw it too. Messages never echo payload bytes: peers
 * control them.
 */
public final class ProtocolException extends DecoderException {

    private static final long serialVersionUID = 1L;

    /** What was wrong, each mapped to the reason the peer is disconnected with. */
    public enum Kind {
        /** The frame's magic is not this network's: the connection is closed without DISCONNECT. */
        BAD_MAGIC(DisconnectReason.WRONG_NETWORK),
        /** A flag bit that version 1 reserves is set. */
        RESERVED_FLAGS(DisconnectReason.PROTOCOL_ERROR),
        /** The frame length is above the maximum frame length. */
        FRAME_TOO_LARGE(DisconnectReason.PROTOCOL_ERROR),
        /** The CRC32C of the payload does not match the header. */
        BAD_CHECKSUM(DisconnectReason.PROTOCOL_ERROR),
        /** The LZ4 original length is above the maximum message length. */
        MESSAGE_TOO_LARGE(DisconnectReason.PROTOCOL_ERROR),
        /** The LZ4 block is truncated, corrupt, or does not expand to its declared length. */
        BAD_COMPRESSION(DisconnectReason.PROTOCOL_ERROR),
        /** A payload field runs past the end, has trailing bytes, or an invalid value. */
        MALFORMED_PAYLOAD(DisconnectReason.PROTOCOL_ERROR),
        /** A count or length in a payload is above its protocol limit. */
        LIMIT_EXCEEDED(DisconnectReason.PROTOCOL_ERROR),
        /** v2: the preamble's mode is unknown. Closed without DISCONNECT. */
        UNKNOWN_MODE(DisconnectReason.PROTOCOL_ERROR),
        /** v2 met v1 (a plaintext HELLO where a preamble was due), or the reverse. Closed without DISCONNECT. */
        WRONG_VERSION(DisconnectReason.INCOMPATIBLE_VERSION),
        /**
         * v2: a handshake message over its limit, too short for its keys, failing
         * authentication (an IK dial under a key the responder does not hold), or with a
         * payload where none belongs. Closed without DISCONNECT.
         */
        HANDSHAKE_FAILED(DisconnectReason.PROTOCOL_ERROR),
        /**
         * v2: the handshake authenticated another static key than the one the dialer expected
         * (a pinned seed or a known id): a man in the middle, or a peer that changed its key.
         * Closed without DISCONNECT.
         */
        WRONG_PEER(DisconnectReason.PROTOCOL_ERROR),
        /** v2: a record that fails authentication or whose length is out of range. Closed at once. */
        BAD_RECORD(DisconnectReason.PROTOCOL_ERROR);

        private final DisconnectReason reason;

        Kind(DisconnectReason reason) {
            this.reason = reason;
        }

        /** The reason a peer is disconnected with for this fault. */
        public DisconnectReason reason() {
            return reason;
        }

        /**
         * Whether the connection closes without a DISCONNECT: the peer speaks another network
         * or version, or (version 2) the secure channel is not up or can no longer be trusted.
         */
        public boolean closesSilently() {
            return switch (this) {
                case BAD_MAGIC, UNKNOWN_MODE, WRONG_VERSION, HANDSHAKE_FAILED, WRONG_PEER, BAD_RECORD -> true;
                default -> false;
            };
        }
    }

    private final Kind kind;

    /**
     * @param kind what was wrong
     * @param message a description that names lengths and limits, never payload bytes
     */
    public ProtocolException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** What was wrong. */
    public Kind kind() {
        return kind;
    }

    /** The reason the connection is closed with. */
    public DisconnectReason reason() {
        return kind.reason();
    }

    /** Protocol faults are routine on the open internet: no stack trace is captured. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
