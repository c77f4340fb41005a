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
