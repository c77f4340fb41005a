package io.reactivep2p.protocol;

import static io.reactivep2p.protocol.Frames.ALLOC;
import static io.reactivep2p.protocol.Frames.SETTINGS;
import static io.reactivep2p.protocol.Frames.decode;
import static io.reactivep2p.protocol.Frames.encode;
import static io.reactivep2p.protocol.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameCodecTest {

    @Test
    void checksumIsCrc32cCastagnoli() {
        assertThat(Crc32c.of("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9)).isEqualTo(0xE3069283);
        ByteBuf direct = Unpooled.directBuffer().writeBytes("x123456789".getBytes(StandardCharsets.US_ASCII));
        try {
            assertThat(Crc32c.of(direct, 1, 9)).isEqualTo(0xE3069283);
        } finally {
            direct.release();
        }
    }

    @Test
    void decode_returnsNullAndConsumesNothingUntilTheFrameIsComplete() {
        byte[] frame = encode(Message.of(MessageType.MsgTx, new byte[100]), false);
        for (int n = 0; n < frame.length; n++) {
            ByteBuf in = Unpooled.wrappedBuffer(Arrays.copyOf(frame, n));
            try {
                assertThat(FrameCodec.decode(in, SETTINGS, ALLOC)).isNull();
                assertThat(in.readerIndex()).isZero();
            } finally {
                in.release();
            }
        }
    }

    @Test
    void decode_rejectsBadMagic() {
        byte[] frame = hex(GoldenVectorsTest.PING);
        frame[0] = 0x51;
        assertRejected(frame, ProtocolException.Kind.BAD_MAGIC);
        assertThat(ProtocolException.Kind.BAD_MAGIC.reason()).isEqualTo(DisconnectReason.WRONG_NETWORK);
    }

    @Test
    void decode_acceptsOnlyItsOwnNetworksMagic() {
        byte[] frame = hex(GoldenVectorsTest.PING);
        FrameSettings testnet = SETTINGS.withMagic(0x50325454);
        assertThatThrownBy(() -> decode(frame, testnet)).isInstanceOf(ProtocolException.class);
        ByteBuf encoded = FrameCodec.encode(ALLOC, testnet, new Ping(1).toMessage(), false);
        try {
            assertThat(encoded.getInt(0)).isEqualTo(0x50325454);
        } finally {
            encoded.release();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFE})
    void decode_rejectsReservedFlags(int flag) {
        byte[] frame = hex(GoldenVectorsTest.PING);
        frame[5] = (byte) flag;
        assertRejected(frame, ProtocolException.Kind.RESERVED_FLAGS);
    }

    @Test
    void decode_rejectsOversizeLengthBeforeAllocating() {
        // A header claiming 2 GiB, and nothing else: rejected from the 14 header bytes alone.
        ByteBuf header = Unpooled.buffer(14).writeInt(SETTINGS.magic()).writeByte(0x20).writeByte(0)
                .writeInt(0x8000_0000).writeInt(0);
        CountingAllocator alloc = new CountingAllocator();
        try {
            assertThatThrownBy(() -> FrameCodec.decode(header, SETTINGS, alloc))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE));
            assertThat(alloc.allocations).hasValue(0);
        } finally {
            header.release();
        }
    }

    @Test
    void decode_acceptsExactlyMaxFrameLengthAndRejectsOneMore() {
        FrameSettings small = SETTINGS.withMaxFrameLength(64);
        assertThat(decode(encode(Message.of(MessageType.MsgTx, new byte[64]), false), small).payloadLength())
                .isEqualTo(64);
        assertRejected(encode(Message.of(MessageType.MsgTx, new byte[65]), false), small,
                ProtocolException.Kind.FRAME_TOO_LARGE);
    }

    @Test
    void decode_rejectsBadChecksum() {
        byte[] frame = hex(GoldenVectorsTest.TX);
        frame[frame.length - 1] ^= 1;
        assertRejected(frame, ProtocolException.Kind.BAD_CHECKSUM);
        byte[] header = hex(GoldenVectorsTest.TX);
        header[12] ^= 1;
        assertRejected(header, ProtocolException.Kind.BAD_CHECKSUM);
    }

    @Test
    void decode_rejectsTruncatedLz4Block() {
        byte[] lz4 = hex(GoldenVectorsTest.TX_LZ4);
        byte[] payload = Arrays.copyOfRange(lz4, 14, lz4.length - 3); // drop the last literals
        assertRejected(lz4Frame(payload), ProtocolException.Kind.BAD_COMPRESSION);
    }

    @Test
    void decode_rejectsCorruptLz4Block() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[4 + 1 + random.nextInt(64)];
            random.nextBytes(garbage);
            ByteBuffer.wrap(garbage).putInt(0, 1000); // a plausible original length
            ByteBuf in = Unpooled.wrappedBuffer(lz4Frame(garbage));
            try {
                ByteBuf frame = FrameCodec.decode(in, SETTINGS, ALLOC);
                // Random bytes may form a valid block by chance; it must then expand to exactly 1000 bytes.
                assertThat(FrameCodec.payloadLength(frame)).isEqualTo(1000);
                frame.release();
            } catch (ProtocolException e) {
                assertThat(e.kind()).isEqualTo(ProtocolException.Kind.BAD_COMPRESSION);
            } finally {
                in.release();
            }
        }
    }

    @Test
    void decode_rejectsLz4BlockExpandingToAnotherLength() {
        byte[] lz4 = hex(GoldenVectorsTest.TX_LZ4);
        byte[] payload = Arrays.copyOfRange(lz4, 14, lz4.length);
        ByteBuffer.wrap(payload).putInt(0, 1023);
        assertRejected(lz4Frame(payload), ProtocolException.Kind.BAD_COMPRESSION);
        ByteBuffer.wrap(payload).putInt(0, 2048);
        assertRejected(lz4Frame(payload), ProtocolException.Kind.BAD_COMPRESSION);
    }

    @Test
    void decode_rejectsLz4OriginalLengthOverMaxBeforeDecompressing() {
        byte[] payload = new byte[] {(byte) 0x80, 0, 0, 0, 0x1F, 0x61, 0x01, 0x00, (byte) 0xFF, 0x50, 1, 2, 3, 4, 5};
        CountingAllocator alloc = new CountingAllocator();
        ByteBuf in = Unpooled.wrappedBuffer(lz4Frame(payload));
        try {
            assertThatThrownBy(() -> FrameCodec.decode(in, SETTINGS, alloc))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.MESSAGE_TOO_LARGE));
            assertThat(alloc.allocations).hasValue(0);
        } finally {
            in.release();
        }
    }

    @Test
    void decode_rejectsLz4PayloadWithoutOriginalLength() {
        assertRejected(lz4Frame(new byte[] {0, 0, 1}), ProtocolException.Kind.BAD_COMPRESSION);
    }

    @Test
    void decode_givesLz4FramesAFreshValidHeader() {
        byte[] lz4 = hex(GoldenVectorsTest.TX_LZ4);
        ByteBuf in = Unpooled.wrappedBuffer(lz4);
        ByteBuf frame = FrameCodec.decode(in, SETTINGS, ALLOC);
        try {
            assertThat(FrameCodec.flags(frame)).isZero();
            assertThat(FrameCodec.payloadLength(frame)).isEqualTo(1024);
            assertThat(FrameCodec.checksum(frame)).isEqualTo(0x3ab96a62); // CRC32C of 1024 x 'a'
            assertThat(FrameCodec.type(frame)).isEqualTo(MessageType.MsgTx);
            assertThat(frame.readableBytes()).isEqualTo(FrameCodec.HEADER_LENGTH + 1024);
        } finally {
            frame.release();
            in.release();
        }
    }

    @Test
    void encode_compressesOnlyWhenAllowedLargeEnoughAndSmaller() {
        byte[] text = "the quick brown fox jumps over the lazy dog ".repeat(40).getBytes(StandardCharsets.US_ASCII);
        assertThat(encode(Message.of(MessageType.MsgTx, text), true)[5]).isEqualTo((byte) FrameCodec.FLAG_LZ4);
        assertThat(encode(Message.of(MessageType.MsgTx, text), false)[5]).isZero();

        byte[] small = Arrays.copyOf(text, SETTINGS.compressionThreshold() - 1);
        assertThat(encode(Message.of(MessageType.MsgTx, small), true)[5]).isZero();

        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        byte[] frame = encode(Message.of(MessageType.MsgTx, random), true);
        assertThat(frame[5]).isZero();
        assertThat(frame).hasSize(FrameCodec.HEADER_LENGTH + 4096);
        assertThat(decode(frame)).isEqualTo(Message.of(MessageType.MsgTx, random));
    }

    @Test
    void encode_writesFramesAbovePieceLengthAsPiecesWithTheSameBytes() {
        int piece = FrameCodec.PIECE_LENGTH;
        int header = FrameCodec.HEADER_LENGTH;
        int[] lengths = {piece - header, piece - header + 1, 2 * piece - header, 2 * piece - header + 1,
                (1 << 20) + 8, SETTINGS.maxFrameLength()};
        Random random = new Random(11);
        for (int length : lengths) {
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            CRC32C crc = new CRC32C();
            crc.update(payload);
            byte[] expected = ByteBuffer.allocate(header + length).putInt(SETTINGS.magic()).put((byte) 0x21)
                    .put((byte) 0).putInt(length).putInt((int) crc.getValue()).put(payload).array();

            for (ByteBufAllocator alloc : new ByteBufAllocator[] {ALLOC, ByteBufAllocator.DEFAULT}) {
                ByteBuf frame = FrameCodec.encode(alloc, SETTINGS, Message.of(MessageType.MsgBlock, payload), false);
                try {
                    assertThat(ByteBufUtil.getBytes(frame)).as("frame of %d payload bytes", length).isEqualTo(expected);
                    int pieces = (header + length + piece - 1) / piece;
                    if (pieces == 1) {
                        assertThat(frame).isNotInstanceOf(CompositeByteBuf.class);
                    } else {
                        CompositeByteBuf composite = (CompositeByteBuf) frame;
                        assertThat(composite.numComponents()).isEqualTo(pieces);
                        for (int i = 0; i < pieces; i++) {
                            assertThat(composite.internalComponent(i).readableBytes()).isLessThanOrEqualTo(piece);
                        }
                    }
                    assertThat(FrameCodec.payloadLength(frame)).isEqualTo(length);
                    assertThat(FrameCodec.checksum(frame)).isEqualTo((int) crc.getValue());
                } finally {
                    frame.release();
                }
            }
        }
    }

    @Test
    void encode_innerFramesAreOnTheHeapAndLargePayloadsAreNotCopied() {
        FrameSettings inner = SETTINGS.withFormat(FrameFormat.INNER);
        int header = FrameFormat.INNER.headerLength();
        Random random = new Random(13);
        for (int length : new int[] {0, 1, FrameCodec.WRAP_THRESHOLD - 1, FrameCodec.WRAP_THRESHOLD,
                3 * FrameCodec.PIECE_LENGTH + 5}) {
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            Message message = Message.of(MessageType.MsgBlock, payload);
            byte[] expected = ByteBuffer.allocate(header + length).put((byte) 0x21).put((byte) 0).putInt(length)
                    .put(payload).array();
            ByteBuf frame = FrameCodec.encode(ByteBufAllocator.DEFAULT, inner, message, false);
            try {
                assertThat(ByteBufUtil.getBytes(frame)).as("inner frame of %d payload bytes", length)
                        .isEqualTo(expected);
                assertThat(frame.isDirect()).isFalse();
                if (length >= FrameCodec.WRAP_THRESHOLD) {
                    CompositeByteBuf composite = (CompositeByteBuf) frame;
                    assertThat(composite.numComponents()).isEqualTo(2);
                    assertThat(composite.internalComponent(1).array()).isSameAs(message.array());
                } else {
                    assertThat(frame).isNotInstanceOf(CompositeByteBuf.class);
                }
                ByteBuf decoded = FrameCodec.decode(frame, inner, ALLOC);
                try {
                    assertThat(FrameFormat.INNER.toMessage(decoded)).isEqualTo(message);
                } finally {
                    decoded.release();
                }
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void encode_piecesDecodeBackToTheMessage() {
        byte[] payload = new byte[3 * FrameCodec.PIECE_LENGTH + 5];
        new Random(5).nextBytes(payload);
        Message message = Message.of(MessageType.MsgBlock, payload);
        ByteBuf frame = FrameCodec.encode(ByteBufAllocator.DEFAULT, SETTINGS, message, false);
        try {
            ByteBuf decoded = FrameCodec.decode(frame, SETTINGS, ALLOC);
            try {
                assertThat(FrameCodec.toMessage(decoded)).isEqualTo(message);
                assertThat(frame.isReadable()).isFalse();
            } finally {
                decoded.release();
            }
        } finally {
            frame.release();
        }
    }

    @Test
    void encode_refusesPayloadsAboveMaxMessageLength() {
        FrameSettings small = SETTINGS.withMaxMessageLength(10);
        assertThatThrownBy(() -> FrameCodec.encode(ALLOC, small, Message.of(MessageType.MsgTx, new byte[11]), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageLength");
    }

    @Test
    void encode_refusesPayloadsAboveMaxFrameLengthAndReleasesItsBuffer() {
        FrameSettings small = SETTINGS.withMaxFrameLength(2000);
        byte[] random = new byte[4096];
        new Random(3).nextBytes(random);
        for (boolean lz4 : new boolean[] {false, true}) {
            assertThatThrownBy(() -> FrameCodec.encode(ALLOC, small, Message.of(MessageType.MsgTx, random), lz4))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxFrameLength");
        }
    }

    @Test
    void accessorsReadFromTheReaderIndex() {
        ByteBuf buf = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(hex(GoldenVectorsTest.TX));
        try {
            buf.skipBytes(3);
            assertThat(FrameCodec.magic(buf)).isEqualTo(FrameSettings.DEFAULT_MAGIC);
            assertThat(FrameCodec.typeCode(buf)).isEqualTo(0x20);
            assertThat(FrameCodec.payloadLength(buf)).isEqualTo(5);
            assertThat(FrameCodec.payload(buf).toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(FrameCodec.toMessage(buf).type()).isEqualTo(MessageType.MsgTx);
        } finally {
            buf.release();
        }
    }

    @Test
    void settings_validateTheirFields() {
        assertThatThrownBy(() -> SETTINGS.withMaxFrameLength(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SETTINGS.withMaxMessageLength(FrameSettings.MAX_LENGTH_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SETTINGS.withCompressionThreshold(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SETTINGS.magic()).isEqualTo(0x50325031);
        assertThat(SETTINGS.maxFrameLength()).isEqualTo(4 * 1024 * 1024);
    }

    static byte[] lz4Frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(14 + payload.length).putInt(SETTINGS.magic()).put((byte) 0x20).put((byte) 1)
                .putInt(payload.length).putInt((int) crc.getValue()).put(payload).array();
    }

    private static void assertRejected(byte[] frame, ProtocolException.Kind kind) {
        assertRejected(frame, SETTINGS, kind);
    }

    private static void assertRejected(byte[] frame, FrameSettings settings, ProtocolException.Kind kind) {
        assertThatThrownBy(() -> decode(frame, settings))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.kind()).isEqualTo(kind);
                    assertThat(e.reason()).isEqualTo(kind.reason());
                });
    }

    /** Counts buffer allocations, to show that rejected frames allocate nothing. */
    static final class CountingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
        final AtomicInteger allocations = new AtomicInteger();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            allocations.incrementAndGet();
            return ByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            allocations.incrementAndGet();
            return ByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
