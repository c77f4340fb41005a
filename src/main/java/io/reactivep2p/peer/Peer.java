package io.reactivep2p.peer;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.transport.OutboundQueue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * A connected remote node, after a completed handshake.
 *
 * <pre>{@code
 * Peer peer = node.connect(new InetSocketAddress("10.0.0.5", 3000)).block();
 * peer.send(Message.of(MsgTx, bytes)).subscribe();
 * peer.onClose().subscribe(why -> log.info("{} left: {}", peer, why));
 * }</pre>
 *
 * <p><b>Threading.</b> All methods are thread-safe. Network work runs on the peer's event
 * loop; nothing here blocks.
 */
public final class Peer {

    private final Connection connection;
    private final Channel channel;
    private final Direction direction;
    private final Hello hello;
    private final InetSocketAddress remoteAddress;
    private final OutboundQueue outbound;
    private final int maxMessageLength;
    private final boolean lz4;
    private final Sinks.One<Disconnection> closed = Sinks.one();
    /**
     * Streams ({@link #send(Publisher)}, request-streams, large answers) waiting for the channel
     * to be writable, in turn; event loop only.
     */
    private final ArrayDeque<Runnable> writableWaiters = new ArrayDeque<>();
    private final Runnable resumeWaiters = this::resumeWaiters;
    private boolean waitersScheduled; // event loop only
    private volatile long lastRttNanos = -1;
    private volatile long averageRttNanos = -1;
    private volatile Disconnection disconnection;
    private final PeerRpc rpc;
    private final Duration defaultTimeout;
    /** When the {@link PeerManager} admitted it, on its ticker; written and read under the manager's lock. */
    long admittedNanos;

    Peer(Connection connection, InetSocketAddress remoteAddress, Direction direction, Hello hello, OutboundQueue outbound,
         int maxMessageLength, boolean lz4) {
        this(connection, remoteAddress, direction, hello, outbound, maxMessageLength, lz4, null);
    }

    /** A peer; {@code rpc} null: no requests or streams (unit tests of other parts). */
    Peer(Connection connection, InetSocketAddress remoteAddress, Direction direction, Hello hello, OutboundQueue outbound,
         int maxMessageLength, boolean lz4, RpcService rpc) {
        this.connection = connection;
        this.channel = connection.channel();
        this.direction = direction;
        this.hello = hello;
        this.remoteAddress = remoteAddress;
        this.outbound = outbound;
        this.maxMessageLength = maxMessageLength;
        this.lz4 = lz4;
        this.rpc = rpc == null ? null : new PeerRpc(this, channel, rpc, maxMessageLength);
        this.defaultTimeout = rpc == null ? Duration.ZERO : rpc.settings().timeout();
    }

    /** The remote node's id. */
    public NodeId id() {
        return hello.nodeId();
    }

    /** Who dialled. */
    public Direction direction() {
        return direction;
    }

    /** The remote address of the connection. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * The address the peer accepts connections on: the connection's IP with the HELLO listen
     * port; empty when the peer does not listen.
     */
    public Optional<InetSocketAddress> listenAddress() {
        return hello.listenPort() == 0
                ? Optional.empty()
                : Optional.of(new InetSocketAddress(remoteAddress.getAddress(), hello.listenPort()));
    }

    /**
     * The event loop of the peer's connection: its frames are read and its messages handled
     * there, in order. Work for this peer scheduled here keeps that order and needs no lock
     * against its handler.
     */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** The HELLO the peer sent. */
    public Hello hello() {
        return hello;
    }

    /**
     * Whether frames to this peer are LZ4-compressed when large enough: both ends offered LZ4
     * in their HELLO.
     */
    public boolean lz4() {
        return lz4;
    }

    /**
     * The messages the peer sends after its HELLO, except those the connection handles
     * itself (PING, PONG, DISCONNECT) and frames of types this version does not define
     * (counted and ignored).
     *
     * <p><b>Contract.</b> A unicast stream: it may be subscribed <em>once</em>; a second
     * subscriber receives an {@link IllegalStateException}. Demand is real backpressure: while
     * the subscriber has no outstanding demand the connection stops reading from the socket,
     * so TCP pushes back on the sender; messages already decoded wait for demand. It
     * <em>completes</em> when the connection closes, for any reason — sent or received
     * DISCONNECT, protocol error, timeout, or the socket closing; {@link #onClose()} tells
     * why. It never errors for network or protocol reasons. Cancelling the subscription
     * does not close the connection; messages that arrive afterwards are discarded.
     *
     * <p>A {@code P2pNode} subscribes to the inbound stream of every peer it admits and
     * delivers the messages through {@code node.messages(type)}; read them there.
     */
    public Flux<Message> inbound() {
        return connection.inbound().receiveObject().cast(Message.class);
    }

    /**
     * Queues a message for the peer. The returned {@code Mono} completes once the message is
     * queued (not when it is written), or errors with a {@link PeerException} when the
     * peer's outbound queue is full ({@link DisconnectReason#SLOW_PEER}) or the connection is
     * closed; with an {@link IllegalArgumentException} when the payload is above the maximum
     * message length. Lazy: nothing happens until it is subscribed.
     */
    public Mono<Void> send(Message message) {
        Objects.requireNonNull(message, "message");
        return Mono.defer(() -> {
            if (offer(message)) {
                return Mono.empty();
            }
            return Mono.error(isActive()
                    ? new PeerException(DisconnectReason.SLOW_PEER, "outbound queue of " + this + " is full")
                    : new PeerException(DisconnectReason.REQUESTED, "connection to " + this + " is closed"));
        });
    }

    /**
     * Streams messages to the peer with backpressure from the socket: one message is requested
     * at a time, and the next only while the connection is writable (below its write-buffer
     * high-water mark), so a stream holds one message plus the high-water mark in memory,
     * whatever the message length. Completes when the publisher has completed and its messages
     * are written; errors if the connection closes first (a {@link PeerException}), or with an
     * {@link IllegalArgumentException} for a payload above the maximum message length; either
     * cancels the publisher.
     */
    public Mono<Void> send(Publisher<Message> messages) {
        Objects.requireNonNull(messages, "messages");
        return Mono.defer(() -> {
            StreamWriter writer = new StreamWriter(this, channel, maxMessageLength);
            Flux.from(messages).subscribe(writer);
            return writer.result().doOnCancel(writer::dispose);
        });
    }

    /**
     * Asks the peer a question: a REQUEST its handler for {@code request}'s type answers with
     * one message (docs/protocol.md §4.8). Emits the answer, completes empty if the handler
     * answered with none, or errors with an {@link RpcException}: the handler's
     * {@link RpcException#application application error}, {@code REFUSED} (a limit of the peer,
     * or this node's {@link RpcSettings#maxOutboundStreams()}), {@code NO_HANDLER},
     * {@code FAILED}, {@code TIMEOUT} (after {@link RpcSettings#timeout()}; a CANCEL is sent),
     * {@code CONNECTION_LOST}; or with a {@link PeerException} ({@code SLOW_PEER}) when the
     * outbound queue is full. Cancelling the subscription sends a CANCEL.
     *
     * <pre>{@code
     * peer.request(Message.of(GET_HEADER, height))
     *         .map(Header::decode)
     *         .subscribe(header -> ..., error -> ...);
     * }</pre>
     *
     * <p>Lazy: each subscription is one request. Signals arrive on the peer's event loop.
     *
     * @throws IllegalArgumentException (in the Mono) for a payload above the maximum message
     *     length less 10 bytes
     */
    public Mono<Message> request(Message request) {
        return request(request, defaultTimeout);
    }

    /** {@link #request(Message)} with its own timeout. */
    public Mono<Message> request(Message request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        return Mono.defer(() -> rpc().request(request, positive(timeout)));
    }

    /**
     * Asks the peer for a stream: a REQUEST its stream handler for {@code request}'s type
     * answers with items, as many as this subscriber requests — its demand crosses the wire as
     * credits, and the peer never sends more, so nothing is buffered here. Completes when the
     * peer's stream completes; errors as {@link #request(Message)} does, {@code TIMEOUT} when
     * no item comes for {@link RpcSettings#timeout()} while demand is outstanding, and
     * {@code CONNECTION_LOST} when the connection closes, even before the subscriber's first
     * request. Cancelling sends a CANCEL.
     *
     * <pre>{@code
     * peer.requestStream(Message.of(GET_BLOCKS, fromHeight))
     *         .limitRate(64)                                   // 64 credits at a time
     *         .concatMap(block -> store.save(block))
     *         .subscribe();
     * }</pre>
     */
    public Flux<Message> requestStream(Message request) {
        return requestStream(request, defaultTimeout);
    }

    /** {@link #requestStream(Message)} with its own timeout. */
    public Flux<Message> requestStream(Message request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        return Flux.defer(() -> rpc().requestStream(request, positive(timeout)));
    }

    /**
     * Sends {@code message} to the peer's request handler for its type, wanting no answer.
     * Completes once queued; errors as {@link #send(Message)} does. The peer drops it, without
     * telling, if it has no handler or the peer is over its limits.
     */
    public Mono<Void> fireAndForget(Message message) {
        Objects.requireNonNull(message, "message");
        return Mono.defer(() -> rpc().fireAndForget(message));
    }

    private PeerRpc rpc() {
        if (rpc == null) {
            throw new IllegalStateException("this peer has no request service");
        }
        return rpc;
    }

    private static Duration positive(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return timeout;
    }

    /** How long this peer's request-streams have waited on the socket ({@link PeerRpc#streamsStalledFor}); event loop. */
    long streamsStalledFor(long now) {
        return rpc == null ? 0 : rpc.streamsStalledFor(now);
    }

    /** Requests and streams of the peer arrive here; event loop. */
    void onRpcFrame(Message frame) {
        if (rpc == null) {
            return;
        }
        rpc.onFrame(frame);
    }

    /**
     * Runs {@code task} on the event loop once the channel is writable again, after the outbound
     * queue has written what it holds. Event loop only.
     */
    void whenWritable(Runnable task) {
        writableWaiters.add(task);
    }

    /**
     * The channel has become writable, or a stream's frame has left it: the streams waiting
     * resume in a task queued after the outbound queue's drain (which
     * {@code channelWritabilityChanged} queued first), so gossip, answers and credits go out
     * before a stream writes again: a stream that wrote at once would fill the channel again
     * before every drain and starve the queue. Event loop only.
     */
    void writable() {
        if (!writableWaiters.isEmpty() && !waitersScheduled) {
            waitersScheduled = true;
            try {
                channel.eventLoop().execute(resumeWaiters);
            } catch (RejectedExecutionException e) {
                // the loop is shutting down: the channel closes, which ends every waiting stream
            }
        }
    }

    /**
     * Resumes the waiting streams in turn. A stream that writes until it must wait again (the
     * channel full, or the peer's room for streams' frames taken) goes to the back of the line,
     * and the pass ends there: the ones not reached keep their places at the front. Round robin,
     * so that one busy stream never starves another (or a request's answer).
     */
    private void resumeWaiters() {
        waitersScheduled = false;
        for (int n = writableWaiters.size(); n > 0 && channel.isWritable(); n--) {
            int others = writableWaiters.size() - 1;
            writableWaiters.poll().run();
            if (writableWaiters.size() > others) {
                return; // it waits again: what it waited for is taken, the next in line goes first next time
            }
        }
    }

    /**
     * Queues a message without building a {@code Mono}: the fast path for relays.
     *
     * @return {@code false} when the outbound queue is full or closed (the message is dropped)
     * @throws IllegalArgumentException when the payload is above the maximum message length
     */
    public boolean offer(Message message) {
        if (message.payloadLength() > maxMessageLength) {
            throw new IllegalArgumentException("payload of " + message.payloadLength()
                    + " bytes is above the maximum message length " + maxMessageLength);
        }
        return outbound.offer(message);
    }

    /** The peer's outbound queue: its length and bytes, and encoded-frame offers. */
    public OutboundQueue outboundQueue() {
        return outbound;
    }

    /**
     * Sends DISCONNECT with {@code reason}, flushes, and closes. Completes when the
     * connection is closed; completes at once if it already is.
     */
    public Mono<Void> disconnect(DisconnectReason reason, String text) {
        Objects.requireNonNull(reason, "reason");
        if (reason == DisconnectReason.UNKNOWN) {
            throw new IllegalArgumentException("UNKNOWN is not a reason to send");
        }
        PeerHandler handler = channel.pipeline().get(PeerHandler.class);
        if (handler != null) {
            channel.eventLoop().execute(() -> handler.close(new Disconnection(reason, PeerEvent.Side.LOCAL, text), true));
        } else {
            channel.close();
        }
        return onClose().then();
    }

    /** Emits why the connection closed, once it has; completes at once if it already is. */
    public Mono<Disconnection> onClose() {
        return closed.asMono();
    }

    /** Why the connection closed, if it has. */
    public Optional<Disconnection> disconnection() {
        return Optional.ofNullable(disconnection);
    }

    /** Whether the connection is open. */
    public boolean isActive() {
        return channel.isActive() && disconnection == null;
    }

    /** The round-trip time of the last answered PING; empty before the first PONG. */
    public Optional<Duration> lastRtt() {
        long rtt = lastRttNanos;
        return rtt < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(rtt));
    }

    /** An exponentially weighted moving average (α = 1/8, as TCP's SRTT) of the RTT; empty before the first PONG. */
    public Optional<Duration> averageRtt() {
        long rtt = averageRttNanos;
        return rtt < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(rtt));
    }

    void recordRtt(long rttNanos) {
        lastRttNanos = rttNanos;
        long avg = averageRttNanos;
        averageRttNanos = avg < 0 ? rttNanos : avg + (rttNanos - avg) / 8;
    }

    void closed(Disconnection why) {
        disconnection = why;
        if (rpc != null) {
            rpc.close();
        }
        closed.tryEmitValue(why);
    }

    @Override
    public String toString() {
        return "Peer{" + id().shortHex() + ", " + direction.name().toLowerCase(Locale.ROOT) + ", " + remoteAddress
                + "}";
    }
}
