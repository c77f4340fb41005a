package io.reactivep2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameDecoder;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.Ping;
import io.reactivep2p.protocol.Pong;
import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import reactor.netty.Connection;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;

/**
 * The smallest peer that a node admits: it sends a HELLO with a fresh random node id, answers
 * PINGs with PONGs and ignores everything else. The harness dials nodes with it where it needs
 * many identities (handshakes per second, idle peers) without running a node per connection.
 * Over the secure channel its identity is a fresh X25519 key pair, its HELLO the payload of a
 * Noise XX handshake that the library's {@link SecureChannelHandler} runs, as a node's dial does.
 */
final class RawPeer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private RawPeer() {
    }

    /**
     * Dials {@code server}; completes with the connection once the node has admitted it (its
     * first PING, which a node sends right after admission), or exceptionally when it refuses;
     * over the secure channel (protocol v2) or plaintext (v1).
     */
    static CompletableFuture<Connection> connect(LoopResources loops, InetSocketAddress server, boolean secure) {
        CompletableFuture<Connection> admitted = new CompletableFuture<>();
        FrameSettings settings = secure ? FrameSettings.defaults().withFormat(FrameFormat.INNER) : FrameSettings.defaults();
        DhKeyPair identity = secure ? Dh.X25519.generateKeyPair(RANDOM) : null;
        Hello hello = new Hello(secure ? Hello.VERSION_2 : Hello.VERSION,
                secure ? NodeId.of(identity.publicKey()) : NodeId.random(), 0,
                ThreadLocalRandom.current().nextLong(), 0, System.currentTimeMillis(), "raw-peer", new byte[0]);
        TcpClient.newConnection().runOn(loops).remoteAddress(() -> server)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .doOnConnected(c -> {
                    c.channel().config().setAutoRead(true); // nothing subscribes to inbound()
                    if (secure) {
                        byte[] payload = hello.toV2Payload();
                        c.addHandlerFirst(PipelineNames.SECURE, SecureChannelHandler.dialer(
                                settings.magic(), identity, null, () -> payload, RANDOM));
                    }
                    c.addHandlerLast("frames", new FrameDecoder(settings))
                            .addHandlerLast("peer", new Handler(c, settings, admitted));
                    if (!secure) {
                        c.channel().writeAndFlush(encode(c, settings, hello.toMessage()));
                    }
                })
                .connect()
                .timeout(Duration.ofSeconds(10))
                .subscribe(c -> { }, admitted::completeExceptionally);
        return admitted;
    }

    private static ByteBuf encode(Connection c, FrameSettings settings, Message message) {
        return FrameCodec.encode(c.channel().alloc(), settings, message, false);
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final Connection connection;
        private final FrameSettings settings;
        private final CompletableFuture<Connection> admitted;

        Handler(Connection connection, FrameSettings settings, CompletableFuture<Connection> admitted) {
            this.connection = connection;
            this.settings = settings;
            this.admitted = admitted;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                switch (settings.format().typeCode(frame)) {
                    case 0x02 -> {
                        long nonce = Ping.decode(settings.format().toMessage(frame)).nonce();
                        ctx.writeAndFlush(encode(connection, settings, new Pong(nonce).toMessage()));
                        admitted.complete(connection);
                    }
                    case 0x04 -> admitted.completeExceptionally(new IllegalStateException(
                            "refused: " + Disconnect.decode(settings.format().toMessage(frame))));
                    default -> { }
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            admitted.completeExceptionally(new IllegalStateException("closed before admission"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            admitted.completeExceptionally(cause);
            ctx.close();
        }
    }
}
