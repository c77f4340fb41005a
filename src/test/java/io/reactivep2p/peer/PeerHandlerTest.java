package io.reactivep2p.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.Ping;
import io.reactivep2p.protocol.Pong;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.transport.TransportSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.test.StepVerifier;

/** The handshake and keepalive state machine on an in-memory channel with a frozen, hand-advanced clock. */
class PeerHandlerTest {

    private final PeerSettings settings = PeerSettings.builder()
            .handshakeTimeout(Duration.ofSeconds(5)).pingInterval(Duration.ofSeconds(15)).maxMissedPongs(3).build();
    private final NodeId self = NodeId.random();
    private final PeerManager manager = new PeerManager(self, 42L, settings, NodeRuntime.system());
    private final Hello localHello = new Hello(Hello.VERSION, self, 3000, 42L, Hello.CAP_LZ4, 0, "test", new byte[0]);
    private final Sinks.One<Peer> handshake = Sinks.one();
    private final AtomicLong unknown = new AtomicLong();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    PeerHandlerTest() {
        channel.freezeTime();
        FrameEncoder encoder = new FrameEncoder(FrameSettings.defaults());
        channel.pipeline().addLast(encoder);
        PeerHandlers handlers = new PeerHandlers(settings, TransportSettings.defaults(), FrameSettings.defaults(), manager,
                PeerObserver.NONE, NodeRuntime.system().random(), unknown);
        channel.pipeline().addLast(handlers.handler(localHello, Connection.from(channel),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Direction.OUTBOUND, encoder, handshake));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void sendsHelloAtOnceAndTimesOutWithoutTheRemoteOne() {
        assertThat(nextOutbound().type()).isEqualTo(MessageType.MsgHello);
        channel.advanceTimeBy(4999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(Disconnect.decode(nextOutbound()).reason()).isEqualTo(DisconnectReason.TIMEOUT);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        StepVerifier.create(handshake.asMono())
                .expectErrorSatisfies(e -> assertThat(((PeerException) e).reason()).isEqualTo(DisconnectReason.TIMEOUT))
                .verify(Duration.ofSeconds(1));
    }

    @Test
    void measuresRttAndDisconnectsAfterThreeUnansweredPings() {
        Peer peer = handshake();
        Ping first = Ping.decode(nextOutbound());
        channel.advanceTimeBy(7, TimeUnit.MILLISECONDS);
        receive(new Pong(first.nonce()).toMessage());
        assertThat(peer.lastRtt()).hasValue(Duration.ofMillis(7));

        for (int i = 0; i < 3; i++) {
            channel.advanceTimeBy(15, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            assertThat(nextOutbound().type()).isEqualTo(MessageType.MsgPing);
            assertThat(channel.isOpen()).isTrue();
        }
        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        Disconnect d = Disconnect.decode(nextOutbound());
        assertThat(d.reason()).isEqualTo(DisconnectReason.TIMEOUT);
        assertThat(d.text()).contains("3 PINGs unanswered");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(peer.disconnection()).hasValueSatisfying(why -> {
            assertThat(why.reason()).isEqualTo(DisconnectReason.TIMEOUT);
            assertThat(why.side()).isEqualTo(PeerEvent.Side.LOCAL);
        });
    }

    @Test
    void averageRttIsAnEwma() {
        Peer peer = handshake();
        Ping ping = Ping.decode(nextOutbound());
        channel.advanceTimeBy(80, TimeUnit.MILLISECONDS);
        receive(new Pong(ping.nonce()).toMessage());
        channel.advanceTimeBy(15_000 - 80, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        ping = Ping.decode(nextOutbound());
        channel.advanceTimeBy(8, TimeUnit.MILLISECONDS);
        receive(new Pong(ping.nonce()).toMessage());
        assertThat(peer.lastRtt()).hasValue(Duration.ofMillis(8));
        assertThat(peer.averageRtt()).hasValue(Duration.ofMillis(80 + (8 - 80) / 8));
    }

    @Test
    void answersPingsAtOnceAndIgnoresPongsWithAnotherNonce() {
        Peer peer = handshake();
        nextOutbound(); // our first PING
        receive(new Ping(77).toMessage());
        assertThat(Pong.decode(nextOutbound()).nonce()).isEqualTo(77);
        receive(new Pong(12345).toMessage());
        assertThat(peer.lastRtt()).isEmpty();
    }

    @Test
    void deliversDataMessagesAndCountsUnknownTypes() {
        handshake();
        Message tx = Message.of(MessageType.MsgTx, new byte[] {1, 2});
        receive(tx);
        receive(Message.of(MessageType.fromCode(0x55), new byte[3]));
        assertThat((Message) channel.readInbound()).isEqualTo(tx);
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(unknown).hasValue(1);
    }

    @Test
    void aFrameBeforeHelloIsAProtocolError() {
        nextOutbound();
        receive(Message.of(MessageType.MsgTx, new byte[1]));
        assertThat(Disconnect.decode(nextOutbound()).reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
    }

    @Test
    void aSecondHelloIsAProtocolError() {
        handshake();
        nextOutbound();
        receive(remoteHello().toMessage());
        assertThat(Disconnect.decode(nextOutbound()).reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void negotiatesLz4OnlyWhenBothSidesAdvertiseIt() {
        handshake();
        assertThat(channel.pipeline().get(FrameEncoder.class).lz4()).isTrue();
    }

    @Test
    void aPeerThatStopsReadingGetsNoPongsAndIsDisconnectedAsSlow() {
        Peer peer = handshake();
        nextOutbound(); // our first PING
        // From now on nothing written reaches the socket: the remote stopped reading.
        AtomicLong pongs = new AtomicLong();
        channel.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                if (FrameCodec.type((ByteBuf) msg).equals(MessageType.MsgPong)) {
                    pongs.incrementAndGet();
                }
                ctx.write(msg, p);
            }

            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                // held
            }
        });
        channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        receive(new Ping(1).toMessage()); // answered: the first PONG fills the buffer
        assertThat(channel.isWritable()).isFalse();
        receive(new Ping(2).toMessage()); // not answered while unwritable
        receive(new Ping(3).toMessage());
        channel.advanceTimeBy(15, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        for (int i = 0; i < 2; i++) { // the slow-peer timeout is 30 s
            channel.advanceTimeBy(15, TimeUnit.SECONDS);
            receive(new Pong(0).toMessage()); // keeps the read side alive
            channel.runScheduledPendingTasks();
        }
        channel.advanceTimeBy(1, TimeUnit.SECONDS); // the DISCONNECT cannot be written: closed after the grace
        channel.runScheduledPendingTasks();
        assertThat(peer.disconnection()).hasValueSatisfying(
                why -> assertThat(why.reason()).isEqualTo(DisconnectReason.SLOW_PEER));
        assertThat(pongs).hasValue(1);
    }

    private Peer handshake() {
        assertThat(nextOutbound().type()).isEqualTo(MessageType.MsgHello);
        receive(remoteHello().toMessage());
        return handshake.asMono().block(Duration.ofSeconds(1));
    }

    private static Hello remoteHello() {
        return new Hello(Hello.VERSION, NodeId.random(), 0, 7L, Hello.CAP_LZ4, 0, "remote", new byte[0]);
    }

    private void receive(Message message) {
        ByteBuf frame = FrameCodec.encode(UnpooledByteBufAllocator.DEFAULT, FrameSettings.defaults(), message, false);
        channel.writeInbound(frame);
    }

    private Message nextOutbound() {
        ByteBuf frame = channel.readOutbound();
        assertThat(frame).as("an outbound frame").isNotNull();
        try {
            return FrameCodec.toMessage(frame);
        } finally {
            frame.release();
        }
    }
}
