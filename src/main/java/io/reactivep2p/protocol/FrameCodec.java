package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;

/**
 * Stateless flyweight codec of v1 frames: static {@code encode} methods and static accessors
 * that read header fields at fixed offsets from a frame's reader index, so the hot path
 * allocates no frame object.
 *
 * <pre>
 * offset  size  field
 *      0     4  magic      network magic, default 0x50325031 ("P2P1")
 *      4     1  type       message type code
 *      5     1  flags      bit 0: payload is LZ4-compressed; bits 1..7 must be 0
 *      6     4  length     payload bytes as on the wire
 *     10     4  checksum   CRC32C of the payload bytes as on the wire
 *     14     n  payload    (LZ4: u32 originalLength, then one LZ4 block)
 * </pre>
 *
 * <p>All integers are unsigned big-endian. {@link #decode} returns frames in their
 * uncompressed form: an LZ4 payload is verified, expanded, and given a fresh header whose
 * flags are 0 and whose checksum covers the expanded payload, so every frame it returns is
 * itself a valid frame that can be relayed as is.
 *
 * <p><b>Large frames.</b> {@link #encode} writes an uncompressed version 1 frame longer than
 * {@value #PIECE_LENGTH} bytes into pieces of at most that size, joined in a
 * {@link CompositeByteBuf} (the bytes on the wire are the same): Netty's pooling allocators
 * pool buffers only up to a size (1 MiB for the adaptive allocator, 256 KiB on small heaps),
 * and a larger buffer is a one-off allocation that the JDK zeroes and the kernel maps afresh,
 * for every frame. An inner frame is on the heap, and from {@value #WRAP_THRESHOLD} payload
 * bytes it is its header and the message's own array (see {@code encodeInner}).
 */
public final class FrameCodec {

    /** Header bytes before the payload. */
    public static final int HEADER_LENGTH = 14;
    /** Flag bit 0: the payload is {@code u32 originalLength} followed by one LZ4 block. */
    public static final int FLAG_LZ4 = 0b0000_0001;
    /** Flag bits version 1 reserves; a frame with any of them set is rejected. */
    public static final int RESERVED_FLAGS = 0b1111_1110;

    static final int MAGIC_OFFSET = 0;
    static final int CHECKSUM_OFFSET = 10;
    static final int LZ4_PREFIX_LENGTH = 4;
    /** The largest buffer {@link #encode} allocates for an uncompressed frame; longer frames take several. */
    static final int PIECE_LENGTH = 256 * 1024;
    /** The payload length from which an inner frame refers to the message's array instead of copying it. */
    static final int WRAP_THRESHOLD = 4 * 1024;
    /** Bytes checksummed, then copied, at a time: the copy reads what the checksum has just brought into the cache. */
    private static final int CRC_BLOCK = 16 * 1024;

    private FrameCodec() {
    }

    // ---- accessors: `frame` is a buffer whose reader index is the first byte of a frame ----

    /** The magic field. */
    public static int magic(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + MAGIC_OFFSET);
    }

    /** The type code, {@code 0..255} ({@link FrameFormat#typeCode} of {@link FrameFormat#V1}). */
    public static int typeCode(ByteBuf frame) {
        return FrameFormat.V1.typeCode(frame);
    }

    /** The message type. */
    public static MessageType type(ByteBuf frame) {
        return FrameFormat.V1.type(frame);
    }

    /** The flags field. */
    public static int flags(ByteBuf frame) {
        return FrameFormat.V1.flags(frame);
    }

    /** The payload length as on the wire. */
    public static int payloadLength(ByteBuf frame) {
        return FrameFormat.V1.payloadLength(frame);
    }

    /** The checksum field. */
    public static int checksum(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + CHECKSUM_OFFSET);
    }

    /** A slice of the payload sharing the frame's memory; not retained. */
    public static ByteBuf payload(ByteBuf frame) {
        return FrameFormat.V1.payload(frame);
    }

    /**
     * xxHash64 with {@code seed} of the payload of an uncompressed frame, read in place;
     * equals {@link Message#payloadHash64} of the same payload.
     */
    public static long payloadHash64(ByteBuf frame, long seed) {
        int index = frame.readerIndex() + HEADER_LENGTH;
        int length = payloadLength(frame);
        if (frame.hasArray()) {
            return Lz4.XXH64.hash(frame.array(), frame.arrayOffset() + index, length, seed);
        }
        if (frame.nioBufferCount() == 1) {
            ByteBuffer nio = frame.internalNioBuffer(index, length);
            // lz4-java's pure-Java fallback reads direct memory little-endian and would allocate
            // a little-endian duplicate of a big-endian buffer on every call (its JNI code
            // reads the buffer as it is). Netty uses its internal NIO buffer for bulk transfers
            // only, where the byte order does not matter.
            if (nio.order() != ByteOrder.LITTLE_ENDIAN) {
                nio.order(ByteOrder.LITTLE_ENDIAN);
            }
            return Lz4.XXH64.hash(nio, nio.position(), length, seed);
        }
        byte[] copy = new byte[length];
        frame.getBytes(index, copy);
        return Lz4.XXH64.hash(copy, 0, length, seed);
    }

    /**
     * Copies an uncompressed frame (as returned by {@link #decode}) into a heap
     * {@link Message}. Does not release the frame.
     */
    public static Message toMessage(ByteBuf frame) {
        return FrameFormat.V1.toMessage(frame);
    }

    // ---- encoding ----

    /**
     * Encodes {@code message} into a new frame.
     *
     * @param alloc where the frame buffer comes from; the caller owns the returned buffer
     * @param settings magic, limits and compression threshold
     * @param message the message
     * @param lz4 whether the receiver supports LZ4; the payload is compressed only when it is
     *     at least {@link FrameSettings#compressionThreshold()} bytes and the result is smaller
     * @throws IllegalArgumentException when the payload is above the message or frame limit
     */
    public static ByteBuf encode(ByteBufAllocator alloc, FrameSettings settings, Message message, boolean lz4) {
        byte[] payload = message.array();
        int length = payload.length;
        if (length > settings.maxMessageLength()) {
            throw new IllegalArgumentException("payload of " + length + " bytes is above maxMessageLength "
                    + settings.maxMessageLength());
        }
        if (lz4 && length >= settings.compressionThreshold() && length > LZ4_PREFIX_LENGTH) {
            return encodeCompressing(alloc, settings, message.type().code(), payload);
        }
        checkFrameLength(length, settings);
        return encodePlain(alloc, settings, message.type().code(), payload);
    }

    /**
     * An uncompressed frame: a version 1 frame in one buffer, or in pieces of at most
     * {@link #PIECE_LENGTH} bytes; an inner frame as {@code encodeInner} makes it.
     */
    private static ByteBuf encodePlain(ByteBufAllocator alloc, FrameSettings settings, int type, byte[] payload) {
        if (settings.format() != FrameFormat.V1) {
            return encodeInner(alloc, settings, type, payload);
        }
        int length = payload.length;
        int header = settings.format().headerLength();
        if (header + length <= PIECE_LENGTH) {
            ByteBuf frame = alloc.buffer(header + length);
            writeHeader(frame, settings, type, 0, length, Crc32c.of(payload, 0, length));
            return frame.writeBytes(payload);
        }
        CompositeByteBuf frame = alloc.compositeBuffer((header + length + PIECE_LENGTH - 1) / PIECE_LENGTH);
        try {
            CRC32C crc = Crc32c.start();
            for (int offset = 0; offset < length; ) {
                boolean first = offset == 0;
                int end = offset + Math.min(first ? PIECE_LENGTH - header : PIECE_LENGTH, length - offset);
                ByteBuf piece = alloc.buffer((first ? header : 0) + end - offset);
                try {
                    if (first) {
                        writeHeader(piece, settings, type, 0, length, 0); // the checksum is set once known
                    }
                    checksumAndCopy(payload, offset, end, crc, piece);
                } catch (RuntimeException e) {
                    piece.release();
                    throw e;
                }
                frame.addComponent(true, piece);
                offset = end;
            }
            return frame.setInt(CHECKSUM_OFFSET, (int) crc.getValue());
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    /**
     * An inner frame (the secure channel's): on the heap, where the record layer copies it from
     * and encrypts it (the JDK's AES-GCM runs its fast path on arrays only). A payload of
     * {@value #WRAP_THRESHOLD} bytes or more is not copied at all: the frame is the header and
     * the message's own array (immutable), so the record layer's copy is the only one.
     */
    private static ByteBuf encodeInner(ByteBufAllocator alloc, FrameSettings settings, int type, byte[] payload) {
        int header = FrameFormat.INNER.headerLength();
        if (payload.length < WRAP_THRESHOLD) {
            ByteBuf frame = alloc.heapBuffer(header + payload.length);
            writeHeader(frame, settings, type, 0, payload.length, 0);
            return frame.writeBytes(payload);
        }
        ByteBuf head = alloc.heapBuffer(header);
        writeHeader(head, settings, type, 0, payload.length, 0);
        return alloc.compositeHeapBuffer(2).addComponents(true, head, Unpooled.wrappedBuffer(payload));
    }

    private static void checksumAndCopy(byte[] payload, int from, int to, CRC32C crc, ByteBuf dst) {
        for (int n; from < to; from += n) {
            n = Math.min(CRC_BLOCK, to - from);
            crc.update(payload, from, n);
            dst.writeBytes(payload, from, n);
        }
    }

    private static ByteBuf encodeCompressing(ByteBufAllocator alloc, FrameSettings settings, int type, byte[] payload) {
        int length = payload.length;
        int maxBlock = Lz4.COMPRESSOR.maxCompressedLength(length);
        boolean v1 = settings.format() == FrameFormat.V1;
        int header = settings.format().headerLength();
        // maxBlock >= length, so the buffer also fits the payload uncompressed.
        int capacity = header + LZ4_PREFIX_LENGTH + maxBlock;
        ByteBuf frame = v1 ? alloc.buffer(capacity) : alloc.heapBuffer(capacity);
        try {
            int base = frame.writerIndex();
            ByteBuffer block = frame.internalNioBuffer(base + header + LZ4_PREFIX_LENGTH, maxBlock);
            int blockLength = Lz4.COMPRESSOR.compress(ByteBuffer.wrap(payload), 0, length, block,
                    block.position(), maxBlock);
            int wireLength = LZ4_PREFIX_LENGTH + blockLength;
            if (wireLength < length) {
                checkFrameLength(wireLength, settings);
                frame.setInt(base + header, length);
                int crc = v1 ? Crc32c.of(frame, base + header, wireLength) : 0;
                writeHeader(frame, settings, type, FLAG_LZ4, wireLength, crc);
                return frame.writerIndex(base + header + wireLength);
            }
            checkFrameLength(length, settings);
            writeHeader(frame, settings, type, 0, length, v1 ? Crc32c.of(payload, 0, length) : 0);
            return frame.writeBytes(payload);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    private static void checkFrameLength(int wireLength, FrameSettings settings) {
        if (wireLength > settings.maxFrameLength()) {
            throw new IllegalArgumentException("frame payload of " + wireLength + " bytes is above maxFrameLength "
                    + settings.maxFrameLength());
        }
    }

    /** Writes a header at the writer index (an inner frame's: type, flags, length). */
    private static void writeHeader(ByteBuf frame, FrameSettings settings, int type, int flags, int length, int crc) {
        if (settings.format() == FrameFormat.V1) {
            frame.writeInt(settings.magic()).writeByte(type).writeByte(flags).writeInt(length).writeInt(crc);
        } else {
            frame.writeByte(type).writeByte(flags).writeInt(length);
        }
    }

    // ---- decoding ----

    /**
     * Decodes one frame from the front of {@code in}.
     *
     * <p>Checks, in order, as soon as the header is there and before any payload is buffered:
     * magic, reserved flags, length against {@link FrameSettings#maxFrameLength()}; then, once
     * the whole payload is there: the CRC32C, and for LZ4 the original length against
     * {@link FrameSettings#maxMessageLength()} before decompressing. An inner frame
     * ({@link FrameFormat#INNER}) has no magic and no CRC32C to check.
     *
     * @return {@code null} when {@code in} holds no complete frame yet (nothing is consumed);
     *     otherwise the uncompressed frame, which the caller must release, and {@code in}'s
     *     reader index is moved past the frame. An uncompressed frame is a retained slice of
     *     {@code in} (no copy); an LZ4 frame is expanded into a buffer from {@code alloc}.
     * @throws ProtocolException when the frame breaks the protocol; the stream cannot be
     *     resynchronised after it
     */
    public static ByteBuf decode(ByteBuf in, FrameSettings settings, ByteBufAllocator alloc) {
        FrameFormat f = settings.format();
        boolean v1 = f == FrameFormat.V1; // an inner frame has no magic and no checksum: its record authenticates it
        int header = f.headerLength();
        if (in.readableBytes() < header) {
            return null;
        }
        int start = in.readerIndex();
        if (v1) {
            int magic = in.getInt(start + MAGIC_OFFSET);
            if (magic != settings.magic()) {
                throw badMagic(magic, settings.magic());
            }
        }
        int flags = in.getUnsignedByte(start + f.flagsOffset());
        if ((flags & RESERVED_FLAGS) != 0) {
            throw reservedFlags(flags);
        }
        long length = in.getUnsignedInt(start + f.lengthOffset());
        if (length > settings.maxFrameLength()) {
            throw frameTooLarge(length, settings.maxFrameLength());
        }
        int payloadLength = (int) length;
        if (in.readableBytes() - header < payloadLength) {
            return null;
        }
        if (v1) {
            int checksum = in.getInt(start + CHECKSUM_OFFSET);
            int actual = Crc32c.of(in, start + header, payloadLength);
            if (actual != checksum) {
                throw badChecksum(checksum, actual);
            }
        }
        if ((flags & FLAG_LZ4) == 0) {
            return in.readRetainedSlice(header + payloadLength);
        }
        ByteBuf frame = decompress(in, start, payloadLength, settings, alloc);
        in.skipBytes(header + payloadLength);
        return frame;
    }

    private static ByteBuf decompress(ByteBuf in, int start, int wireLength, FrameSettings settings,
                                      ByteBufAllocator alloc) {
        FrameFormat f = settings.format();
        int header = f.headerLength();
        if (wireLength < LZ4_PREFIX_LENGTH) {
            throw new ProtocolException(ProtocolException.Kind.BAD_COMPRESSION,
                    "LZ4 payload of " + wireLength + " bytes has no original length");
        }
        long originalLength = in.getUnsignedInt(start + header);
        if (originalLength > settings.maxMessageLength()) {
            throw new ProtocolException(ProtocolException.Kind.MESSAGE_TOO_LARGE,
                    "LZ4 original length " + originalLength + " is above maxMessageLength " + settings.maxMessageLength());
        }
        int outLength = (int) originalLength;
        int blockLength = wireLength - LZ4_PREFIX_LENGTH;
        ByteBuf frame = alloc.buffer(header + outLength);
        try {
            int base = frame.writerIndex();
            ByteBuffer src = in.nioBufferCount() == 1
                    ? in.internalNioBuffer(start + header + LZ4_PREFIX_LENGTH, blockLength)
                    : in.nioBuffer(start + header + LZ4_PREFIX_LENGTH, blockLength);
            ByteBuffer dst = frame.internalNioBuffer(base + header, outLength);
            int produced;
            try {
                produced = Lz4.DECOMPRESSOR.decompress(src, src.position(), blockLength, dst, dst.position(), outLength);
            } catch (LZ4Exception | IndexOutOfBoundsException e) {
                throw new ProtocolException(ProtocolException.Kind.BAD_COMPRESSION,
                        "corrupt LZ4 block of " + blockLength + " bytes");
            }
            if (produced != outLength) {
                throw new ProtocolException(ProtocolException.Kind.BAD_COMPRESSION,
                        "LZ4 block expands to " + produced + " bytes, header says " + outLength);
            }
            frame.writerIndex(base + header + outLength);
            if (f == FrameFormat.V1) {
                int crc = Crc32c.of(frame, base + HEADER_LENGTH, outLength);
                frame.setInt(base + MAGIC_OFFSET, in.getInt(start + MAGIC_OFFSET));
                frame.setInt(base + CHECKSUM_OFFSET, crc);
            }
            frame.setByte(base + f.typeOffset(), in.getByte(start + f.typeOffset()));
            frame.setByte(base + f.flagsOffset(), 0);
            frame.setInt(base + f.lengthOffset(), outLength);
            return frame;
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }

    // Error paths live here, out of the hot method.

    private static ProtocolException badMagic(int magic, int expected) {
        return new ProtocolException(ProtocolException.Kind.BAD_MAGIC,
                String.format(Locale.ROOT, "magic 0x%08x, expected 0x%08x", magic, expected));
    }

    private static ProtocolException reservedFlags(int flags) {
        return new ProtocolException(ProtocolException.Kind.RESERVED_FLAGS,
                String.format(Locale.ROOT, "reserved flag bits set: 0x%02x", flags));
    }

    private static ProtocolException frameTooLarge(long length, int max) {
        return new ProtocolException(ProtocolException.Kind.FRAME_TOO_LARGE,
                "frame length " + length + " is above maxFrameLength " + max);
    }

    private static ProtocolException badChecksum(int expected, int actual) {
        return new ProtocolException(ProtocolException.Kind.BAD_CHECKSUM,
                String.format(Locale.ROOT, "checksum 0x%08x, payload has 0x%08x", expected, actual));
    }
}
