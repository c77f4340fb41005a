package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The two frame layouts: version 1's frames on the socket, and version 2's inner frames, which
 * travel inside the secure channel's records. The same fields, less the magic and the
 * checksum (the records' AEAD authenticates every byte):
 *
 * <pre>
 *  V1     magic u32 | type u8 | flags u8 | length u32 | CRC32C u32 | payload     14-byte header
 *  INNER              type u8 | flags u8 | length u32 |              payload      6-byte header
 * </pre>
 *
 * <p>A node uses one of them on all its connections ({@link FrameSettings#format()}), so a
 * frame encoded once (for gossip to many peers) fits every connection. The accessors read a
 * field of a frame in this format at a fixed offset from its reader index.
 */
public enum FrameFormat {

    /** Version 1: {@link FrameCodec}'s frames, with the network magic and a CRC32C. */
    V1(14, 4, 5, 6),
    /** Version 2's inner frames: type, flags, length, payload. */
    INNER(6, 0, 1, 2);

    private final int headerLength;
    private final int typeOffset;
    private final int flagsOffset;
    private final int lengthOffset;

    FrameFormat(int headerLength, int typeOffset, int flagsOffset, int lengthOffset) {
        this.headerLength = headerLength;
        this.typeOffset = typeOffset;
        this.flagsOffset = flagsOffset;
        this.lengthOffset = lengthOffset;
    }

    /** Header bytes before the payload. */
    public int headerLength() {
        return headerLength;
    }

    int typeOffset() {
        return typeOffset;
    }

    int flagsOffset() {
        return flagsOffset;
    }

    int lengthOffset() {
        return lengthOffset;
    }

    /** The type code of a frame, {@code 0..255}. */
    public int typeCode(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + typeOffset);
    }

    /** The message type of a frame. */
    public MessageType type(ByteBuf frame) {
        return MessageType.fromCode(typeCode(frame));
    }

    /** The flags of a frame. */
    public int flags(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + flagsOffset);
    }

    /** The payload length of a frame, as on the wire; read only once the header is there. */
    public int payloadLength(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + lengthOffset);
    }

    /** A slice of the payload sharing the frame's memory; not retained. */
    public ByteBuf payload(ByteBuf frame) {
        return frame.slice(frame.readerIndex() + headerLength, payloadLength(frame));
    }

    /**
     * Copies an uncompressed frame (as the decoder returns them) into a heap {@link Message}.
     * Does not release the frame.
     */
    public Message toMessage(ByteBuf frame) {
        if ((flags(frame) & FrameCodec.FLAG_LZ4) != 0) {
            throw new IllegalArgumentException("frame is compressed; decode it first");
        }
        byte[] payload = new byte[payloadLength(frame)];
        frame.getBytes(frame.readerIndex() + headerLength, payload);
        return Message.wrap(type(frame), payload);
    }
}
