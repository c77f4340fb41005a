package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The secure channel's vectors of docs/protocol.md, produced by an independent implementation
 * of the specification ({@code docs/vectors/secure_channel_vectors.py}: Python and OpenSSL),
 * checked both ways: the library writes these bytes given the same keys, and reads them back.
 * Keys: the dialer's static and ephemeral private keys are the bytes 1..32 and 33..64, the
 * listener's 65..96 and 97..128.
 */
class SecureChannelVectorsTest {

    static final String DIALER_STATIC_PUBLIC = "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c";
    static final String LISTENER_STATIC_PUBLIC = "64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466";
    static final String HELLO_V2_DIALER = "00020bb800000000000000010000019ab697e800001272656163746976652d7032702f302e322e300000000763686169"
            + "6e2d31";
    static final String HELLO_V2_LISTENER = "00020bb900000000000000010000019ab697e801001272656163746976652d7032702f302e322e300000000763686169"
            + "6e2d31";
    static final String PROLOGUE = "72656163746976652d7032702f3250325031";
    static final String XX_DIALER_FIRST_WRITE = "503250310100205869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67b";
    static final String XX_MESSAGE_2 = "0093244fe3b963e899dd295baffce248d3530f3a9a7479ba063002680ebfe7adad4935aa6a8e508b0e5ea84343218663"
            + "011a2e80eee8c38279f8f6a581a30de7fc7acc5b35f8ad291dea3c3f93d48a513ae611084b3b662b0d640a5f334339dd"
            + "4a5dcd2397c5c17a7deb39225c4f3432e5c9e6e29c027d6701c9f2015f17ddcb825cedfe37a33a5fd8e89b2d2c63512e"
            + "24a1245b65";
    static final String XX_MESSAGE_3 = "00735dca9067f7af2b40c82e71d975a7e206f9b9cb3dc86df8d3688bb3a976de1fa1b73f74809c29fcdead47e603b4bf"
            + "b2655a628288fc5f65239e022a6a934cd60ad1130ca341ce75aaf2e0fccfd001d7ec9de6502af53f7db00b5cfe713cae"
            + "0a4c634401ba24d51d0971cdb3e299467dac44aed8";
    static final String XX_HANDSHAKE_HASH = "a4e02a70297908af7e258d45ca7278487ceb4baa06fdf8c39f5a38abbb5197b7";
    static final String INNER_PING = "0200000000080102030405060708";
    static final String INNER_TX = "20000000000568656c6c6f";
    static final String XX_DIALER_RECORD_0 = "0029fd0301d79b414fb03689d8502373b3ca2376bd6a1b0704f0ba891ba011e5541a84279e475b89489a46";
    static final String XX_LISTENER_RECORD_0 = "001eb4957b9a75ab5725c202ce3185aee67838ff941a6e990bcdff36a9f142de";
    static final String XX_DIALER_RECORD_65536 = "001e4cdc7780305bdb91fa6220c75a5c4fc33e5830ba4c4c70a62efc7ac2ed8e";
    static final String IK_DIALER_FIRST_WRITE = "503250310200935869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67bbeb0a72d563032cfea"
            + "88c29124d800573170e017427ffe61bf11ab3ee7705d43eae122586a54d8362e664510fa9533cb9c60031cc7b094c736"
            + "7dd0dc4ab71c2d5fd80442b92ae02bdfe6861cd12c847c11eb7e1c5efca452f532eea3a405602a9aedcecce10078da7f"
            + "e92eb90d331d335fbfd2";
    static final String IK_MESSAGE_2 = "0063244fe3b963e899dd295baffce248d3530f3a9a7479ba063002680ebfe7adad49b57e9cd1a4c7a0f1fa3db0cdf792"
            + "2daf442d1f633d66b415dbeec44868158ad4aec7c29f2161e15c838fa245f40bd7f4c6368cad6bb13518af314b0e1928"
            + "9e73f96fff";
    static final String IK_HANDSHAKE_HASH = "459c44e3fb0a20b167b8963b423b7e594a94df72115a7dec3a16e7b1c78dc4ee";

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] DIALER_STATIC = range(1);
    private static final byte[] DIALER_EPHEMERAL = range(33);
    private static final byte[] LISTENER_STATIC = range(65);
    private static final byte[] LISTENER_EPHEMERAL = range(97);

    private EmbeddedChannel dialer;
    private EmbeddedChannel listener;

    /** X25519 whose "generated" key pairs are the given ones, in order: for test vectors only. */
    static final class FixedEphemerals implements Dh {
        private final Deque<byte[]> next = new ArrayDeque<>();

        FixedEphemerals(byte[]... privateKeys) {
            for (byte[] k : privateKeys) {
                next.add(k);
            }
        }

        @Override
        public String name() {
            return Dh.X25519.name();
        }

        @Override
        public DhKeyPair generateKeyPair(SecureRandom random) {
            return Dh.X25519.keyPair(next.remove());
        }

        @Override
        public DhKeyPair keyPair(byte[] privateKey) {
            return Dh.X25519.keyPair(privateKey);
        }

        @Override
        public byte[] dh(DhKeyPair keyPair, byte[] publicKey) {
            return Dh.X25519.dh(keyPair, publicKey);
        }
    }

    @AfterEach
    void close() {
        for (EmbeddedChannel c : new EmbeddedChannel[] {dialer, listener}) {
            if (c != null) {
                c.finishAndReleaseAll();
            }
        }
    }

    private static byte[] range(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static Hello hello(int port, long timestamp) {
        return new Hello(Hello.VERSION_2, NodeId.of(new byte[32]), port, 0, Hello.CAP_LZ4, timestamp,
                "reactive-p2p/0.2.0", "chain-1".getBytes(StandardCharsets.US_ASCII));
    }

    private void open(boolean ik) {
        DhKeyPair dialerKey = Dh.X25519.keyPair(DIALER_STATIC);
        DhKeyPair listenerKey = Dh.X25519.keyPair(LISTENER_STATIC);
        byte[] dialerHello = hello(3000, 1764000000000L).toV2Payload();
        byte[] listenerHello = hello(3001, 1764000000001L).toV2Payload();
        SecureRandom unused = new SecureRandom();
        dialer = new EmbeddedChannel(SecureChannelHandler.dialer(FrameSettings.DEFAULT_MAGIC, dialerKey,
                ik ? listenerKey.publicKey() : null, ik, () -> dialerHello, unused, new FixedEphemerals(DIALER_EPHEMERAL)),
                new SecureChannelHandlerTest.Events());
        listener = new EmbeddedChannel(SecureChannelHandler.responder(FrameSettings.DEFAULT_MAGIC, listenerKey,
                () -> listenerHello, unused, new FixedEphemerals(LISTENER_EPHEMERAL)), new SecureChannelHandlerTest.Events());
    }

    /** The next buffer {@code from} wrote, which must be {@code hex}; handed to {@code to}. */
    private static void expect(EmbeddedChannel from, String hex, EmbeddedChannel to) {
        ByteBuf out = from.readOutbound();
        assertThat(out).as("a write is due").isNotNull();
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(hex);
        to.writeInbound(out);
    }

    @Test
    void keysAndHellos() {
        assertThat(HEX.formatHex(Dh.X25519.keyPair(DIALER_STATIC).publicKey())).isEqualTo(DIALER_STATIC_PUBLIC);
        assertThat(HEX.formatHex(Dh.X25519.keyPair(LISTENER_STATIC).publicKey())).isEqualTo(LISTENER_STATIC_PUBLIC);
        assertThat(HEX.formatHex(hello(3000, 1764000000000L).toV2Payload())).isEqualTo(HELLO_V2_DIALER);
        assertThat(HEX.formatHex(hello(3001, 1764000000001L).toV2Payload())).isEqualTo(HELLO_V2_LISTENER);
        NodeId dialerId = NodeId.fromHex(DIALER_STATIC_PUBLIC);
        Hello decoded = Hello.decodeV2(HEX.parseHex(HELLO_V2_DIALER), dialerId);
        assertThat(decoded.nodeId()).isEqualTo(dialerId);
        assertThat(decoded.listenPort()).isEqualTo(3000);
        assertThat(decoded.userAgent()).isEqualTo("reactive-p2p/0.2.0");
        assertThat(HEX.formatHex(SecureChannelHandler.prologue(FrameSettings.DEFAULT_MAGIC))).isEqualTo(PROLOGUE);
    }

    @Test
    void xxHandshakeAndRecordsAreByteExactAndReadBack() {
        open(false);
        expect(dialer, XX_DIALER_FIRST_WRITE, listener);
        expect(listener, XX_MESSAGE_2, dialer);
        expect(dialer, XX_MESSAGE_3, listener);
        SecureChannelHandlerTest.Events dialerEvents = (SecureChannelHandlerTest.Events) dialer.pipeline().last();
        assertThat(HEX.formatHex(dialerEvents.completed.get(0).handshakeHash())).isEqualTo(XX_HANDSHAKE_HASH);
        SecureChannelHandlerTest.Events listenerEvents = (SecureChannelHandlerTest.Events) listener.pipeline().last();
        assertThat(HEX.formatHex(listenerEvents.completed.get(0).remotePayload())).isEqualTo(HELLO_V2_DIALER);

        dialer.writeAndFlush(Unpooled.wrappedBuffer(HEX.parseHex(INNER_PING + INNER_TX)));
        expect(dialer, XX_DIALER_RECORD_0, listener);
        assertThat(readPlaintext(listener)).isEqualTo(INNER_PING + INNER_TX);
        listener.writeAndFlush(Unpooled.wrappedBuffer(HEX.parseHex(
                "0300000000080102030405060708")));
        expect(listener, XX_LISTENER_RECORD_0, dialer);
        assertThat(readPlaintext(dialer)).isEqualTo("0300000000080102030405060708");

        for (int r = 1; r < 65_536; r++) { // records 1..65535: one zero byte each
            dialer.writeAndFlush(Unpooled.wrappedBuffer(new byte[1]));
            listener.writeInbound((ByteBuf) dialer.readOutbound());
            ((ByteBuf) listener.readInbound()).release();
        }
        dialer.writeAndFlush(Unpooled.wrappedBuffer(HEX.parseHex(INNER_PING)));
        expect(dialer, XX_DIALER_RECORD_65536, listener); // after the rekey
        assertThat(readPlaintext(listener)).isEqualTo(INNER_PING);
    }

    @Test
    void ikHandshakeIsByteExactAndReadBack() {
        open(true);
        expect(dialer, IK_DIALER_FIRST_WRITE, listener);
        expect(listener, IK_MESSAGE_2, dialer);
        SecureChannelHandlerTest.Events dialerEvents = (SecureChannelHandlerTest.Events) dialer.pipeline().last();
        assertThat(HEX.formatHex(dialerEvents.completed.get(0).handshakeHash())).isEqualTo(IK_HANDSHAKE_HASH);
        assertThat(HEX.formatHex(dialerEvents.completed.get(0).remotePayload())).isEqualTo(HELLO_V2_LISTENER);
    }

    private static String readPlaintext(EmbeddedChannel c) {
        StringBuilder s = new StringBuilder();
        for (ByteBuf in; (in = c.readInbound()) != null; ) {
            s.append(ByteBufUtil.hexDump(in));
            in.release();
        }
        return s.toString();
    }
}
