package io.reactivep2p.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.protocol.FrameDecoder;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.testing.WireBytes;
import io.reactivep2p.transport.PipelineNames;
import io.reactivep2p.transport.TransportSettings;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * {@link Peer#inbound()} without demand stops reading the socket: a sender that keeps writing
 * is blocked by TCP, and resumes when demand comes.
 */
class InboundBackpressureTest {

    private static final int MESSAGES = 20_000;
    private static final int PAYLOAD = 1024;

    @Test
    void noDemandStopsTheSocketReadsAndTheSenderBlocks() throws Exception {
        NodeId self = NodeId.random();
        PeerManager manager = new PeerManager(self, 1L, PeerSettings.defaults(), NodeRuntime.system());
        PeerHandlers handlers = new PeerHandlers(PeerSettings.defaults(), TransportSettings.defaults(),
                FrameSettings.defaults(), manager, PeerObserver.NONE, NodeRuntime.system().random(), new AtomicLong());
        Hello local = new Hello(Hello.VERSION, self, 0, 1L, 0, 0, "test", new byte[0]);
        Sinks.One<Peer> handshake = Sinks.one();
        DisposableServer server = TcpServer.create()
                .host("127.0.0.1").port(0)
                .doOnConnection(conn -> {
                    FrameEncoder encoder = new FrameEncoder(FrameSettings.defaults());
                    conn.addHandlerLast(PipelineNames.FRAME_DECODER, new FrameDecoder(FrameSettings.defaults()))
                            .addHandlerLast(PipelineNames.FRAME_ENCODER, encoder)
                            .addHandlerLast(PipelineNames.PEER, handlers.handler(local, conn,
                                    (InetSocketAddress) conn.channel().remoteAddress(), Direction.INBOUND, encoder,
                                    handshake));
                })
                .handle((in, out) -> out.neverComplete())
                .bindNow();
        InetSocketAddress address = (InetSocketAddress) server.address();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(WireBytes.frame(new Hello(Hello.VERSION, NodeId.random(), 0, 2L, 0, 0, "sender", new byte[0]).toMessage()));
            Peer peer = handshake.asMono().block(Duration.ofSeconds(5));

            AtomicInteger written = new AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] tx = WireBytes.frame(Message.of(MessageType.MsgTx, new byte[PAYLOAD]));
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        out.write(tx);
                        written.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            AtomicInteger received = new AtomicInteger();
            BaseSubscriber<Message> subscriber = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(Subscription subscription) {
                    request(10);
                }

                @Override
                protected void hookOnNext(Message value) {
                    received.incrementAndGet();
                }
            };
            peer.inbound().subscribe(subscriber);

            // With 10 requested, the sender stalls well short of its 20 MiB: TCP pushed back.
            await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 10);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> !writer.isDone() && received.get() == 10);
            assertThat(written.get()).isLessThan(MESSAGES);

            subscriber.request(Long.MAX_VALUE);
            writer.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == MESSAGES);
            subscriber.dispose();
        } finally {
            server.disposeNow();
        }
    }
}
