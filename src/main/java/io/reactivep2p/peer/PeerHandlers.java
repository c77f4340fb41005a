package io.reactivep2p.peer;

import io.netty.channel.ChannelHandler;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.Hello;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/** Builds the per-connection peer handler for the node facade, which lives in another package. */
public final class PeerHandlers {

    private PeerHandlers() {
    }

    /**
     * The handler that runs the handshake and keepalive of one connection.
     *
     * @param handshake completed with the admitted peer, or failed with a {@link PeerException}
     */
    public static ChannelHandler handler(NodeConfig config, PeerManager manager, Hello localHello, Connection connection,
                                         Direction direction, FrameEncoder encoder, Sinks.One<Peer> handshake,
                                         AtomicLong unknownFrames) {
        return new PeerHandler(config, manager, localHello, connection, direction, encoder, handshake, unknownFrames);
    }
}
