package io.reactivep2p.peer;

import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.transport.OutboundQueue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import reactor.netty.Connection;

/** Peers over in-memory channels, for tests of what consumes {@code PeerMessage}s. */
public final class TestPeers {

    private TestPeers() {
    }

    /** A connected inbound peer with a random id on an {@link EmbeddedChannel}; close the channel after. */
    public static Peer peer(EmbeddedChannel channel) {
        Hello hello = new Hello(Hello.VERSION, NodeId.random(), 0, 1, 0, 0, "test", new byte[0]);
        return new Peer(Connection.from(channel), new InetSocketAddress(InetAddress.getLoopbackAddress(), 1),
                Direction.INBOUND, hello, new OutboundQueue(channel, 1 << 20, 1024), 1 << 20, false);
    }
}
