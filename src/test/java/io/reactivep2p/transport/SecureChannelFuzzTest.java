package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.ProtocolException;
import java.security.SecureRandom;

/**
 * Fuzz tests of the secure channel (docs/security.md §5): whatever a peer sends, the handler
 * either goes on or fails once with a {@link ProtocolException} and closes; never another
 * exception, never plaintext that was not sealed by the peer, never a leaked buffer (the tests
 * run with paranoid leak detection).
 *
 * <p>In a normal build these run as regression tests over the inputs committed under
 * {@code src/test/resources/io/reactivep2p/transport/SecureChannelFuzzTestInputs/<method>/}.
 * To fuzz for real: {@code ./fuzz.sh 10m SecureChannelFuzzTest#responder}.
 */
class SecureChannelFuzzTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAGIC = FrameSettings.DEFAULT_MAGIC;
    private static final DhKeyPair DIALER = Dh.X25519.generateKeyPair(RANDOM);
    private static final DhKeyPair LISTENER = Dh.X25519.generateKeyPair(RANDOM);

    /** The handshake responder: a valid preamble (XX or IK) or not, then any bytes, in pieces. */
    @FuzzTest(maxDuration = "10m")
    void responder(FuzzedDataProvider data) {
        SecureChannelHandlerTest.Events events = new SecureChannelHandlerTest.Events();
        EmbeddedChannel listener = new EmbeddedChannel(
                SecureChannelHandler.responder(MAGIC, LISTENER, () -> new byte[0], RANDOM), events);
        try {
            if (data.consumeBoolean()) {
                int mode = data.consumeBoolean() ? SecureChannelHandler.MODE_XX : SecureChannelHandler.MODE_IK;
                listener.writeInbound(Unpooled.buffer(5).writeInt(MAGIC).writeByte(mode));
            }
            while (data.remainingBytes() > 0 && listener.isOpen()) {
                listener.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(1, 128))));
            }
            assertOnlyProtocolErrors(events, listener);
            assertThat(events.completed).as("no handshake completes without the keys").isEmpty();
        } finally {
            listener.finishAndReleaseAll();
        }
    }

    /**
     * Records after a real XX handshake: the dialer seals some messages; the fuzzer may flip,
     * cut, reorder or append bytes before the listener reads them. What the listener passes on
     * is always a prefix of what was sealed, in order.
     */
    @FuzzTest(maxDuration = "10m")
    void records(FuzzedDataProvider data) {
        SecureChannelHandlerTest.Events dialerEvents = new SecureChannelHandlerTest.Events();
        SecureChannelHandlerTest.Events listenerEvents = new SecureChannelHandlerTest.Events();
        EmbeddedChannel dialer = new EmbeddedChannel(SecureChannelHandler.dialer(MAGIC, DIALER, null, false,
                () -> new byte[0], RANDOM), dialerEvents);
        EmbeddedChannel listener = new EmbeddedChannel(
                SecureChannelHandler.responder(MAGIC, LISTENER, () -> new byte[0], RANDOM), listenerEvents);
        ByteBuf sent = Unpooled.buffer();
        ByteBuf wire = Unpooled.buffer();
        ByteBuf received = Unpooled.buffer();
        try {
            listener.writeInbound((ByteBuf) dialer.readOutbound());
            dialer.writeInbound((ByteBuf) listener.readOutbound());
            listener.writeInbound((ByteBuf) dialer.readOutbound());
            assertThat(listenerEvents.completed).hasSize(1);

            int messages = data.consumeInt(1, 4);
            for (int i = 0; i < messages; i++) {
                byte[] m = data.consumeBytes(data.consumeInt(1, 300));
                if (m.length == 0) {
                    break;
                }
                sent.writeBytes(m);
                dialer.writeAndFlush(Unpooled.wrappedBuffer(m));
            }
            for (ByteBuf out; (out = dialer.readOutbound()) != null; ) {
                wire.writeBytes(out);
                out.release();
            }
            int mutations = data.consumeInt(0, 3);
            for (int i = 0; i < mutations && wire.isReadable(); i++) {
                switch (data.consumeInt(0, 2)) {
                    case 0 -> { // flip a byte
                        int at = data.consumeInt(0, wire.writerIndex() - 1);
                        wire.setByte(at, wire.getByte(at) ^ (1 << data.consumeInt(0, 7)));
                    }
                    case 1 -> wire.writerIndex(data.consumeInt(0, wire.writerIndex())); // cut
                    default -> wire.writeBytes(data.consumeBytes(data.consumeInt(0, 64))); // append
                }
            }
            while (wire.isReadable() && listener.isOpen()) {
                int piece = Math.min(wire.readableBytes(), data.consumeInt(1, 4096));
                listener.writeInbound(wire.readRetainedSlice(piece));
                for (ByteBuf in; (in = listener.readInbound()) != null; ) {
                    received.writeBytes(in);
                    in.release();
                }
            }
            assertOnlyProtocolErrors(listenerEvents, listener);
            assertThat(received.readableBytes()).isLessThanOrEqualTo(sent.readableBytes());
            assertThat(ByteBufUtil.hexDump(received)).isEqualTo(ByteBufUtil.hexDump(sent, 0, received.readableBytes()));
        } finally {
            sent.release();
            wire.release();
            received.release();
            dialer.finishAndReleaseAll();
            listener.finishAndReleaseAll();
        }
    }

    private static void assertOnlyProtocolErrors(SecureChannelHandlerTest.Events events, EmbeddedChannel channel) {
        assertThat(events.errors).as("at most one failure, typed").hasSizeLessThanOrEqualTo(1)
                .allSatisfy(e -> assertThat(e).isInstanceOf(ProtocolException.class));
        if (!events.errors.isEmpty()) {
            assertThat(channel.isOpen()).as("a failure closes").isFalse();
        }
    }
}
