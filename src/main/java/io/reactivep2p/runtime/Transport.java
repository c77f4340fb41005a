package io.reactivep2p.runtime;

import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Supplier;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Makes a node's event loops and channels, and says what their addresses are: TCP sockets
 * ({@link #tcp()}, the default) or Netty's in-memory {@code LocalChannel}s ({@link #inMemory()}).
 * The node builds its Reactor Netty {@link TcpServer} and {@link TcpClient} and hands them here
 * to be pointed at an address and given the options of this kind of channel; everything
 * above the channel (codecs, handshake, peers) is the same over every transport.
 *
 * <p>Peers, the address book and bans know nodes by IP address and port, whatever carries the
 * bytes: {@link #address(SocketAddress)} turns a channel's address into one.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface Transport {

    /** TCP: native epoll where available, else NIO; {@code TCP_NODELAY} on every connection. */
    static Transport tcp() {
        return TcpTransport.INSTANCE;
    }

    /**
     * A new in-memory network: nodes whose runtimes share this instance reach each other
     * through Netty's {@code LocalChannel}, by the IP address and port they listen on, without
     * sockets. No other transport instance sees them. For tests and simulations.
     */
    static Transport inMemory() {
        return new LocalTransport();
    }

    /**
     * A new in-memory network like {@link #inMemory()}, on an event loop its caller owns and
     * drives (a simulator's: one thread, a virtual clock), with a handler of the caller's
     * between each channel and the node's pipeline (a simulator's model of the link: latency,
     * bandwidth, loss). Stopping a node leaves {@code loop} running; its owner stops it.
     *
     * @param loop where every channel of the network runs
     * @param link makes a new handler for each channel, added right above the channel (reads
     *     reach it in a task of their own, as over {@link #inMemory()}); it sees the raw bytes
     *     both ways
     */
    static Transport inMemory(EventLoopGroup loop, Supplier<? extends ChannelHandler> link) {
        return new LocalTransport(Objects.requireNonNull(loop, "loop"), Objects.requireNonNull(link, "link"));
    }

    /**
     * The event loops of one node, their threads named after {@code name}. The node disposes
     * them when it stops (a transport that shares loops between nodes returns resources whose
     * disposal leaves the shared loops running).
     */
    LoopResources loops(String name, int threads);

    /** Points the node's listener at {@code host:port} ({@code port} 0: any free one). */
    TcpServer listen(TcpServer server, String host, int port);

    /**
     * What every dial of a node shares, applied once as the node is created, before the client
     * is given the node's loops; {@link #dial} then points a copy at each remote. The default
     * leaves the client as it is.
     */
    default TcpClient dialer(TcpClient client) {
        return client;
    }

    /**
     * Points a dial at {@code remote}.
     *
     * @param source the address the dialling node listens on: a specific host is also the
     *     source address of its outbound connections, so that peers learn where it listens
     */
    TcpClient dial(TcpClient client, InetSocketAddress remote, InetSocketAddress source);

    /** The IP address and port behind a channel's local or remote address. */
    InetSocketAddress address(SocketAddress channelAddress);
}
