package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import io.reactivep2p.noise.HandshakePattern;
import io.reactivep2p.noise.HandshakeState;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The secure channel between two {@link EmbeddedChannel}s, bytes carried by hand: the
 * handshakes, records and every refusal of docs/protocol.md's secure channel section.
 */
class SecureChannelHandlerTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAGIC = FrameSettings.DEFAULT_MAGIC;

    private final DhKeyPair dialerKey = Dh.X25519.generateKeyPair(RANDOM);
    private final DhKeyPair listenerKey = Dh.X25519.generateKeyPair(RANDOM);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** Records the user events and exceptions that reach the end of a pipeline. */
    static final class Events extends ChannelInboundHandlerAdapter {
        final List<SecureChannelHandler.Completed> completed = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SecureChannelHandler.Completed c) {
                completed.add(c);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }

        ProtocolException.Kind failure() {
            assertThat(errors).hasSize(1);
            return ((ProtocolException) errors.get(0)).kind();
        }
    }

    private final Events dialerEvents = new Events();
    private final Events listenerEvents = new Events();

    @AfterEach
    void closeAll() {
        for (EmbeddedChannel c : channels) {
            c.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel(SecureChannelHandler handler, Events events) {
        EmbeddedChannel c = new EmbeddedChannel(handler, events);
        channels.add(c);
        return c;
    }

    private EmbeddedChannel dialer(byte[] expected, boolean ik) {
        return channel(SecureChannelHandler.dialer(MAGIC, dialerKey, expected, ik, () -> bytes("dialer's hello"), RANDOM),
                dialerEvents);
    }

    private EmbeddedChannel listener() {
        return channel(SecureChannelHandler.responder(MAGIC, listenerKey, () -> bytes("listener's hello"), RANDOM),
                listenerEvents);
    }

    /** Carries each side's output to the other until neither writes; returns the buffers carried. */
    private static int pump(EmbeddedChannel a, EmbeddedChannel b) {
        int carried = 0;
        for (boolean moved = true; moved; ) {
            moved = false;
            for (EmbeddedChannel[] pair : new EmbeddedChannel[][] {{a, b}, {b, a}}) {
                for (ByteBuf out; (out = pair[0].readOutbound()) != null; ) {
                    moved = true;
                    carried++;
                    if (pair[1].isOpen()) {
                        pair[1].writeInbound(out);
                    } else {
                        out.release();
                    }
                }
            }
        }
        return carried;
    }

    private static String readAll(EmbeddedChannel c) {
        StringBuilder s = new StringBuilder();
        for (ByteBuf in; (in = c.readInbound()) != null; ) {
            s.append(in.toString(StandardCharsets.UTF_8));
            in.release();
        }
        return s.toString();
    }

    @Test
    void xxAuthenticatesBothNodesAndCarriesTheirHellosThenRecords() {
        EmbeddedChannel d = dialer(null, false);
        EmbeddedChannel l = listener();
        assertThat(pump(d, l)).isEqualTo(3); // preamble + message 1, message 2, message 3
        assertThat(dialerEvents.completed).singleElement().satisfies(c -> {
            assertThat(c.pattern()).isEqualTo(HandshakePattern.XX);
            assertThat(c.initiator()).isTrue();
            assertThat(c.remoteStaticKey()).isEqualTo(listenerKey.publicKey());
            assertThat(new String(c.remotePayload(), StandardCharsets.UTF_8)).isEqualTo("listener's hello");
        });
        assertThat(listenerEvents.completed).singleElement().satisfies(c -> {
            assertThat(c.remoteStaticKey()).isEqualTo(dialerKey.publicKey());
            assertThat(new String(c.remotePayload(), StandardCharsets.UTF_8)).isEqualTo("dialer's hello");
            assertThat(c.handshakeHash()).isEqualTo(dialerEvents.completed.get(0).handshakeHash());
        });

        d.write(Unpooled.copiedBuffer("one,", StandardCharsets.UTF_8));
        d.write(Unpooled.copiedBuffer("two,", StandardCharsets.UTF_8));
        d.writeAndFlush(Unpooled.copiedBuffer("three", StandardCharsets.UTF_8));
        assertThat(pump(d, l)).as("three writes, one flush: one record").isEqualTo(1);
        assertThat(readAll(l)).isEqualTo("one,two,three");
        l.writeAndFlush(Unpooled.copiedBuffer("back", StandardCharsets.UTF_8));
        pump(d, l);
        assertThat(readAll(d)).isEqualTo("back");
    }

    @Test
    void ikTakesTwoMessagesAndTheListenerMaySendAtOnce() {
        EmbeddedChannel d = dialer(listenerKey.publicKey(), true);
        EmbeddedChannel l = listener();
        ByteBuf first = d.readOutbound();
        l.writeInbound(first); // message 1 carries the dialer's hello: the listener is done
        assertThat(listenerEvents.completed).singleElement().satisfies(c -> {
            assertThat(c.pattern()).isEqualTo(HandshakePattern.IK);
            assertThat(c.remoteStaticKey()).isEqualTo(dialerKey.publicKey());
            assertThat(new String(c.remotePayload(), StandardCharsets.UTF_8)).isEqualTo("dialer's hello");
        });
        l.writeAndFlush(Unpooled.copiedBuffer("right behind message 2", StandardCharsets.UTF_8));
        assertThat(pump(d, l)).isEqualTo(2); // message 2, then a record
        assertThat(dialerEvents.completed).singleElement()
                .satisfies(c -> assertThat(c.remoteStaticKey()).isEqualTo(listenerKey.publicKey()));
        assertThat(readAll(d)).isEqualTo("right behind message 2");
    }

    /** An empty buffer, written to learn when what came before it is written, never makes an empty record. */
    @Test
    void anEmptyWriteRidesWithTheRecordBeforeItOrMakesNone() {
        EmbeddedChannel d = dialer(null, false);
        EmbeddedChannel l = listener();
        pump(d, l);
        d.write(Unpooled.copiedBuffer("data", StandardCharsets.UTF_8));
        io.netty.channel.ChannelFuture after = d.writeAndFlush(Unpooled.EMPTY_BUFFER);
        assertThat(after.isSuccess()).isTrue();
        assertThat(pump(d, l)).as("one record: the data's").isEqualTo(1);
        assertThat(readAll(l)).isEqualTo("data");

        io.netty.channel.ChannelFuture alone = d.writeAndFlush(Unpooled.EMPTY_BUFFER);
        assertThat(alone.isSuccess()).isTrue();
        for (ByteBuf out; (out = d.readOutbound()) != null; ) {
            assertThat(out.isReadable()).as("no record for nothing").isFalse();
            out.release();
        }
        assertThat(l.isOpen()).isTrue();
    }

    @Test
    void writesDuringTheHandshakeWaitAndGoFirstOnceItIsDone() {
        EmbeddedChannel d = dialer(null, false);
        EmbeddedChannel l = listener();
        d.writeAndFlush(Unpooled.copiedBuffer("early", StandardCharsets.UTF_8));
        pump(d, l);
        assertThat(readAll(l)).isEqualTo("early");
    }

    @Test
    void writesWaitingForAFlushCountTowardsTheChannelsWritability() {
        EmbeddedChannel d = dialer(null, false);
        EmbeddedChannel l = listener();
        pump(d, l);
        int highWaterMark = d.config().getWriteBufferHighWaterMark();
        d.write(Unpooled.wrappedBuffer(new byte[highWaterMark / 2]));
        assertThat(d.isWritable()).isTrue();
        d.write(Unpooled.wrappedBuffer(new byte[highWaterMark / 2 + 1]));
        assertThat(d.isWritable()).as("unflushed writes above the high-water mark").isFalse();
        d.flush();
        pump(d, l);
        assertThat(d.isWritable()).isTrue();
        assertThat(d.unsafe().outboundBuffer().totalPendingWriteBytes()).isZero();
        int received = 0;
        for (ByteBuf in; (in = l.readInbound()) != null; in.release()) {
            received += in.readableBytes();
        }
        assertThat(received).isEqualTo(highWaterMark + 1);
    }

    @Test
    void ikUnderAKeyTheListenerDoesNotHoldIsRefusedByTheListener() {
        EmbeddedChannel d = dialer(Dh.X25519.generateKeyPair(RANDOM).publicKey(), true);
        EmbeddedChannel l = listener();
        pump(d, l);
        assertThat(listenerEvents.failure()).isEqualTo(ProtocolException.Kind.HANDSHAKE_FAILED);
        assertThat(l.isOpen()).isFalse();
        assertThat(dialerEvents.completed).isEmpty();
    }

    @Test
    void aDialerThatAuthenticatesAnotherKeyThanItExpectedClosesBeforeSendingItsHello() {
        EmbeddedChannel d = dialer(Dh.X25519.generateKeyPair(RANDOM).publicKey(), false); // XX, pinned
        EmbeddedChannel l = listener();
        l.writeInbound((ByteBuf) d.readOutbound());
        d.writeInbound((ByteBuf) l.readOutbound());
        assertThat(dialerEvents.failure()).isEqualTo(ProtocolException.Kind.WRONG_PEER);
        assertThat(d.isOpen()).isFalse();
        assertThat((Object) d.readOutbound()).as("no message 3, no hello").isNull();
        assertThat(listenerEvents.completed).isEmpty();
    }

    @Test
    void aPreambleWithAnotherMagicAnUnknownModeOrAV1HelloIsRefused() {
        assertRefused(Unpooled.buffer().writeInt(0x50325454).writeByte(SecureChannelHandler.MODE_XX),
                ProtocolException.Kind.BAD_MAGIC);
        assertRefused(Unpooled.buffer().writeInt(MAGIC).writeByte(7), ProtocolException.Kind.UNKNOWN_MODE);
        // a v1 HELLO frame starts with the magic then its type, 0x00
        assertRefused(Unpooled.buffer().writeInt(MAGIC).writeByte(0).writeByte(0).writeInt(80),
                ProtocolException.Kind.WRONG_VERSION);
    }

    @Test
    void xxMessage1WithAPayloadIsRefused() {
        HandshakeState rogue = HandshakeState.builder(HandshakePattern.XX, true)
                .prologue(SecureChannelHandler.prologue(MAGIC)).localStatic(dialerKey).random(RANDOM).build();
        byte[] m1 = rogue.writeMessage(bytes("not allowed"));
        assertRefused(Unpooled.buffer().writeInt(MAGIC).writeByte(SecureChannelHandler.MODE_XX)
                .writeShort(m1.length).writeBytes(m1), ProtocolException.Kind.HANDSHAKE_FAILED);
    }

    @Test
    void aHandshakeMessageOverItsLimitIsRefusedBeforeItIsBuffered() {
        EmbeddedChannel l = listener();
        l.writeInbound(Unpooled.buffer().writeInt(MAGIC).writeByte(SecureChannelHandler.MODE_XX)
                .writeShort(SecureChannelHandler.MAX_HANDSHAKE_MESSAGE + 1));
        assertThat(listenerEvents.failure()).isEqualTo(ProtocolException.Kind.HANDSHAKE_FAILED);
        assertThat(l.isOpen()).isFalse();
    }

    @Test
    void aTamperedRecordOrOneTooShortClosesTheConnection() {
        for (int variant = 0; variant < 2; variant++) {
            Events de = new Events();
            Events le = new Events();
            EmbeddedChannel d = channel(SecureChannelHandler.dialer(MAGIC, dialerKey, null, false, () -> new byte[0],
                    RANDOM), de);
            EmbeddedChannel l = channel(SecureChannelHandler.responder(MAGIC, listenerKey, () -> new byte[0], RANDOM), le);
            pump(d, l);
            d.writeAndFlush(Unpooled.copiedBuffer("payload", StandardCharsets.UTF_8));
            ByteBuf record = d.readOutbound();
            if (variant == 0) {
                record.setByte(record.writerIndex() - 1, record.getByte(record.writerIndex() - 1) ^ 1);
            } else {
                record.setShort(0, 16); // a tag and no plaintext
            }
            l.writeInbound(record);
            assertThat(le.failure()).isEqualTo(ProtocolException.Kind.BAD_RECORD);
            assertThat(l.isOpen()).isFalse();
            assertThat((Object) l.readInbound()).isNull();
        }
    }

    @Test
    void bothEndsRekeyAfter65536RecordsInStep() {
        EmbeddedChannel d = dialer(null, false);
        EmbeddedChannel l = listener();
        pump(d, l);
        int records = (int) SecureChannelHandler.REKEY_INTERVAL + 3;
        for (int i = 0; i < records; i++) {
            d.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
            ByteBuf record = d.readOutbound();
            l.writeInbound(record);
            ByteBuf in = l.readInbound();
            assertThat(in.readByte()).isEqualTo((byte) i);
            in.release();
        }
        assertThat(listenerEvents.errors).isEmpty();
    }

    @Test
    void aLargeWriteTravelsInFullRecords() {
        EmbeddedChannel d = dialer(null, false);
        EmbeddedChannel l = listener();
        pump(d, l);
        byte[] data = new byte[1 << 20];
        RANDOM.nextBytes(data);
        d.writeAndFlush(Unpooled.wrappedBuffer(data));
        // a full record's 2-byte length travels in a buffer of its own (see SecureChannelHandler.seal)
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf out; (out = d.readOutbound()) != null; ) {
            wire.writeBytes(out);
            out.release();
        }
        int records = 0;
        for (int at = 0; at < wire.writerIndex(); records++) {
            int length = wire.getUnsignedShort(at);
            assertThat(length).isBetween(17, 65_535);
            at += 2 + length;
        }
        l.writeInbound(wire);
        ByteBuf received = Unpooled.buffer(data.length);
        for (ByteBuf in; (in = l.readInbound()) != null; ) {
            received.writeBytes(in);
            in.release();
        }
        assertThat(records).isEqualTo((data.length + SecureChannelHandler.MAX_RECORD_PLAINTEXT - 1)
                / SecureChannelHandler.MAX_RECORD_PLAINTEXT);
        assertThat(received.array()).isEqualTo(data);
        received.release();
    }

    @Test
    void writesPendingWhenTheConnectionFailsAreFailedAndReleased() {
        EmbeddedChannel l = listener();
        ByteBuf pending = Unpooled.copiedBuffer("never sent", StandardCharsets.UTF_8);
        ChannelFuture write = l.writeAndFlush(pending);
        assertThat(write.isDone()).isFalse(); // waits for the handshake
        l.writeInbound(Unpooled.buffer().writeInt(MAGIC).writeByte(9));
        assertThat(write.isDone()).isTrue();
        assertThat(write.isSuccess()).isFalse();
        assertThat(pending.refCnt()).isZero();
    }

    private void assertRefused(ByteBuf bytes, ProtocolException.Kind kind) {
        Events events = new Events();
        EmbeddedChannel l = channel(SecureChannelHandler.responder(MAGIC, listenerKey, () -> new byte[0], RANDOM), events);
        l.writeInbound(bytes);
        assertThat(events.failure()).as("%s", kind).isEqualTo(kind);
        assertThat(l.isOpen()).isFalse();
        assertThat((Object) l.readOutbound()).as("nothing is sent").isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
