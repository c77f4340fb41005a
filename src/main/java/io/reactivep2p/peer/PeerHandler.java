package io.reactivep2p.peer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameDecoder;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.Ping;
import io.reactivep2p.protocol.Pong;
import io.reactivep2p.protocol.ProtocolException;
import io.reactivep2p.transport.OutboundQueue;
import io.reactivep2p.transport.SecureChannelHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * The state of one connection: handshake, keepalive, DISCONNECT and protocol errors. Sits
 * after the frame codec and before Reactor Netty's bridge; data messages go on as
 * {@link io.reactivep2p.protocol.Message}s to {@link Peer#inbound()}.
 *
 * <ol>
 *   <li><b>Handshake.</b> On start it sends this node's HELLO at once and waits, at most the
 *       handshake timeout, for the remote's. The first frame must be HELLO (or a DISCONNECT
 *       refusing us). The HELLO is refused with DISCONNECT for another version, and by the
 *       {@link PeerManager} for a self-connection, a duplicate, the peer limits, or a ban.</li>
 *   <li><b>Keepalive.</b> A PING right after the handshake and every ping interval; a PONG
 *       echoing its nonce gives the RTT. The peer is disconnected with
 *       {@link DisconnectReason#TIMEOUT} after {@code maxMissedPongs} unanswered PINGs, or
 *       when nothing at all was read for the read-idle timeout; with
 *       {@link DisconnectReason#SLOW_PEER} when its outbound queue stayed full, its socket
 *       full or its streams' frames untaken, for the slow-peer timeout.</li>
 *   <li><b>Errors.</b> A {@link ProtocolException} from the decoders sends DISCONNECT with its
 *       reason (except a wrong magic: the remote speaks another network), scores the peer, and
 *       closes. Frames of undefined types are counted and ignored.</li>
 * </ol>
 *
 * <p>Every method runs on the channel's event loop; one instance per channel.
 */
final class PeerHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PeerHandler.class);
    /** How long a DISCONNECT may take to be written before the socket is closed anyway. */
    private static final long CLOSE_GRACE_MILLIS = 1000;

    private enum State { HANDSHAKING, ACTIVE, CLOSING, CLOSED }

    private final PeerHandlers node;
    private final PeerSettings settings;
    private final PeerManager manager;
    private final Hello localHello;
    private final Connection connection;
    private final InetSocketAddress remoteAddress;
    private final Direction direction;
    private final Sinks.One<Peer> handshake;
    private final FrameEncoder encoder;
    private final FrameFormat format;
    /** Version 2: the secure channel below carries the handshake and the frames. */
    private final boolean secure;
    /** Version 2: the secure channel's handshake completed. */
    private boolean secured;

    private State state = State.HANDSHAKING;
    private boolean started;
    private ChannelHandlerContext ctx;
    private OutboundQueue outbound;
    private Peer peer;
    private Disconnection disconnection;
    private ScheduledFuture<?> handshakeTimer;
    private ScheduledFuture<?> keepaliveTimer;
    private long startNanos;
    /** Whether a data message went up the pipeline since the last read completed; event loop only. */
    private boolean forwardedSinceReadComplete;
    private long lastReadNanos;
    private long pingNonce;
    private long pingSentNanos;
    private int unansweredPings;
    private long unwritableSinceNanos;

    /** See {@link PeerHandlers#handler}. */
    PeerHandler(PeerHandlers node, Hello localHello, Connection connection, InetSocketAddress remoteAddress,
                Direction direction, FrameEncoder encoder, Sinks.One<Peer> handshake) {
        this.node = node;
        this.settings = node.settings;
        this.manager = node.manager;
        this.localHello = localHello;
        this.connection = connection;
        this.remoteAddress = remoteAddress;
        this.direction = direction;
        this.encoder = encoder;
        this.handshake = handshake;
        this.format = node.format;
        this.secure = node.format == FrameFormat.INNER;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.outbound = new OutboundQueue(ctx.channel(), node.transport);
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!started) {
            start();
        }
        ctx.fireChannelActive();
    }

    private void start() {
        started = true;
        startNanos = now();
        lastReadNanos = startNanos;
        if (!secure) { // version 2: the HELLOs are the secure channel's handshake payloads
            ctx.writeAndFlush(localHello.toMessage(), ctx.voidPromise());
        }
        handshakeTimer = ctx.executor().schedule(() -> {
            if (state == State.HANDSHAKING) {
                // Version 2: nothing can be sent before the secure channel is up.
                close(local(DisconnectReason.TIMEOUT, (secure ? "no secure channel" : "no HELLO") + " within "
                        + settings.handshakeTimeout()), !secure);
            }
        }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        // Reactor Netty reads only on the demand of Peer.inbound(), which is subscribed after
        // the handshake: read on our own until then. Last, once the handshake is under way: an
        // in-memory channel delivers what it holds already (the remote HELLO) within this call.
        ctx.channel().config().setAutoRead(true);
    }

    /**
     * After the handshake, reads follow the demand of {@link Peer#inbound()}, which asks for
     * more only as messages reach it. A read whose frames this handler consumed itself (PING,
     * PONG, undefined codes) brings it nothing, so nothing would ask for the next read and the
     * connection would stall; this handler asks instead. At most one more read can then arrive
     * beyond the demand (the socket read is bounded), and only when the last one delivered nothing.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.ACTIVE && !forwardedSinceReadComplete && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        forwardedSinceReadComplete = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        lastReadNanos = now();
        try {
            if (state == State.HANDSHAKING) {
                onHandshakeFrame(frame);
            } else if (state == State.ACTIVE) {
                onFrame(frame);
            }
            // CLOSING, CLOSED: discard
        } catch (ProtocolException e) {
            protocolError(e);
        } finally {
            frame.release();
        }
    }

    /** Version 2: the secure channel is up; its handshake carried the peer's HELLO. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SecureChannelHandler.Completed completed) {
            if (state == State.HANDSHAKING) {
                lastReadNanos = now();
                try {
                    onSecureHandshake(completed);
                } catch (ProtocolException e) {
                    protocolError(e);
                }
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onSecureHandshake(SecureChannelHandler.Completed completed) {
        secured = true;
        byte[] payload = completed.remotePayload();
        int version = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : Hello.VERSION_2;
        if (version != Hello.VERSION_2) {
            close(local(DisconnectReason.INCOMPATIBLE_VERSION,
                    "version " + version + " is not supported, this node speaks " + Hello.VERSION_2), true);
            return;
        }
        admit(Hello.decodeV2(payload, NodeId.of(completed.remoteStaticKey())));
    }

    private void onHandshakeFrame(ByteBuf frame) {
        if (secure) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, "a frame before the handshake");
        }
        MessageType type = FrameCodec.type(frame);
        if (type.equals(MessageType.MsgDisconnect)) {
            Disconnect d = Disconnect.decode(FrameCodec.toMessage(frame));
            close(new Disconnection(d.reason(), PeerEvent.Side.REMOTE, d.text()), false);
            return;
        }
        if (!type.equals(MessageType.MsgHello)) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, "first frame is " + type + ", not HELLO");
        }
        // The version comes first and is checked before the rest: another version may lay out
        // its HELLO differently, and deserves INCOMPATIBLE_VERSION, not a protocol error.
        int version = FrameCodec.payloadLength(frame) >= 2
                ? frame.getUnsignedShort(frame.readerIndex() + FrameCodec.HEADER_LENGTH) : Hello.VERSION;
        if (version != Hello.VERSION) {
            close(local(DisconnectReason.INCOMPATIBLE_VERSION,
                    "version " + version + " is not supported, this node speaks " + Hello.VERSION), true);
            return;
        }
        admit(Hello.decode(FrameCodec.toMessage(frame)));
    }

    /** The peer's HELLO is in and valid: the peer manager decides; from here on the peer is admitted or refused. */
    private void admit(Hello hello) {
        boolean lz4 = localHello.supportsLz4() && hello.supportsLz4();
        Peer candidate = new Peer(connection, remoteAddress, direction, hello, outbound, node.maxMessageLength, lz4,
                node.rpc);
        // From here on reads follow the demand of Peer.inbound(): none until it is subscribed
        // (the node subscribes while admitting the peer, just below).
        ctx.channel().config().setAutoRead(false);
        PeerManager.Admission admission = manager.admit(candidate, hello.nonce());
        if (!admission.accepted()) {
            close(local(admission.refusal(), refusalText(admission.refusal())), true);
            return;
        }
        peer = candidate;
        state = State.ACTIVE;
        FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
        if (decoder != null) {
            decoder.handshakeDone();
        }
        handshakeTimer.cancel(false);
        node.observer.handshake(direction, now() - startNanos);
        encoder.lz4(lz4);
        long interval = settings.pingInterval().toNanos();
        keepaliveTimer = ctx.executor().scheduleAtFixedRate(this::keepalive, interval, interval, TimeUnit.NANOSECONDS);
        sendPing();
        if (admission.replaced() != null) {
            admission.replaced().disconnect(DisconnectReason.DUPLICATE_CONNECTION, "replaced by the connection dialled by the lower id")
                    .subscribe();
        }
        log.debug("connected {}", peer);
        handshake.tryEmitValue(peer);
    }

    private void onFrame(ByteBuf frame) {
        MessageType type = format.type(frame);
        switch (type.code()) {
            case 0x02 -> {
                Pong pong = new Pong(Ping.decode(format.toMessage(frame)).nonce());
                // A peer that sends PINGs but does not read gets no more PONGs than the socket
                // takes: answers are dropped while the channel is over its high-water mark.
                if (ctx.channel().isWritable()) {
                    outbound.sendNow(pong.toMessage());
                }
            }
            case 0x03 -> onPong(Pong.decode(format.toMessage(frame)).nonce());
            case 0x04 -> {
                Disconnect d = Disconnect.decode(format.toMessage(frame));
                close(new Disconnection(d.reason(), PeerEvent.Side.REMOTE, d.text()), false);
            }
            case 0x00 -> throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, "HELLO after the handshake");
            // Requests and streams: answered and credited on this loop whatever the application reads.
            case 0x30, 0x31, 0x32, 0x33, 0x34 -> peer.onRpcFrame(format.toMessage(frame));
            default -> {
                if (type.isDefined()) {
                    ctx.fireChannelRead(format.toMessage(frame));
                    forwardedSinceReadComplete = true;
                } else {
                    node.unknownFrames.incrementAndGet();
                }
            }
        }
    }

    private void keepalive() {
        if (state != State.ACTIVE) {
            return;
        }
        long now = now();
        if (now - lastReadNanos > settings.readIdleTimeout().toNanos()) {
            close(local(DisconnectReason.TIMEOUT, "nothing read for " + settings.readIdleTimeout()), true);
        } else if (slowFor(now) > settings.slowPeerTimeout().toNanos()) {
            // Before the PING count: a peer that does not read does not answer PINGs either.
            close(local(DisconnectReason.SLOW_PEER, "not reading for over " + settings.slowPeerTimeout()), true);
        } else if (unansweredPings >= settings.maxMissedPongs()) {
            close(local(DisconnectReason.TIMEOUT, unansweredPings + " PINGs unanswered"), true);
        } else {
            sendPing();
        }
    }

    /**
     * How long the peer has not been taking what we send: queue refusing and congested, socket
     * full, or its streams' frames not taken.
     */
    private long slowFor(long now) {
        long queueFull = outbound.congested() ? outbound.fullForNanos(now) : 0;
        long socketFull = unwritableSinceNanos == 0 ? 0 : now - unwritableSinceNanos;
        long streamsStalled = peer == null ? 0 : peer.streamsStalledFor(now);
        return Math.max(Math.max(queueFull, socketFull), streamsStalled);
    }

    private void sendPing() {
        pingNonce = node.random.nextLong();
        pingSentNanos = now();
        unansweredPings++;
        outbound.sendNow(new Ping(pingNonce).toMessage());
    }

    private void onPong(long nonce) {
        if (nonce == pingNonce && pingSentNanos != 0) {
            long rtt = now() - pingSentNanos;
            peer.recordRtt(rtt);
            node.observer.rtt(rtt);
            pingSentNanos = 0;
            unansweredPings = 0;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            unwritableSinceNanos = 0;
            outbound.onWritable();
            if (peer != null) {
                peer.writable();
            }
        } else if (unwritableSinceNanos == 0) {
            unwritableSinceNanos = Math.max(1, now());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolException pe) {
            protocolError(pe);
        } else if (cause instanceof IOException) {
            close(new Disconnection(DisconnectReason.REQUESTED, PeerEvent.Side.REMOTE, "I/O: " + cause.getMessage()), false);
        } else {
            log.warn("unexpected error on {}, closing", ctx.channel(), cause);
            close(local(DisconnectReason.PROTOCOL_ERROR, "internal error"), false);
        }
    }

    private void protocolError(ProtocolException e) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        log.debug("protocol error from {}: {}", remoteAddress, e.getMessage());
        node.observer.frameRejected(e.kind());
        if (scored(e.kind())) {
            manager.misbehaved(peer == null ? null : peer.id(), remoteAddress.getAddress(),
                    PeerManager.PROTOCOL_ERROR_SCORE, e.getMessage());
        }
        close(local(e.reason(), e.getMessage()), !e.kind().closesSilently());
    }

    /**
     * Ends the connection once: records why, sends DISCONNECT if asked (then closes when it is
     * written, or after a grace period), or closes at once.
     */
    void close(Disconnection why, boolean sendDisconnect) {
        if (state == State.CLOSING || state == State.CLOSED) {
            return;
        }
        Message disconnect = sendDisconnect && ctx.channel().isActive() ? Disconnect.of(why.reason(), why.detail()).toMessage() : null;
        state = State.CLOSING;
        disconnection = why;
        cancelTimers();
        if (disconnect != null) {
            // A lingering close: after the DISCONNECT only a FIN, and whatever the peer still
            // sends is read and discarded until it closes (or the grace period ends). Closing
            // with unread bytes in the socket would reset the connection, and a reset can
            // destroy the DISCONNECT before the peer has read it.
            ctx.channel().config().setAutoRead(true);
            ctx.writeAndFlush(disconnect).addListener(f -> {
                if (f.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput();
                } else {
                    ctx.close();
                }
            });
            ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        State was = state;
        state = State.CLOSED;
        cancelTimers();
        outbound.close();
        Disconnection why = disconnection != null
                ? disconnection
                : new Disconnection(DisconnectReason.REQUESTED, PeerEvent.Side.REMOTE, secure && was == State.HANDSHAKING
                        ? "closed during the secure handshake: refused before it (peer limits, a ban), or another key"
                                + " than the one an IK dial expected"
                        : "connection closed");
        if (peer != null) {
            peer.closed(why);
            manager.closed(peer, why);
            log.debug("disconnected {}: {}", peer, why);
        } else if (was == State.HANDSHAKING || was == State.CLOSING) {
            handshake.tryEmitError(new PeerException(why.reason(), "handshake with " + remoteAddress
                    + " failed: " + why.reason() + (why.detail().isEmpty() ? "" : " (" + why.detail() + ")"),
                    secure && !secured));
        }
        ctx.fireChannelInactive();
    }

    private void cancelTimers() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel(false);
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    /**
     * Whether a fault scores the peer: not another network's bytes, not the other protocol
     * version, and not a secure handshake that failed or authenticated an unexpected key (a
     * dialer's stale id or a changed key is not misbehaviour; the flood of them is bounded
     * apart).
     */
    private static boolean scored(ProtocolException.Kind kind) {
        return switch (kind) {
            case BAD_MAGIC, WRONG_VERSION, HANDSHAKE_FAILED, WRONG_PEER -> false;
            default -> true;
        };
    }

    private static Disconnection local(DisconnectReason reason, String detail) {
        return new Disconnection(reason, PeerEvent.Side.LOCAL, detail);
    }

    private static String refusalText(DisconnectReason reason) {
        return switch (reason) {
            case SELF_CONNECTION -> "connected to itself";
            case DUPLICATE_CONNECTION -> "already connected";
            case TOO_MANY_PEERS -> "no free peer slot";
            case BANNED -> "banned";
            default -> reason.name().toLowerCase(Locale.ROOT);
        };
    }
}
