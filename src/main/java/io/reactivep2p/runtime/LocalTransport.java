package io.reactivep2p.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * {@link Transport#inMemory()}: Netty's {@code LocalChannel} under Reactor Netty. A node
 * listening on {@code host:port} binds the {@link LocalAddress} {@code "<network>/host:port"};
 * a dial binds its own {@code "<network>/host:port"}, the dialler's host with a port from this
 * network's ephemeral range, so that the accepting node sees the dialler's IP address as over
 * TCP. {@code <network>} is unique per instance: in-memory networks of one JVM never meet.
 *
 * <p>A wildcard listen host ({@code 0.0.0.0}, {@code ::}) and {@code localhost} stand for
 * {@code 127.0.0.1}. Hosts are IP literals otherwise: nothing is resolved.
 *
 * <p><b>Like a socket.</b> What the handlers above the channel see is what they see over TCP:
 * <ul>
 *   <li>Every channel of the network runs on one event loop thread, whatever
 *       {@code eventLoopThreads} says: a {@code LocalChannel} hands a write to the other end's
 *       queue from the writer's thread, and a close on another thread can race it (the write
 *       then lands in a queue nobody reads again: a leaked buffer). One thread makes each write
 *       and close one step. It is started with the network's first node and stopped with its
 *       last.</li>
 *   <li>What arrives is handed on in a task of its own ({@link SocketLike}), in order, never
 *       within the call that caused it: a {@code LocalChannel} delivers a write to the other end
 *       at once, within the writer's call, and a read asked for within a read at once too.</li>
 *   <li>A write to a connection whose other end has closed is lost without an error, as TCP
 *       takes bytes after the other end's FIN: the writer learns of the close by reading what
 *       came before it (a node that refuses a connection writes DISCONNECT and closes; the
 *       dialler reads that DISCONNECT, as over TCP).</li>
 * </ul>
 * It has no buffers of a socket's size and no round trip: a write lands in the other end's
 * queue at once, however much is queued there.
 */
final class LocalTransport implements Transport {

    private static final AtomicInteger NETWORKS = new AtomicInteger();
    private static final int FIRST_EPHEMERAL_PORT = 49152;
    private static final int EPHEMERAL_PORTS = 65536 - FIRST_EPHEMERAL_PORT;
    /** The name of the {@link Transport#inMemory(EventLoopGroup, Supplier) link} handler in a channel's pipeline. */
    static final String LINK_NAME = NettyPipeline.LEFT + "p2pLocalLink";

    private final String network = "p2p-mem-" + NETWORKS.incrementAndGet() + "/";
    /** Per host, as TCP keeps them per source address: the next of its ephemeral ports to give. */
    private final ConcurrentHashMap<String, AtomicInteger> nextPort = new ConcurrentHashMap<>();
    /** The loop a simulator drives itself, or {@code null}: this network starts and stops its own. */
    private final EventLoopGroup external;
    /** Makes the handler each channel gets after {@link SocketLike}, or {@code null} for none. */
    private final Supplier<? extends ChannelHandler> link;
    /** The network's one event loop, while a node uses it; guarded by itself with {@link #users}. */
    private final Object loopLock = new Object();
    private EventLoopGroup loop;
    private int users;

    LocalTransport() {
        this(null, null);
    }

    LocalTransport(EventLoopGroup external, Supplier<? extends ChannelHandler> link) {
        this.external = external;
        this.link = link;
    }

    @Override
    public LoopResources loops(String name, int threads) {
        return new SharedLoop();
    }

    @Override
    public TcpServer listen(TcpServer server, String host, int port) {
        String h = host(host);
        // No socket options here: a LocalChannel knows none (Reactor Netty sets SO_REUSEADDR and
        // TCP_NODELAY by default; a null value removes them).
        return server.bindAddress(() -> new LocalAddress(network + hostPort(h, port == 0 ? ephemeralPort(h) : port)))
                .option(ChannelOption.SO_REUSEADDR, null)
                .childOption(ChannelOption.TCP_NODELAY, null)
                .doOnChannelInit((observer, channel, remote) -> socketLike(channel));
    }

    /**
     * No resolver: a {@code LocalAddress} is never resolved. Without one, Reactor Netty would set
     * up its DNS resolver for this network's loop and keep it in a static cache keyed by the
     * loop's resources, which refer to this transport: every node and simulation of this
     * network would stay reachable for the life of the JVM.
     */
    @Override
    public TcpClient dialer(TcpClient client) {
        return client.resolver(NoopAddressResolverGroup.INSTANCE);
    }

    @Override
    public TcpClient dial(TcpClient client, InetSocketAddress remote, InetSocketAddress source) {
        String to = network + hostPort(host(remote.getHostString()), remote.getPort());
        String from = host(source.getHostString());
        return client.remoteAddress(() -> new LocalAddress(to))
                .bindAddress(() -> new LocalAddress(network + hostPort(from, ephemeralPort(from))))
                .option(ChannelOption.TCP_NODELAY, null)
                .doOnChannelInit((observer, channel, remoteAddress) -> socketLike(channel));
    }

    private void socketLike(Channel channel) {
        channel.pipeline().addFirst(SocketLike.NAME, new SocketLike());
        if (link != null) {
            channel.pipeline().addAfter(SocketLike.NAME, LINK_NAME, link.get());
        }
    }

    @Override
    public InetSocketAddress address(SocketAddress channelAddress) {
        if (channelAddress instanceof LocalAddress local && local.id().startsWith(network)) {
            String hostPort = local.id().substring(network.length());
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            byte[] ip = NetUtil.createByteArrayFromIpAddressString(literal);
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            try {
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("not an IP address: " + host, e); // cannot happen: host() checked it
            }
        }
        throw new IllegalArgumentException(channelAddress + " is not an address of " + this);
    }

    /**
     * The next ephemeral port of {@code host}, in turn (16,384 of them per host: a host that
     * has made more connections than that wraps around, past ones long closed).
     */
    private int ephemeralPort(String host) {
        AtomicInteger next = nextPort.computeIfAbsent(host, h -> new AtomicInteger());
        return FIRST_EPHEMERAL_PORT + Math.floorMod(next.getAndIncrement(), EPHEMERAL_PORTS);
    }

    /** The IP literal that stands for {@code host} here. */
    private static String host(String host) {
        if (host.equals("localhost")) {
            return "127.0.0.1";
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip == null) {
            throw new IllegalArgumentException("the in-memory transport takes IP addresses, not host names: " + host);
        }
        try {
            InetAddress address = InetAddress.getByAddress(ip);
            return address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(host, e); // cannot happen: a literal of 4 or 16 bytes
        }
    }

    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** This network's name: its addresses' prefix, and its loop thread's. */
    String name() {
        return network.substring(0, network.length() - 1);
    }

    @Override
    public String toString() {
        return "in-memory " + name();
    }

    /**
     * Makes a {@code LocalChannel} look like a socket to the handlers above it (see the class
     * comment): what arrives, the end of a read and the close are handed on in order, in a task
     * of their own; a write that fails because the other end has closed is taken as sent. One
     * instance per channel, first in its pipeline; event loop only.
     */
    static final class SocketLike extends ChannelDuplexHandler {
        /**
         * Reactor Netty's prefix for handlers at the channel's end of the pipeline: the node's
         * own handlers, added first, go above it.
         */
        static final String NAME = NettyPipeline.LEFT + "p2pLocalSocketLike";
        private static final Object READ_COMPLETE = new Object();
        private static final Object INACTIVE = new Object();

        /** Messages, and the markers of read-complete and inactive events, not yet handed on. */
        private final ArrayDeque<Object> arrived = new ArrayDeque<>();
        private boolean scheduled;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            later(ctx, msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            later(ctx, READ_COMPLETE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            later(ctx, INACTIVE);
        }

        private void later(ChannelHandlerContext ctx, Object event) {
            arrived.add(event);
            if (!scheduled) {
                scheduled = true;
                ctx.executor().execute(() -> handOn(ctx));
            }
        }

        private void handOn(ChannelHandlerContext ctx) {
            scheduled = false;
            for (Object event = arrived.poll(); event != null; event = arrived.poll()) {
                if (event == READ_COMPLETE) {
                    ctx.fireChannelReadComplete();
                } else if (event == INACTIVE) {
                    ctx.fireChannelInactive();
                } else {
                    ctx.fireChannelRead(event);
                }
            }
        }

        /**
         * The last event of a closed channel, after which its pipeline is torn down: what is
         * still waiting is handed on now, the close among it.
         */
        @Override
        public void channelUnregistered(ChannelHandlerContext ctx) {
            handOn(ctx);
            ctx.fireChannelUnregistered();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            for (Object event = arrived.poll(); event != null; event = arrived.poll()) {
                ReferenceCountUtil.release(event);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!ctx.channel().isActive()) {
                ctx.write(msg, promise); // our own end is closed: fails, as a socket's would
                return;
            }
            ChannelPromise sent = ctx.newPromise();
            sent.addListener(f -> {
                if (f.isSuccess() || f.cause() instanceof ClosedChannelException) {
                    promise.trySuccess(); // the other end closed: lost, as TCP loses bytes after a FIN
                } else {
                    promise.tryFailure(f.cause());
                }
            });
            ctx.write(msg, sent);
        }
    }

    /** The network's loop, started with the first node that uses it and stopped with the last. */
    private EventLoopGroup acquireLoop() {
        if (external != null) {
            return external;
        }
        synchronized (loopLock) {
            if (loop == null) {
                loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name(), true),
                        LocalIoHandler.newFactory());
            }
            users++;
            return loop;
        }
    }

    private Mono<Void> releaseLoop(Duration quietPeriod, Duration timeout) {
        if (external != null) {
            return Mono.empty(); // its owner stops it
        }
        EventLoopGroup last;
        synchronized (loopLock) {
            if (--users > 0) {
                return Mono.empty();
            }
            last = loop;
            loop = null;
        }
        return Mono.create(sink -> last.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(),
                TimeUnit.MILLISECONDS).addListener(f -> sink.success()));
    }

    /**
     * One node's view of the network's loop; Reactor Netty asks it for channel classes too.
     * Takes the loop at its first use, so a node that never starts starts no thread.
     */
    private final class SharedLoop implements LoopResources {

        private EventLoopGroup group; // guarded by this
        private boolean released;     // guarded by this

        private synchronized EventLoopGroup group() {
            if (group == null) {
                group = acquireLoop();
            }
            return group;
        }

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return group();
        }

        @Override
        public EventLoopGroup onClient(boolean useNative) {
            return group();
        }

        @Override
        public EventLoopGroup onServerSelect(boolean useNative) {
            return group();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <C extends Channel> Class<? extends C> onChannelClass(Class<C> channelType, EventLoopGroup group) {
            // Reactor Netty asks for a server socket or a socket channel class; the local ones take
            // their places (erasure lets a LocalChannel stand where a SocketChannel is asked for).
            return (Class<? extends C>) (ServerChannel.class.isAssignableFrom(channelType)
                    ? LocalServerChannel.class : LocalChannel.class);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <C extends Channel> C onChannel(Class<C> channelType, EventLoopGroup group) {
            return (C) (ServerChannel.class.isAssignableFrom(channelType)
                    ? new LocalServerChannel()
                    : new LocalChannel());
        }

        @Override
        public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            synchronized (this) {
                if (group == null || released) {
                    released = true;
                    return Mono.empty();
                }
                released = true;
            }
            return releaseLoop(quietPeriod, timeout);
        }

        @Override
        public synchronized boolean isDisposed() {
            return released;
        }

        @Override
        public boolean daemon() {
            return true;
        }
    }
}
