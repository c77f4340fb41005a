package io.reactivep2p.protocol;

/**
 * The settings of the frame codec, shared by both directions of a connection.
 *
 * <pre>{@code
 * FrameSettings testnet = FrameSettings.defaults().withMagic(0x50325454);
 * }</pre>
 *
 * @param magic network magic: a frame with another value closes the connection
 *     (default {@value #DEFAULT_MAGIC}, {@code "P2P1"})
 * @param maxFrameLength largest payload accepted on the wire, compressed or not; a header
 *     announcing more is rejected before a byte of the payload is buffered (default 4 MiB)
 * @param maxMessageLength largest payload after decompression; an LZ4 payload announcing
 *     more is rejected before decompressing, and larger messages are never sent (default 4 MiB)
 * @param compressionThreshold smallest payload the encoder tries to compress when the peer
 *     supports LZ4 (default 1 KiB)
 * @param format the frame layout: {@link FrameFormat#V1} on the socket (the default), or
 *     {@link FrameFormat#INNER} inside the secure channel, where the magic travels in the
 *     preamble and the records' AEAD replaces the checksum
 */
public record FrameSettings(int magic, int maxFrameLength, int maxMessageLength, int compressionThreshold,
                            FrameFormat format) {

    /** {@code 0x50325031}, "P2P1". */
    public static final int DEFAULT_MAGIC = 0x50325031;
    /** 4 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 4 * 1024 * 1024;
    /** 4 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 4 * 1024 * 1024;
    /** 1 KiB. */
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 1024;
    /** Upper bound of both length limits, so that a frame's total size fits an {@code int}. */
    public static final int MAX_LENGTH_LIMIT = 1 << 30;

    private static final FrameSettings DEFAULTS = new FrameSettings(
            DEFAULT_MAGIC, DEFAULT_MAX_FRAME_LENGTH, DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_COMPRESSION_THRESHOLD,
            FrameFormat.V1);

    /** Checks every field. */
    public FrameSettings {
        if (maxFrameLength < 1 || maxFrameLength > MAX_LENGTH_LIMIT) {
            throw new IllegalArgumentException("maxFrameLength must be in 1.." + MAX_LENGTH_LIMIT + ", got " + maxFrameLength);
        }
        if (maxMessageLength < 1 || maxMessageLength > MAX_LENGTH_LIMIT) {
            throw new IllegalArgumentException("maxMessageLength must be in 1.." + MAX_LENGTH_LIMIT + ", got " + maxMessageLength);
        }
        if (compressionThreshold < 0) {
            throw new IllegalArgumentException("compressionThreshold must be >= 0, got " + compressionThreshold);
        }
        java.util.Objects.requireNonNull(format, "format");
    }

    /** The defaults of protocol v1. */
    public static FrameSettings defaults() {
        return DEFAULTS;
    }

    /** A copy with another magic. */
    public FrameSettings withMagic(int magic) {
        return new FrameSettings(magic, maxFrameLength, maxMessageLength, compressionThreshold, format);
    }

    /** A copy with another maximum frame length. */
    public FrameSettings withMaxFrameLength(int maxFrameLength) {
        return new FrameSettings(magic, maxFrameLength, maxMessageLength, compressionThreshold, format);
    }

    /** A copy with another maximum message length. */
    public FrameSettings withMaxMessageLength(int maxMessageLength) {
        return new FrameSettings(magic, maxFrameLength, maxMessageLength, compressionThreshold, format);
    }

    /** A copy with another frame layout. */
    public FrameSettings withFormat(FrameFormat format) {
        return new FrameSettings(magic, maxFrameLength, maxMessageLength, compressionThreshold, format);
    }

    /** A copy with another compression threshold. */
    public FrameSettings withCompressionThreshold(int compressionThreshold) {
        return new FrameSettings(magic, maxFrameLength, maxMessageLength, compressionThreshold, format);
    }
}
