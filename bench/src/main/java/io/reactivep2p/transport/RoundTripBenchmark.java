package io.reactivep2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.RpcSettings;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Round trip of a message with a 1-byte payload (a 15-byte frame) over an established loopback
 * connection, closed loop: the client sends the next message when the echo of the previous
 * one arrives. Compared side by side in one run:
 *
 * <ul>
 *   <li>{@code blocking socket}: two threads doing {@code write}/{@code readFully} on plain
 *       sockets, no framework — the floor;</li>
 *   <li>{@code netty raw}: the same 15 bytes echoed by a bare Netty handler on Reactor Netty's
 *       event loops (native epoll; one for each side), no protocol;</li>
 *   <li>{@code reactive-p2p}: two {@link P2pNode}s; the server echoes from
 *       {@code node.messages(type)} with {@code peer.offer}, through the whole stack (frame
 *       codec, CRC32C, peer handler, outbound queue, delivery) — with the default coalescing
 *       flush, and with a flush per message.</li>
 * </ul>
 *
 * <p>Run (leak detection off: at its default level it samples buffers with stack traces):
 * <pre>
 * java -Dio.netty.leakDetection.level=disabled -cp bench/target/benchmarks.jar \
 *     io.reactivep2p.transport.RoundTripBenchmark [samples] [warmup] [rounds]
 * </pre>
 * (defaults 200000, 20000 and 5: the variants take turns, five times, each time on a new
 * connection warmed up by 20000 round trips). Prints p50, p99, p99.9 and max in microseconds.
 */
public final class RoundTripBenchmark {

    static final MessageType ECHO = MessageType.of(0x80, "ECHO");
    static final Message ONE_BYTE = Message.of(ECHO, new byte[] {42});
    static final byte[] FRAME = frameBytes(ONE_BYTE);

    private RoundTripBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String[] names = {"blocking socket", "netty raw", "reactive-p2p (coalesce)", "reactive-p2p (flush each)"};
        Histogram[] total = new Histogram[names.length];
        // Rounds interleave the variants, so that the machine's noise spreads over all of them.
        for (int round = 0; round < rounds; round++) {
            int n = samples / rounds;
            Histogram[] h = {
                    blockingSocket(n, warmup), nettyRaw(n, warmup),
                    p2p(n, warmup, FlushPolicy.COALESCE), p2p(n, warmup, FlushPolicy.EACH_MESSAGE)};
            for (int v = 0; v < names.length; v++) {
                System.out.printf(Locale.ROOT, "round %d %-28s p50 %s µs, p99 %s µs%n", round + 1, names[v],
                        us(h[v].getValueAtPercentile(50)), us(h[v].getValueAtPercentile(99)));
                if (total[v] == null) {
                    total[v] = h[v];
                } else {
                    total[v].add(h[v]);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nround trip, 1-byte payload (15-byte frame), %d samples per variant in %d rounds"
                + " (each after %d warm-up round trips)%n", samples, rounds, warmup);
        System.out.printf(Locale.ROOT, "%-28s %9s %9s %9s %9s %11s%n", "variant", "p50 µs", "p99 µs", "p99.9 µs",
                "max µs", "p50 ratio");
        for (int v = 0; v < names.length; v++) {
            System.out.printf(Locale.ROOT, "%-28s %9s %9s %9s %9s %11s%n", (Object[]) row(names[v], total[v], total[0]));
        }
    }

    private static String[] row(String name, Histogram h, Histogram floor) {
        return new String[] {name, us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(99)),
                us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()),
                String.format(Locale.ROOT, "%.2fx", (double) h.getValueAtPercentile(50) / floor.getValueAtPercentile(50))};
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    static byte[] frameBytes(Message message) {
        ByteBuf frame = FrameCodec.encode(ByteBufAllocator.DEFAULT, FrameSettings.defaults(), message, false);
        try {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            return bytes;
        } finally {
            frame.release();
        }
    }

    /** Counts round trips and records the latency of those after the warm-up. */
    static final class Recorder {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final CountDownLatch done = new CountDownLatch(1);
        final int total;
        final int warmup;
        int count;
        long sentAt;
        long measureStart;
        long measureEnd;

        Recorder(int samples, int warmup) {
            this.total = samples + warmup;
            this.warmup = warmup;
        }

        /** Records the round trip that just ended; returns whether another should be sent. */
        boolean echoed() {
            long now = System.nanoTime();
            if (count++ >= warmup) {
                histogram.recordValue(now - sentAt);
            } else if (count == warmup) {
                measureStart = now;
            }
            if (count == total) {
                measureEnd = now;
                done.countDown();
                return false;
            }
            sentAt = System.nanoTime();
            return true;
        }

        /** Round trips per second after the warm-up (closed loop: one in flight). */
        double rate() {
            return (total - warmup) / ((measureEnd - measureStart) / 1e9);
        }

        void await() throws InterruptedException {
            if (!done.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("round trips did not finish: " + count + " of " + total);
            }
        }
    }

    static Histogram blockingSocket(int samples, int warmup) throws Exception {
        return blockingSocket(FRAME, samples, warmup).histogram;
    }

    /** Echoes {@code frame} (any bytes of that length) over plain blocking sockets. */
    static Recorder blockingSocket(byte[] frame, int samples, int warmup) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[frame.length];
                    for (int i = 0; i < samples + warmup; i++) {
                        in.readFully(buf);
                        out.write(buf);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "echo");
            echo.start();
            Recorder r = new Recorder(samples, warmup);
            try (Socket s = new Socket(server.getInetAddress(), server.getLocalPort())) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[frame.length];
                r.sentAt = System.nanoTime();
                do {
                    out.write(frame);
                    in.readFully(buf);
                } while (r.echoed());
            }
            echo.join();
            return r;
        }
    }

    static Histogram nettyRaw(int samples, int warmup) throws Exception {
        return nettyRaw(FRAME, samples, warmup).histogram;
    }

    /** Echoes {@code frameBytes} with bare Netty handlers on one event loop per side. */
    static Recorder nettyRaw(byte[] frameBytes, int samples, int warmup) throws Exception {
        // One event loop per side, as two nodes have: each round trip crosses two threads.
        LoopResources serverLoops = LoopResources.create("raw-server", 1, 1, true);
        LoopResources clientLoops = LoopResources.create("raw-client", 1, 1, true);
        Recorder r = new Recorder(samples, warmup);
        ByteBuf frame = Unpooled.unreleasableBuffer(Unpooled.directBuffer(frameBytes.length).writeBytes(frameBytes));
        DisposableServer server = TcpServer.create().runOn(serverLoops).host("127.0.0.1").port(0)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnConnection(c -> c.channel().config().setAutoRead(true)) // nothing subscribes to inbound()
                .doOnConnection(c -> c.addHandlerLast("echo", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                }))
                .handle((in, out) -> out.neverComplete())
                .bindNow();
        Connection client = TcpClient.create().runOn(clientLoops).remoteAddress(server::address)
                .option(ChannelOption.TCP_NODELAY, true)
                .doOnConnected(c -> c.channel().config().setAutoRead(true))
                .doOnConnected(c -> c.addHandlerLast("frames", new FixedLengthFrameDecoder(frameBytes.length))
                        .addHandlerLast("measure", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                                if (r.echoed()) {
                                    ctx.writeAndFlush(frame.duplicate());
                                }
                            }
                        }))
                .connectNow();
        r.sentAt = System.nanoTime();
        client.channel().writeAndFlush(frame.duplicate());
        r.await();
        client.disposeNow();
        server.disposeNow();
        clientLoops.disposeLater().block();
        serverLoops.disposeLater().block();
        return r;
    }

    static Histogram p2p(int samples, int warmup, FlushPolicy policy) throws Exception {
        return p2p(ONE_BYTE, samples, warmup, policy).histogram;
    }

    /** Echoes {@code message} (of type {@link #ECHO}) between two nodes. */
    static Recorder p2p(Message message, int samples, int warmup, FlushPolicy policy) throws Exception {
        return p2p(message, samples, warmup, policy, false);
    }

    /**
     * Round trips of {@code peer.request(message)}, answered by a request handler that returns
     * the request: one in flight, each started as the last one's answer arrives (on the
     * client's event loop). {@code secure}: over the secure channel, else plaintext.
     */
    static Recorder p2pRequest(Message message, int samples, int warmup, boolean secure) throws Exception {
        // The responder's request rate limit (10,000/s per peer by default) lifted: this measures the protocol.
        NodeConfig.Builder cfg = NodeConfig.builder().plaintext(!secure).listenHost("127.0.0.1").eventLoopThreads(1)
                .flushPolicy(FlushPolicy.COALESCE).rpc(RpcSettings.defaults().withRequestRate(1e9));
        try (P2pNode server = P2pNode.create(cfg.build()); P2pNode client = P2pNode.create(cfg.build())) {
            server.handleRequests(ECHO, (peer, request) -> Mono.just(request));
            server.start().block();
            client.start().block();
            Peer peer = client.connect(new InetSocketAddress("127.0.0.1", server.address().getPort())).block();
            Recorder r = new Recorder(samples, warmup);
            Runnable[] next = new Runnable[1];
            next[0] = () -> peer.request(message).subscribe(answer -> {
                if (r.echoed()) {
                    next[0].run();
                }
            }, e -> r.done.countDown());
            r.sentAt = System.nanoTime();
            next[0].run();
            r.await();
            if (r.count < r.total) {
                throw new IllegalStateException("a request failed after " + r.count + " round trips");
            }
            return r;
        }
    }

    /** {@code secure}: over the secure channel (protocol v2), else plaintext (v1). */
    static Recorder p2p(Message message, int samples, int warmup, FlushPolicy policy, boolean secure) throws Exception {
        // Point to point, not gossip: the same payload again and again is not a duplicate here.
        NodeConfig.Builder cfg = NodeConfig.builder().plaintext(!secure).listenHost("127.0.0.1").eventLoopThreads(1).flushPolicy(policy)
                .directTypes(ECHO);
        try (P2pNode server = P2pNode.create(cfg.build()); P2pNode client = P2pNode.create(cfg.build())) {
            server.messages(ECHO).subscribe(m -> m.peer().offer(m.message()));
            Recorder r = new Recorder(samples, warmup);
            client.messages(ECHO).subscribe(m -> {
                if (r.echoed()) {
                    m.peer().offer(message);
                }
            });
            server.start().block();
            client.start().block();
            Peer peer = client.connect(new InetSocketAddress("127.0.0.1", server.address().getPort())).block();
            r.sentAt = System.nanoTime();
            peer.offer(message);
            r.await();
            return r;
        }
    }
}
