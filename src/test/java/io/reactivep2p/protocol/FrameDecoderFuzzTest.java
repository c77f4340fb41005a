package io.reactivep2p.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;

/**
 * Fuzz tests of the frame decoder: whatever bytes arrive, in whatever pieces, the decoder
 * either emits well-formed uncompressed frames or fails once with a {@link ProtocolException};
 * never another exception, never a frame over the limits, never a leaked buffer (the tests run
 * with paranoid leak detection).
 *
 * <p>In a normal build these run as regression tests over the inputs committed under
 * {@code src/test/resources/io/reactivep2p/protocol/FrameDecoderFuzzTestInputs/<method>/}.
 * To fuzz one for real (see docs/security.md):
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -pl src test -Dtest=FrameDecoderFuzzTest#checksummedFrames -Dreactivep2p.lz4=java
 * </pre>
 */
class FrameDecoderFuzzTest {

    /** Small limits, so that the fuzzer reaches every limit with short inputs. */
    static final FrameSettings SETTINGS = FrameSettings.defaults().withMaxFrameLength(4096).withMaxMessageLength(8192);

    /**
     * The decoder, with the thresholds of its large-frame path at their defaults (never reached
     * by frames under 4 KiB) or small enough for short inputs to take it: frames of 48 payload
     * bytes and more gathered as composites, reads of 24 bytes joining them as they are, smaller
     * ones copied into a 64-byte tail.
     */
    private static FrameDecoder decoder(FuzzedDataProvider data) {
        return data.consumeBoolean()
                ? new FrameDecoder(SETTINGS, FrameObserver.NONE, 48, 24, 64)
                : new FrameDecoder(SETTINGS);
    }

    /** Any bytes at all, cut into pieces of 1 to 64 bytes. */
    @FuzzTest(maxDuration = "10m")
    void anyBytes(FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder(data));
        try {
            boolean failed = false;
            while (data.remainingBytes() > 0) {
                int piece = data.consumeInt(1, 64);
                failed |= feed(channel, data.consumeBytes(piece), failed);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * Frames whose checksums are right, so that the fuzzer gets past the CRC32C to the length
     * checks and the LZ4 decompression: each frame's type, flags, payload (raw, or an LZ4 block
     * of fuzzed bytes whose declared original length may be fuzzed too) come from the input,
     * the CRC32C is computed; the stream is then cut into pieces.
     */
    @FuzzTest(maxDuration = "10m")
    void checksummedFrames(FuzzedDataProvider data) {
        ByteBuf stream = Unpooled.buffer();
        EmbeddedChannel channel = new EmbeddedChannel(decoder(data));
        try {
            int frames = data.consumeInt(1, 4);
            for (int i = 0; i < frames; i++) {
                int type = data.consumeInt(0, 255);
                int flags = data.consumeBoolean() ? FrameCodec.FLAG_LZ4 : data.consumeInt(0, 255);
                byte[] payload;
                if ((flags & FrameCodec.FLAG_LZ4) != 0 && data.consumeBoolean()) {
                    byte[] original = data.consumeBytes(data.consumeInt(0, 9000));
                    byte[] block = new byte[Lz4.COMPRESSOR.maxCompressedLength(original.length)];
                    int blockLength = Lz4.COMPRESSOR.compress(original, 0, original.length, block, 0, block.length);
                    int declared = data.consumeBoolean() ? original.length : data.consumeInt();
                    payload = ByteBuffer.allocate(4 + blockLength).putInt(declared).put(block, 0, blockLength).array();
                } else {
                    payload = data.consumeBytes(data.consumeInt(0, 5000));
                }
                stream.writeInt(data.consumeBoolean() ? SETTINGS.magic() : data.consumeInt())
                        .writeByte(type).writeByte(flags).writeInt(payload.length)
                        .writeInt(Crc32c.of(payload, 0, payload.length)).writeBytes(payload);
            }
            stream.writeBytes(data.consumeRemainingAsBytes());
            boolean failed = false;
            int piece = 1 + (stream.readableBytes() % 97);
            while (stream.isReadable()) {
                piece = 1 + (piece * 31 + 7) % 97; // pieces of varying length, from the input's length
                byte[] bytes = new byte[Math.min(piece, stream.readableBytes())];
                stream.readBytes(bytes);
                failed |= feed(channel, bytes, failed);
            }
        } finally {
            stream.release();
            channel.finishAndReleaseAll();
        }
    }

    /** Writes one piece; checks and releases what comes out. Returns whether the decoder failed on it. */
    private static boolean feed(EmbeddedChannel channel, byte[] piece, boolean failedBefore) {
        boolean failed = false;
        try {
            // A read in a buffer just its size, or in one with room to spare (as socket reads are).
            ByteBuf read = piece.length % 3 == 0 ? Unpooled.buffer(piece.length * 3).writeBytes(piece)
                    : Unpooled.wrappedBuffer(piece);
            channel.writeInbound(read);
        } catch (ProtocolException e) {
            assertThat(failedBefore).as("the error is fired once").isFalse();
            assertThat(e.kind()).isNotNull();
            failed = true;
        }
        for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
            try {
                assertThat(failedBefore).as("no frame after the stream failed").isFalse();
                assertThat(FrameCodec.magic(frame)).isEqualTo(SETTINGS.magic());
                assertThat(FrameCodec.flags(frame) & FrameCodec.FLAG_LZ4).as("frames come out uncompressed").isZero();
                assertThat(FrameCodec.payloadLength(frame)).isLessThanOrEqualTo(SETTINGS.maxMessageLength())
                        .isEqualTo(frame.readableBytes() - FrameCodec.HEADER_LENGTH);
                FrameCodec.toMessage(frame); // the payload reads back whole
            } finally {
                frame.release();
            }
        }
        return failed;
    }
}
