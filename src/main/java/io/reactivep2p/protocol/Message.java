package io.reactivep2p.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A protocol message: a {@link MessageType} and an immutable payload.
 *
 * <pre>{@code
 * Message tx = Message.of(MessageType.MsgTx, txBytes);   // copies txBytes
 * ByteBuffer view = tx.payload();                        // read-only, no copy
 * byte[] copy = tx.payloadBytes();                       // a fresh copy
 * }</pre>
 *
 * <p>Messages hold their payload on the heap, so they carry no reference count and may be
 * kept, shared between threads and handed to any scheduler without being released.
 * Equality compares the type and the payload bytes.
 */
public final class Message {

    private static final byte[] EMPTY = new byte[0];

    private final MessageType type;
    private final byte[] payload;

    private Message(MessageType type, byte[] payload) {
        this.type = Objects.requireNonNull(type, "type");
        this.payload = payload;
    }

    /** A message with a copy of {@code payload}. */
    public static Message of(MessageType type, byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        return new Message(type, payload.length == 0 ? EMPTY : payload.clone());
    }

    /** A message with a copy of {@code length} bytes of {@code payload} from {@code offset}. */
    public static Message of(MessageType type, byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, Objects.requireNonNull(payload, "payload").length);
        return new Message(type, length == 0 ? EMPTY : Arrays.copyOfRange(payload, offset, offset + length));
    }

    /** A message with an empty payload. */
    public static Message empty(MessageType type) {
        return new Message(type, EMPTY);
    }

    /**
     * A message that takes ownership of {@code payload} without copying it: the caller must
     * not modify the array afterwards. For codecs that have just built the array.
     */
    public static Message wrap(MessageType type, byte[] payload) {
        return new Message(type, Objects.requireNonNull(payload, "payload"));
    }

    /** The type. */
    public MessageType type() {
        return type;
    }

    /** The payload length in bytes (uncompressed). */
    public int payloadLength() {
        return payload.length;
    }

    /** A read-only view of the payload, positioned at 0; no copy. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** A copy of the payload. */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    /** The payload byte at {@code index}. */
    public byte payloadByte(int index) {
        return payload[index];
    }

    /**
     * xxHash64 of the payload with {@code seed}: the primitive of the node-local dedup key
     * ({@code io.reactivep2p.gossip.MessageIds}). Reads the payload in place; allocates
     * nothing. Equals {@link FrameCodec#payloadHash64} of the same payload in a frame.
     */
    public long payloadHash64(long seed) {
        return Lz4.XXH64.hash(payload, 0, payload.length, seed);
    }

    /** Copies {@code length} payload bytes from {@code srcIndex} into {@code dst}. */
    public void copyPayload(int srcIndex, byte[] dst, int dstIndex, int length) {
        System.arraycopy(payload, srcIndex, dst, dstIndex, length);
    }

    /** Package-private: the codecs of this package read and write the array directly. */
    byte[] array() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && m.type.equals(type) && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Message{" + type + ", " + payload.length + " bytes}";
    }
}
