package io.reactivep2p.runtime;

import io.netty.channel.ChannelOption;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/** {@link Transport#tcp()}. */
final class TcpTransport implements Transport {

    static final TcpTransport INSTANCE = new TcpTransport();

    private TcpTransport() {
    }

    @Override
    public LoopResources loops(String name, int threads) {
        // No loop of its own for accepting (Reactor Netty's default too): on a machine with few
        // cores a separate accept loop is one more thread to wake per inbound connection.
        return LoopResources.create(name, threads, true);
    }

    /**
     * No resolver but for host names: Reactor Netty sets up its DNS resolver for a client's event
     * loops (a UDP channel per loop, the system's resolver configuration read) as the client is
     * given its loops, unless it has a resolver already; most dials go to resolved addresses
     * (from HELLOs, PEERS and the book), and the first of them would pay for it.
     */
    @Override
    public TcpClient dialer(TcpClient client) {
        return client.resolver(NoopAddressResolverGroup.INSTANCE);
    }

    @Override
    public TcpServer listen(TcpServer server, String host, int port) {
        return server.host(host).port(port).childOption(ChannelOption.TCP_NODELAY, true);
    }

    @Override
    public TcpClient dial(TcpClient client, InetSocketAddress remote, InetSocketAddress source) {
        InetSocketAddress to = literal(remote);
        TcpClient dial = client.remoteAddress(() -> to).option(ChannelOption.TCP_NODELAY, true);
        // An address already resolved goes to connect() as it is (see dialer()); a host name is
        // resolved by Reactor Netty's asynchronous DNS resolver, set up on the first such dial.
        if (to.isUnresolved()) {
            dial = dial.resolver(spec -> { });
        }
        InetAddress from = source.getAddress();
        return from == null || from.isAnyLocalAddress() ? dial : dial.bindAddress(() -> new InetSocketAddress(from, 0));
    }

    /** {@code address} resolved if its host is an IP literal (no lookup: the bytes are in the text), else as it is. */
    static InetSocketAddress literal(InetSocketAddress address) {
        if (!address.isUnresolved()) {
            return address;
        }
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address.getHostString());
        return ip == null ? address : new InetSocketAddress(ip, address.getPort());
    }

    @Override
    public InetSocketAddress address(SocketAddress channelAddress) {
        return (InetSocketAddress) channelAddress;
    }

    @Override
    public String toString() {
        return "tcp";
    }
}
