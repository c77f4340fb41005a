package io.reactivep2p.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** {@link Peer#send(org.reactivestreams.Publisher)}: one message at a time, paced by the channel's writability. */
class StreamWriterTest {

    private static final int PAYLOAD = 4096;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Peer peer;

    StreamWriterTest() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
        channel.pipeline().addLast(new FrameEncoder(FrameSettings.defaults()));
        peer = TestPeers.peer(channel);
        // What PeerHandler does for a connected peer.
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable()) {
                    peer.writable();
                }
                ctx.fireChannelWritabilityChanged();
            }
        });
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void requestsTheNextMessageOnlyOnceTheChannelIsWritableAgain() {
        FlushGate socket = new FlushGate();
        channel.pipeline().addFirst(socket);
        AtomicLong emitted = new AtomicLong();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Flux<Message> messages = Flux.range(0, 5).map(StreamWriterTest::message).doOnNext(m -> emitted.incrementAndGet());

        peer.send(messages).subscribe(null, error::set, () -> done.set(true));

        for (int i = 0; i < 5; i++) {
            // One message above the high-water mark is pending: nothing more is asked for.
            assertThat(emitted.get()).isEqualTo(i + 1);
            assertThat(channel.isWritable()).isFalse();
            assertThat(channel.outboundMessages()).hasSize(i);
            assertThat(done.get()).isFalse();
            socket.takeAll(); // the channel drains and turns writable
            channel.runPendingTasks();
        }
        assertThat(done.get()).isTrue();
        assertThat(error.get()).isNull();
        for (int i = 0; i < 5; i++) {
            ByteBuf frame = channel.readOutbound();
            try {
                assertThat(FrameCodec.toMessage(frame)).isEqualTo(message(i));
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void writesSmallMessagesInOrderWhileTheChannelIsWritable() {
        AtomicBoolean done = new AtomicBoolean();
        Flux<Message> messages = Flux.range(0, 100).map(i -> Message.of(MessageType.MsgBlock, new byte[] {i.byteValue()}));
        peer.send(messages).subscribe(null, null, () -> done.set(true));
        channel.runPendingTasks();
        assertThat(done.get()).isTrue();
        for (int i = 0; i < 100; i++) {
            ByteBuf frame = channel.readOutbound();
            try {
                assertThat(FrameCodec.toMessage(frame).payloadByte(0)).isEqualTo((byte) i);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void errorsAndCancelsTheStreamWhenTheConnectionCloses() {
        Sinks.Many<Message> source = Sinks.many().unicast().onBackpressureBuffer();
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        peer.send(source.asFlux().doOnCancel(() -> cancelled.set(true))).subscribe(null, error::set);
        source.tryEmitNext(message(1));
        channel.close();
        assertThat(error.get()).isInstanceOf(PeerException.class).hasMessageContaining("closed");
        assertThat(cancelled.get()).isTrue();
    }

    @Test
    void refusesAMessageAboveTheMaximumLengthAndCancelsTheStream() {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Flux<Message> messages = Flux.just(Message.of(MessageType.MsgBlock, new byte[(1 << 20) + 1]))
                .concatWith(Flux.never())
                .doOnCancel(() -> cancelled.set(true));
        peer.send(messages).subscribe(null, error::set);
        channel.runPendingTasks();
        assertThat(error.get()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum message length");
        assertThat(cancelled.get()).isTrue();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void isLazyAndCompletesAtOnceForAnEmptyStream() {
        AtomicBoolean subscribed = new AtomicBoolean();
        var send = peer.send(Flux.<Message>empty().doOnSubscribe(s -> subscribed.set(true)));
        assertThat(subscribed.get()).isFalse();
        AtomicBoolean done = new AtomicBoolean();
        send.subscribe(null, null, () -> done.set(true));
        assertThat(subscribed.get()).isTrue();
        assertThat(done.get()).isTrue();
    }

    /** A socket that takes nothing until told: flushes stop here until {@link #takeAll()}. */
    private static final class FlushGate extends ChannelOutboundHandlerAdapter {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // held back
        }

        void takeAll() {
            ctx.flush();
        }
    }

    private static Message message(int i) {
        byte[] payload = new byte[PAYLOAD];
        payload[0] = (byte) i;
        return Message.of(MessageType.MsgBlock, payload);
    }
}
