package io.reactivep2p.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * HELLO: what each side says of itself as a connection opens.
 *
 * <p>Version 1 ({@code 0x00}, the first frame each side sends, at once on connect):
 * <pre>
 * u16 version | 32 B node id | u16 listen port | u64 nonce | u64 capabilities
 * | u64 timestamp ms | u16 len + UTF-8 user agent (≤ 256 B) | u32 len + status (≤ 4 KiB)
 * </pre>
 *
 * <p>Version 2 (a Noise handshake payload, {@link #toV2Payload()}, {@link #decodeV2}): no node
 * id and no nonce, since the handshake authenticates the sender's static key, which is its id;
 * a decoded HELLO v2 carries that authenticated id and a nonce of 0.
 * <pre>
 * u16 version (2) | u16 listen port | u64 capabilities | u64 timestamp ms
 * | u16 len + UTF-8 user agent (≤ 256 B) | u32 len + status (≤ 4 KiB)
 * </pre>
 *
 * @param version protocol version, {@value #VERSION} for this one
 * @param nodeId the sender's id
 * @param listenPort the port the sender accepts connections on; 0 when it does not listen
 * @param nonce random per node run; seeing one's own nonce means a self-connection
 * @param capabilities bit set; {@link #CAP_LZ4} = LZ4 frames understood
 * @param timestampMillis the sender's clock, milliseconds since the epoch
 * @param userAgent software name and version, at most {@value #MAX_USER_AGENT_BYTES} UTF-8 bytes
 * @param status application status (e.g. chain id and head), at most {@value #MAX_STATUS_BYTES} bytes
 */
public record Hello(int version, NodeId nodeId, int listenPort, long nonce, long capabilities,
                    long timestampMillis, String userAgent, byte[] status) {

    /** Wire protocol version 1: plaintext frames. */
    public static final int VERSION = 1;
    /** Wire protocol version 2: the secure channel. */
    public static final int VERSION_2 = 2;
    /** Capability bit 0: the sender decodes LZ4-compressed frames. */
    public static final long CAP_LZ4 = 1L;
    /** Limit of the user agent, in UTF-8 bytes. */
    public static final int MAX_USER_AGENT_BYTES = 256;
    /** Limit of the application status, in bytes. */
    public static final int MAX_STATUS_BYTES = 4096;

    private static final int FIXED_LENGTH = 2 + Bytes32.LENGTH + 2 + 8 + 8 + 8 + 2 + 4;
    private static final int FIXED_LENGTH_V2 = 2 + 2 + 8 + 8 + 2 + 4;
    /** The longest HELLO v2 payload: every field at its limit. */
    public static final int MAX_V2_LENGTH = FIXED_LENGTH_V2 + MAX_USER_AGENT_BYTES + MAX_STATUS_BYTES;

    /** Checks every field against its wire limit; copies {@code status}. */
    public Hello {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("version must fit a u16, got " + version);
        }
        Objects.requireNonNull(nodeId, "nodeId");
        if (listenPort < 0 || listenPort > 0xFFFF) {
            throw new IllegalArgumentException("listenPort must be in 0..65535, got " + listenPort);
        }
        Objects.requireNonNull(userAgent, "userAgent");
        if (userAgent.getBytes(StandardCharsets.UTF_8).length > MAX_USER_AGENT_BYTES) {
            throw new IllegalArgumentException("userAgent is above " + MAX_USER_AGENT_BYTES + " UTF-8 bytes");
        }
        status = Objects.requireNonNull(status, "status").clone();
        if (status.length > MAX_STATUS_BYTES) {
            throw new IllegalArgumentException("status of " + status.length + " bytes is above " + MAX_STATUS_BYTES);
        }
    }

    /** Whether the sender understands LZ4 frames. */
    public boolean supportsLz4() {
        return (capabilities & CAP_LZ4) != 0;
    }

    /** A copy of the application status. */
    @Override
    public byte[] status() {
        return status.clone();
    }

    /** Encodes this HELLO. */
    public Message toMessage() {
        byte[] agent = userAgent.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(FIXED_LENGTH + agent.length + status.length);
        buf.putShort((short) version).put(nodeId.array()).putShort((short) listenPort)
                .putLong(nonce).putLong(capabilities).putLong(timestampMillis)
                .putShort((short) agent.length).put(agent)
                .putInt(status.length).put(status);
        return Message.wrap(MessageType.MsgHello, buf.array());
    }

    /** Encodes this HELLO as a version 2 handshake payload: {@link #nodeId()} and {@link #nonce()} are not sent. */
    public byte[] toV2Payload() {
        byte[] agent = userAgent.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(FIXED_LENGTH_V2 + agent.length + status.length);
        buf.putShort((short) version).putShort((short) listenPort)
                .putLong(capabilities).putLong(timestampMillis)
                .putShort((short) agent.length).put(agent)
                .putInt(status.length).put(status);
        return buf.array();
    }

    /**
     * Decodes a HELLO v2 handshake payload, from the peer whose static key the handshake
     * authenticated ({@code authenticatedId}). A version other than 2 still decodes if its
     * length allows (the caller refuses it with {@link DisconnectReason#INCOMPATIBLE_VERSION}).
     *
     * @throws ProtocolException for a truncated payload, trailing bytes, invalid UTF-8 or a
     *     field over its limit
     */
    public static Hello decodeV2(byte[] payload, NodeId authenticatedId) {
        Objects.requireNonNull(authenticatedId, "authenticatedId");
        PayloadReader r = new PayloadReader(Message.wrap(MessageType.MsgHello, payload));
        int version = r.u16("version");
        int listenPort = r.u16("listen port");
        long capabilities = r.u64("capabilities");
        long timestamp = r.u64("timestamp");
        return rest(r, version, authenticatedId, listenPort, 0, capabilities, timestamp);
    }

    /**
     * Decodes a HELLO payload. A version other than 1 still decodes (so the peer can be told
     * {@link DisconnectReason#INCOMPATIBLE_VERSION}); its fields after the version are read
     * with the version 1 layout.
     *
     * @throws ProtocolException for a truncated payload, trailing bytes, invalid UTF-8 or a
     *     field over its limit
     */
    public static Hello decode(Message message) {
        PayloadReader.requireType(message, MessageType.MsgHello);
        PayloadReader r = new PayloadReader(message);
        int version = r.u16("version");
        NodeId nodeId = NodeId.wrap(r.bytes(Bytes32.LENGTH, "node id"));
        int listenPort = r.u16("listen port");
        long nonce = r.u64("nonce");
        long capabilities = r.u64("capabilities");
        long timestamp = r.u64("timestamp");
        return rest(r, version, nodeId, listenPort, nonce, capabilities, timestamp);
    }

    /** The fields both versions end with: user agent and status; then nothing more. */
    private static Hello rest(PayloadReader r, int version, NodeId nodeId, int listenPort, long nonce,
                              long capabilities, long timestamp) {
        String userAgent = r.utf8(MAX_USER_AGENT_BYTES, "user agent");
        long statusLength = r.u32("status length");
        if (statusLength > MAX_STATUS_BYTES) {
            throw r.limit("status of " + statusLength + " bytes is above " + MAX_STATUS_BYTES);
        }
        byte[] status = r.bytes((int) statusLength, "status");
        r.end();
        return new Hello(version, nodeId, listenPort, nonce, capabilities, timestamp, userAgent, status);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hello h && h.version == version && h.nodeId.equals(nodeId) && h.listenPort == listenPort
                && h.nonce == nonce && h.capabilities == capabilities && h.timestampMillis == timestampMillis
                && h.userAgent.equals(userAgent) && Arrays.equals(h.status, status);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, nodeId, listenPort, nonce, capabilities, timestampMillis, userAgent)
                * 31 + Arrays.hashCode(status);
    }

    @Override
    public String toString() {
        return "Hello{v" + version + ", " + nodeId + ", port " + listenPort + ", caps 0x" + Long.toHexString(capabilities)
                + ", " + userAgent + ", status " + status.length + " bytes}";
    }
}
