package io.reactivep2p.peer;

import io.netty.channel.ChannelHandler;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * Makes the peer handler of each of a node's connections: what every connection of the node
 * shares (settings, the peer manager, the observer, the random source of PING nonces), given
 * once. The node facade, in another package, installs one handler per connection.
 *
 * <pre>{@code
 * PeerHandlers handlers = new PeerHandlers(peerSettings, transportSettings, frameSettings, manager,
 *         observer, runtime.random(), unknownFrames);
 * connection.addHandlerLast(PipelineNames.PEER,
 *         handlers.handler(hello, connection, remote, Direction.OUTBOUND, encoder, handshake));
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class PeerHandlers {

    final PeerSettings settings;
    final TransportSettings transport;
    final int maxMessageLength;
    /** The frames' layout: {@link FrameFormat#INNER} when the node runs the secure channel. */
    final FrameFormat format;
    final PeerManager manager;
    final PeerObserver observer;
    final RandomGenerator random;
    final AtomicLong unknownFrames;
    /** Requests and streams; null: none (each peer refuses to make them, and ignores the frames). */
    final RpcService rpc;

    /**
     * @param settings timeouts, keepalive, slow-peer rule
     * @param transport the outbound queue's budget and flush rules
     * @param frames the largest message a peer may be sent
     * @param manager admits peers and scores them
     * @param observer told of handshakes, round trips and protocol errors
     * @param random the source of PING nonces
     * @param unknownFrames counts frames of types this version does not define
     */
    public PeerHandlers(PeerSettings settings, TransportSettings transport, FrameSettings frames, PeerManager manager,
                        PeerObserver observer, RandomGenerator random, AtomicLong unknownFrames) {
        this(settings, transport, frames, manager, observer, random, unknownFrames, null);
    }

    /** As above, with the node's requests and streams ({@code rpc}; null for none). */
    public PeerHandlers(PeerSettings settings, TransportSettings transport, FrameSettings frames, PeerManager manager,
                        PeerObserver observer, RandomGenerator random, AtomicLong unknownFrames, RpcService rpc) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.maxMessageLength = frames.maxMessageLength();
        this.format = frames.format();
        this.manager = Objects.requireNonNull(manager, "manager");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.random = Objects.requireNonNull(random, "random");
        this.unknownFrames = Objects.requireNonNull(unknownFrames, "unknownFrames");
        this.rpc = rpc;
    }

    /**
     * The handler that runs the handshake and keepalive of one connection.
     *
     * @param localHello this node's HELLO for this connection (its LZ4 capability decides
     *     whether this node compresses)
     * @param remote the connection's remote address, as an IP address and port
     * @param handshake completed with the admitted peer, or failed with a {@link PeerException}
     */
    public ChannelHandler handler(Hello localHello, Connection connection, InetSocketAddress remote, Direction direction,
                                  FrameEncoder encoder, Sinks.One<Peer> handshake) {
        return new PeerHandler(this, localHello, connection, remote, direction, encoder, handshake);
    }
}
