package io.reactivep2p.runtime;

import io.netty.channel.ChannelOption;
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
        return LoopResources.create(name, 1, threads, true);
    }

    @Override
    public TcpServer listen(TcpServer server, String host, int port) {
        return server.host(host).port(port).childOption(ChannelOption.TCP_NODELAY, true);
    }

    @Override
    public TcpClient dial(TcpClient client, InetSocketAddress remote, InetSocketAddress source) {
        TcpClient dial = client.remoteAddress(() -> remote).option(ChannelOption.TCP_NODELAY, true);
        InetAddress from = source.getAddress();
        return from == null || from.isAnyLocalAddress() ? dial : dial.bindAddress(() -> new InetSocketAddress(from, 0));
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
