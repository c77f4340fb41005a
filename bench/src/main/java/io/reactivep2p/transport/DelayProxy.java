package io.reactivep2p.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy that delays every byte by a fixed time in each direction: a round-trip delay on
 * loopback without netem. Run in a process of its own, so that its system calls and CPU time
 * are not the measured process's. Each chunk read is written to the other side
 * {@code delay} later (the event loop runs tasks of equal delay in order); reads are never
 * paused, which is fine for the bounded loads it is used with.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.reactivep2p.transport.DelayProxy TARGET_PORT ONE_WAY_DELAY_MS
 * </pre>
 * prints {@code port <n>} once it listens on 127.0.0.1, and exits when its stdin closes.
 */
public final class DelayProxy {

    private DelayProxy() {
    }

    public static void main(String[] args) throws Exception {
        int targetPort = Integer.parseInt(args[0]);
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel inbound) {
                            Channel outbound = new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                                    .option(ChannelOption.TCP_NODELAY, true)
                                    .handler(new Forward(inbound, delayNanos))
                                    .connect(new InetSocketAddress("127.0.0.1", targetPort))
                                    .addListener(f -> {
                                        if (f.isSuccess()) {
                                            inbound.config().setAutoRead(true);
                                        } else {
                                            inbound.close();
                                        }
                                    })
                                    .channel();
                            inbound.pipeline().addLast(new Forward(outbound, delayNanos));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            System.out.println("port " + ((InetSocketAddress) server.localAddress()).getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // runs until the parent closes stdin
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Writes what it reads to {@code to}, {@code delayNanos} later; closes {@code to} (as late) when its side closes. */
    private static final class Forward extends ChannelInboundHandlerAdapter {
        private final Channel to;
        private final long delayNanos;

        Forward(Channel to, long delayNanos) {
            this.to = to;
            this.delayNanos = delayNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.executor().schedule(() -> {
                if (to.isActive()) {
                    to.writeAndFlush(msg);
                } else {
                    ReferenceCountUtil.release(msg);
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ctx.executor().schedule(() -> {
                to.close();
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
