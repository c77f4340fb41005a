package io.reactivep2p.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
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
 */
final class LocalTransport implements Transport {

    private static final AtomicInteger NETWORKS = new AtomicInteger();
    private static final int FIRST_EPHEMERAL_PORT = 49152;
    private static final int EPHEMERAL_PORTS = 65536 - FIRST_EPHEMERAL_PORT;

    private final String network = "p2p-mem-" + NETWORKS.incrementAndGet() + "/";
    private final AtomicInteger nextPort = new AtomicInteger();

    @Override
    public LoopResources loops(String name, int threads) {
        return new LocalLoops(name, threads);
    }

    @Override
    public TcpServer listen(TcpServer server, String host, int port) {
        String h = host(host);
        // No socket options here: a LocalChannel knows none (Reactor Netty sets SO_REUSEADDR and
        // TCP_NODELAY by default; a null value removes them).
        return server.bindAddress(() -> new LocalAddress(network + hostPort(h, port == 0 ? ephemeralPort() : port)))
                .option(ChannelOption.SO_REUSEADDR, null)
                .childOption(ChannelOption.TCP_NODELAY, null);
    }

    @Override
    public TcpClient dial(TcpClient client, InetSocketAddress remote, InetSocketAddress source) {
        String to = network + hostPort(host(remote.getHostString()), remote.getPort());
        String from = host(source.getHostString());
        return client.remoteAddress(() -> new LocalAddress(to))
                .bindAddress(() -> new LocalAddress(network + hostPort(from, ephemeralPort())))
                .option(ChannelOption.TCP_NODELAY, null);
    }

    @Override
    public InetSocketAddress address(SocketAddress channelAddress) {
        if (channelAddress instanceof LocalAddress local && local.id().startsWith(network)) {
            String hostPort = local.id().substring(network.length());
            int colon = hostPort.lastIndexOf(':');
            String host = hostPort.substring(0, colon);
            byte[] ip = NetUtil.createByteArrayFromIpAddressString(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            try {
                return new InetSocketAddress(InetAddress.getByAddress(ip), Integer.parseInt(hostPort.substring(colon + 1)));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("not an IP address: " + host, e); // cannot happen: host() checked it
            }
        }
        throw new IllegalArgumentException(channelAddress + " is not an address of " + this);
    }

    private int ephemeralPort() {
        return FIRST_EPHEMERAL_PORT + Math.floorMod(nextPort.getAndIncrement(), EPHEMERAL_PORTS);
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

    @Override
    public String toString() {
        return "in-memory " + network.substring(0, network.length() - 1);
    }

    /** One node's event loops for {@code LocalChannel}s; Reactor Netty asks them for channel classes too. */
    private static final class LocalLoops implements LoopResources {

        private final EventLoopGroup group;

        LocalLoops(String name, int threads) {
            this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                    LocalIoHandler.newFactory());
        }

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return group;
        }

        @Override
        public EventLoopGroup onClient(boolean useNative) {
            return group;
        }

        @Override
        public EventLoopGroup onServerSelect(boolean useNative) {
            return group;
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
            return (C) (ServerChannel.class.isAssignableFrom(channelType) ? new LocalServerChannel() : new LocalChannel());
        }

        @Override
        public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            return Mono.create(sink -> group.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(),
                    TimeUnit.MILLISECONDS).addListener(f -> sink.success()));
        }

        @Override
        public boolean isDisposed() {
            return group.isShuttingDown();
        }

        @Override
        public boolean daemon() {
            return true;
        }
    }
}
