package io.reactivep2p.protocol;

import static io.reactivep2p.protocol.Frames.encode;
import static io.reactivep2p.protocol.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private final EmbeddedChannel channel =
            new EmbeddedChannel(new FrameDecoder(FrameSettings.defaults()), new FrameEncoder(FrameSettings.defaults()));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesAStreamFedOneByteAtATime() {
        List<Message> sent = messages();
        byte[] stream = concat(sent);
        for (byte b : stream) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(readAll()).containsExactlyElementsOf(sent);
    }

    @Test
    void decodesManyFramesFromOneBuffer() {
        List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.addAll(messages());
        }
        channel.writeInbound(Unpooled.wrappedBuffer(concat(sent)));
        assertThat(readAll()).containsExactlyElementsOf(sent);
    }

    @Test
    void firesTheFirstProtocolErrorOnceAndDiscardsWhatFollows() {
        byte[] bad = hex(GoldenVectorsTest.PING);
        bad[0] = 0;
        byte[] good = hex(GoldenVectorsTest.PING);
        ByteBuf in = Unpooled.buffer().writeBytes(good).writeBytes(bad).writeBytes(good);
        assertThatThrownBy(() -> channel.writeInbound(in))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.BAD_MAGIC));
        assertThat(readAll()).containsExactly(new Ping(0x0102030405060708L).toMessage());
        channel.writeInbound(Unpooled.wrappedBuffer(good));
        assertThat(readAll()).isEmpty();
        channel.checkException(); // nothing more was fired
    }

    @Test
    void rejectsAnOversizeHeaderWithoutWaitingForThePayload() {
        ByteBuf header = Unpooled.buffer().writeInt(FrameSettings.DEFAULT_MAGIC).writeByte(0x21).writeByte(0)
                .writeInt(Integer.MAX_VALUE).writeInt(0);
        assertThatThrownBy(() -> channel.writeInbound(header))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE));
    }

    @Test
    void whileHandshakingAFrameAboveTheHandshakeLimitFailsAtItsHeaderAndAfterwardsTheFullLimitHolds() {
        FrameDecoder decoder = new FrameDecoder(FrameSettings.defaults()).handshaking();
        EmbeddedChannel handshaking = new EmbeddedChannel(decoder);
        try {
            Message hello = Message.of(MessageType.MsgHello, bytes(FrameDecoder.HANDSHAKE_FRAME_LENGTH, 1));
            Message big = Message.of(MessageType.MsgBlock, bytes(FrameDecoder.HANDSHAKE_FRAME_LENGTH + 1, 2));
            // At the limit: decoded. Then the limit is lifted, as PeerHandler does on the HELLO.
            handshaking.writeInbound(Unpooled.wrappedBuffer(encode(hello, false)));
            ByteBuf first = handshaking.readInbound();
            assertThat(FrameCodec.toMessage(first)).isEqualTo(hello);
            first.release();
            decoder.handshakeDone();
            handshaking.writeInbound(Unpooled.wrappedBuffer(encode(big, false)));
            ByteBuf second = handshaking.readInbound();
            assertThat(FrameCodec.toMessage(second)).isEqualTo(big);
            second.release();
        } finally {
            handshaking.finishAndReleaseAll();
        }

        EmbeddedChannel stranger = new EmbeddedChannel(new FrameDecoder(FrameSettings.defaults()).handshaking());
        try {
            // Only the header of a 1 MiB frame: refused before anything is buffered.
            ByteBuf header = Unpooled.buffer().writeInt(FrameSettings.DEFAULT_MAGIC).writeByte(0x00).writeByte(0)
                    .writeInt(1 << 20).writeInt(0);
            assertThatThrownBy(() -> stranger.writeInbound(header))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE));
        } finally {
            stranger.finishAndReleaseAll();
        }
    }

    @Test
    void gathersLargeFramesFromReadsSplitAtEveryBoundary() {
        // A threshold of 40 payload bytes makes most frames of the stream "large": the composite
        // path runs on a stream short enough to cut at every pair of positions.
        List<Message> sent = List.of(
                Message.of(MessageType.MsgBlock, bytes(100, 1)),
                new Ping(7).toMessage(),
                Message.of(MessageType.MsgTx, bytes(41, 2)),
                Message.empty(MessageType.MsgBlock),
                Message.of(MessageType.of(0x99, "APP"), bytes(40, 3)),
                Message.of(MessageType.MsgTx, "ab".repeat(700).getBytes()), // LZ4 when encoded with lz4
                Message.of(MessageType.MsgBlock, bytes(39, 4)));
        byte[] stream = concat(sent);
        for (int i = 0; i <= stream.length; i++) {
            for (int j = i; j <= stream.length; j += 7) {
                EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(FrameSettings.defaults(), FrameObserver.NONE, 40));
                try {
                    ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, i));
                    ch.writeInbound(Unpooled.wrappedBuffer(stream, i, j - i));
                    ch.writeInbound(Unpooled.wrappedBuffer(stream, j, stream.length - j));
                    assertThat(readAll(ch)).as("cut at %d and %d", i, j).containsExactlyElementsOf(sent);
                } finally {
                    assertThat(ch.finishAndReleaseAll()).isFalse();
                }
            }
        }
    }

    @Test
    void gathersAMegabyteFrameWithoutCopyingTheReads() {
        FrameDecoder decoder = new FrameDecoder(FrameSettings.defaults());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        Message big = Message.of(MessageType.MsgBlock, bytes((1 << 20) + 8, 9));
        Message small = new Ping(3).toMessage();
        byte[] stream = concat(List.of(big, small, big));
        try {
            for (int i = 0; i < stream.length; i += 64 * 1024) {
                ch.writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(64 * 1024, stream.length - i)));
            }
            ByteBuf first = ch.readInbound();
            try {
                // A slice of the reads themselves, not of one buffer they were merged into.
                assertThat(first.nioBufferCount()).isGreaterThan(1);
                assertThat(FrameCodec.toMessage(first)).isEqualTo(big);
            } finally {
                first.release();
            }
            assertThat(readAll(ch)).containsExactly(small, big);
        } finally {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void aLargeFrameSentInTinyPiecesIsHeldInAboutTheBytesSentNotABufferPerPiece() {
        FrameDecoder decoder = new FrameDecoder(FrameSettings.defaults());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        Message big = Message.of(MessageType.MsgBlock, bytes(300_000, 11));
        byte[] stream = encode(big, false);
        try {
            int piece = 5;
            for (int i = 0; i < stream.length; i += piece) {
                // Each piece in a buffer of 2 KiB, as a socket read of a few bytes would be.
                ch.writeInbound(Unpooled.buffer(2048).writeBytes(stream, i, Math.min(piece, stream.length - i)));
                if (i % 20_000 == 0 && decoder.cumulation() != null) {
                    ByteBuf held = decoder.cumulation();
                    int received = Math.min(stream.length, i + piece);
                    assertThat(held.readableBytes() + decoder.tailBytes()).as("after %d bytes", received)
                            .isEqualTo(received);
                    if (held instanceof io.netty.buffer.CompositeByteBuf composite) {
                        assertThat(composite.numComponents()).isLessThanOrEqualTo(
                                received / (FrameDecoder.TAIL_LENGTH - FrameDecoder.MIN_COMPONENT) + 2);
                    }
                }
            }
            assertThat(readAll(ch)).containsExactly(big);
        } finally {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void wellFilledReadsJoinTheFrameAsTheyAreAndSmallOnesAreCopiedBetweenThem() {
        FrameDecoder decoder = new FrameDecoder(FrameSettings.defaults());
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        Message big = Message.of(MessageType.MsgBlock, bytes(200_000, 12));
        byte[] stream = encode(big, false);
        try {
            int[] pieces = {14 + 70_000, 3, 100, 20_000, 1, 60_000, 7};
            int at = 0;
            for (int p : pieces) {
                ch.writeInbound(Unpooled.wrappedBuffer(stream, at, p));
                at += p;
            }
            ch.writeInbound(Unpooled.wrappedBuffer(stream, at, stream.length - at));
            ByteBuf frame = ch.readInbound();
            try {
                assertThat(FrameCodec.toMessage(frame)).isEqualTo(big);
            } finally {
                frame.release();
            }
            assertThat(decoder.tailBytes()).isZero();
        } finally {
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void rejectsAnOversizeHeaderWhileGatheringALargeFrame() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(FrameSettings.defaults(), FrameObserver.NONE, 40));
        byte[] large = encode(Message.of(MessageType.MsgBlock, bytes(100, 5)), false);
        ByteBuf oversize = Unpooled.buffer().writeInt(FrameSettings.DEFAULT_MAGIC).writeByte(0x21).writeByte(0)
                .writeInt(FrameSettings.defaults().maxFrameLength() + 1).writeInt(0);
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(large, 0, 50));
            assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(large, 50, large.length - 50), oversize))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.FRAME_TOO_LARGE));
            assertThat(readAll(ch)).containsExactly(Message.of(MessageType.MsgBlock, bytes(100, 5)));
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void encoderWritesFramesAndPassesEncodedBuffersThrough() {
        Message ping = new Ping(0x0102030405060708L).toMessage();
        ByteBuf preEncoded = Unpooled.wrappedBuffer(hex(GoldenVectorsTest.TX));
        channel.writeOutbound(ping, preEncoded);
        ByteBuf first = channel.readOutbound();
        ByteBuf second = channel.readOutbound();
        try {
            assertThat(io.netty.buffer.ByteBufUtil.hexDump(first)).isEqualTo(GoldenVectorsTest.PING);
            assertThat(io.netty.buffer.ByteBufUtil.hexDump(second)).isEqualTo(GoldenVectorsTest.TX);
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void encoderCompressesOnlyAfterLz4IsNegotiated() {
        FrameEncoder encoder = channel.pipeline().get(FrameEncoder.class);
        Message big = Message.of(MessageType.MsgBlock, new byte[8192]);
        assertThat(encoder.lz4()).isFalse();
        channel.writeOutbound(big);
        encoder.lz4(true);
        channel.writeOutbound(big);
        ByteBuf plain = channel.readOutbound();
        ByteBuf compressed = channel.readOutbound();
        try {
            assertThat(FrameCodec.flags(plain)).isZero();
            assertThat(FrameCodec.flags(compressed)).isEqualTo(FrameCodec.FLAG_LZ4);
            channel.writeInbound(plain.retain(), compressed.retain());
            assertThat(readAll()).containsExactly(big, big);
        } finally {
            plain.release();
            compressed.release();
        }
    }

    private List<Message> readAll() {
        return readAll(channel);
    }

    private static List<Message> readAll(EmbeddedChannel channel) {
        List<Message> out = new ArrayList<>();
        for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
            try {
                out.add(FrameCodec.toMessage(frame));
            } finally {
                frame.release();
            }
        }
        return out;
    }

    static List<Message> messages() {
        return List.of(
                new Ping(1).toMessage(),
                Message.empty(MessageType.MsgBlock),
                Message.of(MessageType.MsgTx, "the quick brown fox ".repeat(100).getBytes()),
                new GetPeers(10).toMessage(),
                Message.of(MessageType.of(0x99, "APP"), new byte[300]));
    }

    private static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(List<Message> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean lz4 = false;
        for (Message m : messages) {
            out.writeBytes(encode(m, lz4));
            lz4 = !lz4;
        }
        return out.toByteArray();
    }
}
