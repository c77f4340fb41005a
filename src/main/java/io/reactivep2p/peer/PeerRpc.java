package io.reactivep2p.peer;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;
import io.reactivep2p.protocol.RpcFrame;
import io.reactivep2p.protocol.RpcFrame.ErrorCode;
import io.reactivep2p.protocol.RpcFrame.Mode;
import io.reactivep2p.runtime.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;

/**
 * One peer's requests and streams, both ways (docs/protocol.md §4.8): the calls this node
 * made to the peer, by the stream ids it chose, and the requests of the peer it is answering,
 * by the peer's ids. Every state change runs on the peer's event loop; the public API
 * ({@link Peer#request} and the others) and handlers' publishers hop onto it.
 *
 * <p><b>Credits.</b> A stream's requester gives the responder exactly the demand of its
 * subscriber, never more (at most 2^31 − 1 outstanding, topped up when half are used), so
 * nothing arrives that the subscriber has not asked for and the requester buffers nothing. The
 * responder asks its handler's publisher for one item at a time, only while it holds credits
 * and the connection is writable, and writes the items to the channel itself, items over
 * {@value #FRAGMENT_BYTES} bytes in fragments: it holds at most one item.
 *
 * <p><b>Fairness.</b> The streams of a peer together have at most {@value #STREAM_BYTES} bytes
 * of frames in its channel that the socket has not taken (two fragments, under one record): a
 * stream writes a frame only while the channel is writable and that room is free, and waits
 * for a write to complete otherwise. Streams waiting take turns ({@link Peer#writable()}). So
 * whatever a peer's streams carry, a control frame, a gossip message or an answer written after
 * them waits behind at most one record of theirs (and what the socket already holds).
 *
 * <p><b>Answers.</b> A request's answer up to {@value #FRAGMENT_BYTES} bytes goes through the
 * outbound queue, ahead of the streams' next fragments; a larger one goes as a stream's item
 * does, in fragments, the last with COMPLETE.
 */
final class PeerRpc {

    private static final Logger log = LoggerFactory.getLogger(PeerRpc.class);

    /**
     * The largest item (or answer) sent whole; larger ones go in fragments of this size, each a
     * RESPONSE with FOLLOWS but the last. Two of them, with their headers, fit one record of the
     * secure channel (65,519 bytes of plaintext).
     */
    static final int FRAGMENT_BYTES = 32 * 1024 - 512;

    /**
     * What the streams of one peer together may have in its channel, not yet taken by the
     * socket: two fragments' frames, under one record. A frame written after them (gossip, an
     * answer, a PING) waits behind at most that much of theirs; two, not one, so that the next
     * fragment is in the channel while the socket takes the last.
     */
    static final int STREAM_BYTES = 2 * (FRAGMENT_BYTES + RpcFrame.RESPONSE_OVERHEAD);

    private final Peer peer;
    private final Channel channel;
    private final RpcService service;
    private final int maxMessageLength;
    private final TokenBucket rate;
    /** This node's calls to the peer, by the ids this node chose. */
    private final LongObjectHashMap<Call> calls = new LongObjectHashMap<>();
    /**
     * This node's streams subscribed to and not yet asked for an item: they have no id yet, and
     * end here if the connection closes first. In subscription order.
     */
    private final Set<Call> unstarted = new LinkedHashSet<>();
    /** The peer's requests this node is answering, by the peer's ids. */
    private final LongObjectHashMap<Serving> serving = new LongObjectHashMap<>();
    private long nextId = 1;
    /** The peer's fire-and-forgets being handled: cancelled if the connection closes first. */
    private final Disposable.Composite fireAndForgets = Disposables.composite();
    /** Requests of the peer being handled, fire-and-forgets included. */
    private int inboundLive;
    private boolean closed;
    /**
     * Bytes of the streams' frames (items, fragments, their ends) written to the channel and not
     * yet taken by the socket, all streams of the peer together: at most {@link #STREAM_BYTES}.
     */
    private int streamBytes;
    /** Since when the streams' frames have waited in the channel with none taken by the socket; 0 when none wait. */
    private long streamsWaitingSince;
    /** Of {@link #streamBytes}, the bytes written since the last flush. */
    private int unflushedStreamBytes;
    private boolean streamFlushScheduled;
    private final Runnable streamFlush = this::flushStreams;

    PeerRpc(Peer peer, Channel channel, RpcService service, int maxMessageLength) {
        this.peer = peer;
        this.channel = channel;
        this.service = service;
        this.maxMessageLength = maxMessageLength;
        double perSecond = service.settings.requestRate();
        this.rate = new TokenBucket(perSecond, 2 * perSecond, now());
    }

    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    /** Runs {@code task} on the event loop (at once if already there; inline if the loop has gone). */
    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
            return;
        }
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the loop has shut down: nothing else runs there any more
        }
    }

    /** Whether a stream may write a frame of {@code size} payload bytes now. Event loop. */
    private boolean streamRoom(int size) {
        return channel.isWritable() && streamBytes + size <= STREAM_BYTES;
    }

    /**
     * Writes a frame of a stream, counted against {@link #STREAM_BYTES}; the frames written in
     * one event-loop task share one flush. Event loop.
     */
    private void writeStreamFrame(Message frame) {
        int size = frame.payloadLength();
        if (streamBytes == 0) {
            streamsWaitingSince = Math.max(1, now());
        }
        streamBytes += size;
        unflushedStreamBytes += size;
        channel.write(frame, channel.voidPromise());
        if (!streamFlushScheduled) {
            streamFlushScheduled = true;
            channel.eventLoop().execute(streamFlush);
        }
    }

    /**
     * Flushes the streams' frames with an empty buffer after them: its write completes once the
     * socket has taken every frame before it (writes complete in order), one listener for the
     * whole batch instead of one per frame. Event loop.
     */
    private void flushStreams() {
        streamFlushScheduled = false;
        int batch = unflushedStreamBytes;
        unflushedStreamBytes = 0;
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> streamWritten(batch));
    }

    /** The socket took streams' frames (or the channel failed them): room for the waiting streams. Event loop. */
    private void streamWritten(int size) {
        streamBytes -= size;
        streamsWaitingSince = streamBytes == 0 ? 0 : now();
        peer.writable();
    }

    /**
     * How long the streams' frames have waited in the channel without the socket taking any of
     * them: a peer that stopped reading a stream is slow though its channel, holding only a
     * record of it, never turns unwritable. Event loop.
     */
    long streamsStalledFor(long now) {
        return streamsWaitingSince == 0 ? 0 : now - streamsWaitingSince;
    }

    private boolean send(RpcFrame frame) {
        return peer.outboundQueue().offer(frame.toMessage());
    }

    private void checkLength(Message m, int overhead) {
        if (m.payloadLength() + overhead > maxMessageLength) {
            throw new IllegalArgumentException("payload of " + m.payloadLength() + " bytes is above the maximum "
                    + (maxMessageLength - overhead) + " of a request or answer (the maximum message length "
                    + maxMessageLength + " less " + overhead + ")");
        }
    }

    // ------------------------------------------------------------------ requester

    Mono<Message> request(Message request, Duration timeout) {
        checkLength(request, RpcFrame.REQUEST_OVERHEAD);
        return Mono.create(sink -> {
            RequestCall call = new RequestCall(sink, timeout);
            sink.onCancel(() -> onLoop(call::cancel));
            onLoop(() -> start(call, Mode.RESPONSE, 0, request));
        });
    }

    Flux<Message> requestStream(Message request, Duration timeout) {
        checkLength(request, RpcFrame.REQUEST_OVERHEAD);
        return Flux.create(sink -> {
            StreamCall call = new StreamCall(sink, timeout, request);
            onLoop(call::subscribed);
            sink.onCancel(() -> onLoop(call::cancel));
            sink.onRequest(n -> onLoop(() -> call.demand(n)));
        }, FluxSink.OverflowStrategy.ERROR); // credits never exceed demand: an overflow is a bug, not a buffer
    }

    Mono<Void> fireAndForget(Message message) {
        checkLength(message, RpcFrame.REQUEST_OVERHEAD);
        return Mono.create(sink -> onLoop(() -> {
            if (closed || !peer.isActive()) {
                sink.error(connectionLost());
            } else if (!send(new RpcFrame.Request(0, Mode.FIRE_AND_FORGET, 0, message))) {
                sink.error(slowPeer());
            } else {
                service.requestsSent.incrementAndGet();
                sink.success();
            }
        }));
    }

    /** Opens {@code call}: an id, the REQUEST, the timer. Event loop. */
    private void start(Call call, Mode mode, long credits, Message request) {
        if (call.done) {
            return; // cancelled before it started
        }
        if (closed || !peer.isActive()) {
            call.end(connectionLost());
            return;
        }
        if (calls.size() >= service.settings.maxOutboundStreams()) {
            call.end(new RpcException(RpcException.Kind.REFUSED, 0, service.settings.maxOutboundStreams()
                    + " requests to " + peer + " in flight already"));
            return;
        }
        long id;
        do {
            id = nextId;
            nextId = nextId == 0xFFFF_FFFFL ? 1 : nextId + 1;
        } while (calls.containsKey(id)); // never an id that is live
        if (!send(new RpcFrame.Request(id, mode, credits, request))) {
            call.end(slowPeer());
            return;
        }
        call.id = id;
        calls.put(id, call);
        service.requestsSent.incrementAndGet();
        call.lastActivity = now();
        call.arm(call.timeoutNanos);
    }

    private RpcException connectionLost() {
        return new RpcException(RpcException.Kind.CONNECTION_LOST, 0, "connection to " + peer + " closed");
    }

    private PeerException slowPeer() {
        return new PeerException(io.reactivep2p.protocol.DisconnectReason.SLOW_PEER,
                "outbound queue of " + peer + " is full");
    }

    /** A call of this node; its fields are the event loop's. */
    private abstract class Call {
        final long timeoutNanos;
        long id;
        boolean done;
        long lastActivity;
        ScheduledFuture<?> timer;
        /** The item being received in fragments, if any (a call receives one item at a time). */
        Fragments fragments;

        Call(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
        }

        void arm(long delayNanos) {
            timer = channel.eventLoop().schedule(this::checkTimeout, delayNanos, TimeUnit.NANOSECONDS);
        }

        /** Whether the call waits on the peer (a stream with no credits out waits on its subscriber). */
        abstract boolean waitingOnPeer();

        private void checkTimeout() {
            if (done) {
                return;
            }
            long idle = now() - lastActivity;
            if (!waitingOnPeer()) {
                lastActivity = now();
                arm(timeoutNanos);
            } else if (idle < timeoutNanos) {
                arm(timeoutNanos - idle);
            } else {
                calls.remove(id);
                send(new RpcFrame.Cancel(id));
                end(new RpcException(RpcException.Kind.TIMEOUT, 0, "no answer from " + peer + " within "
                        + Duration.ofNanos(timeoutNanos)));
            }
        }

        /** The user cancelled. */
        void cancel() {
            if (done) {
                return;
            }
            done = true;
            unstarted.remove(this);
            if (timer != null) {
                timer.cancel(false);
            }
            if (id != 0 && calls.remove(id) == this) {
                send(new RpcFrame.Cancel(id));
            }
        }

        /** Ends the call with {@code error} (it is no longer in {@link #calls}). */
        void end(Throwable error) {
            if (done) {
                return;
            }
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            fail(error);
        }

        void finished() {
            done = true;
            calls.remove(id);
            if (timer != null) {
                timer.cancel(false);
            }
        }

        /** The responder broke the protocol: the call fails with PROTOCOL, and the caller disconnects it. */
        void violation(String what) {
            finished();
            fail(protocol(what));
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, "RESPONSE for stream " + id + ": " + what);
        }

        /**
         * The item {@code response} carries, whole or joined once its last fragment is in, or
         * {@code null} while fragments are still to come. A fragment of another type than the
         * item's first, or fragments past the maximum message length, break the call.
         */
        Message item(RpcFrame.ResponseView response) {
            if (fragments == null) {
                if (!response.follows()) {
                    return response.item();
                }
                fragments = new Fragments(response);
                return null;
            }
            if (!response.itemType().equals(fragments.type)) {
                violation("a fragment of type " + response.itemType().name() + " continues an item of type "
                        + fragments.type.name());
            }
            if (!fragments.add(response, maxMessageLength)) {
                violation("an item of fragments over the maximum message length " + maxMessageLength);
            }
            if (response.follows()) {
                return null;
            }
            Message whole = fragments.whole();
            fragments = null;
            return whole;
        }

        abstract void fail(Throwable error);

        abstract void onResponse(RpcFrame.ResponseView response);
    }

    private final class RequestCall extends Call {
        private final MonoSink<Message> sink;

        RequestCall(MonoSink<Message> sink, Duration timeout) {
            super(timeout);
            this.sink = sink;
        }

        @Override
        boolean waitingOnPeer() {
            return true;
        }

        @Override
        void fail(Throwable error) {
            sink.error(error);
        }

        @Override
        void onResponse(RpcFrame.ResponseView response) {
            if (response.itemType() == null && fragments != null) {
                violation("the end of the answer in the middle of its fragments");
            }
            Message item = response.itemType() == null ? null : item(response);
            if (response.follows()) {
                lastActivity = now(); // a large answer on its way: the timeout counts from its last fragment
                return;
            }
            if (!response.complete()) {
                violation("an item without COMPLETE answers a request");
            }
            finished();
            if (item != null) {
                sink.success(item);
            } else {
                sink.success();
            }
        }
    }

    private final class StreamCall extends Call {
        private final FluxSink<Message> sink;
        private final Message request;
        /** Credits given to the responder for items not yet received. */
        private long outstanding;
        /** Demand of the subscriber not yet given as credits (saturating). */
        private long unsent;
        private boolean started;

        StreamCall(FluxSink<Message> sink, Duration timeout, Message request) {
            super(timeout);
            this.sink = sink;
            this.request = request;
        }

        @Override
        boolean waitingOnPeer() {
            return outstanding > 0;
        }

        /**
         * Subscribed to: the call waits for its first demand (its REQUEST carries credits), and
         * ends with the connection if that closes first: a subscriber that has not asked for an
         * item yet learns of the loss too, as Reactive Streams allows an error without demand.
         */
        void subscribed() {
            if (done || started) {
                return;
            }
            if (closed || !peer.isActive()) {
                end(connectionLost());
            } else {
                unstarted.add(this);
            }
        }

        void demand(long n) {
            if (done) {
                return;
            }
            unsent = Operators.addCap(unsent, n);
            if (!started) {
                started = true;
                unstarted.remove(this);
                long credits = Math.min(unsent, RpcFrame.MAX_CREDITS);
                unsent -= credits;
                outstanding = credits;
                start(this, Mode.STREAM, credits, request);
                return;
            }
            if (id != 0) {
                giveCredits();
            }
        }

        /** Gives what the subscriber asked for: at once while few are out, when half are used past that. */
        private void giveCredits() {
            long give = Math.min(unsent, RpcFrame.MAX_CREDITS - outstanding);
            if (give > 0 && (outstanding < RpcFrame.MAX_CREDITS / 2)) {
                outstanding += give;
                unsent -= give;
                if (outstanding == give) {
                    lastActivity = now(); // the peer is waited on from now
                }
                if (!send(new RpcFrame.RequestN(id, give))) {
                    calls.remove(id);
                    end(slowPeer());
                }
            }
        }

        @Override
        void fail(Throwable error) {
            sink.error(error);
        }

        @Override
        void onResponse(RpcFrame.ResponseView response) {
            if (response.itemType() != null) {
                lastActivity = now();
                if (fragments == null) {
                    if (outstanding == 0) {
                        violation("an item beyond the credits given");
                    }
                    outstanding--; // an item takes one credit, at its first fragment
                }
                Message item = item(response);
                if (item == null) {
                    return; // more fragments to come
                }
                sink.next(item);
            } else if (fragments != null) {
                violation("the end of the stream in the middle of an item");
            }
            if (response.complete()) {
                finished();
                sink.complete();
            } else if (!done) {
                giveCredits();
            }
        }
    }

    /**
     * The fragments of an item received so far (a stream receives one item at a time), in their
     * frames, joined once, at the last: one copy of the item, from the frames into an array of
     * its size.
     */
    private static final class Fragments {
        final MessageType type;
        private final List<RpcFrame.ResponseView> parts = new ArrayList<>();
        private int length;

        Fragments(RpcFrame.ResponseView first) {
            this.type = first.itemType();
            parts.add(first);
            this.length = first.itemLength();
        }

        /** Adds a fragment; false, adding nothing, if the item would pass {@code max} bytes. */
        boolean add(RpcFrame.ResponseView fragment, int max) {
            if ((long) length + fragment.itemLength() > max) {
                return false;
            }
            parts.add(fragment);
            length += fragment.itemLength();
            return true;
        }

        Message whole() {
            byte[] bytes = new byte[length];
            int at = 0;
            for (RpcFrame.ResponseView part : parts) {
                part.copyItem(bytes, at);
                at += part.itemLength();
            }
            return Message.wrap(type, bytes);
        }
    }

    private RpcException protocol(String what) {
        return new RpcException(RpcException.Kind.PROTOCOL, 0, peer + " broke the protocol: " + what);
    }

    private static RpcException fromWire(RpcFrame.StreamError e) {
        RpcException.Kind kind = switch (e.errorCode()) {
            case APPLICATION -> RpcException.Kind.APPLICATION;
            case REFUSED -> RpcException.Kind.REFUSED;
            case NO_HANDLER -> RpcException.Kind.NO_HANDLER;
            case FAILED -> RpcException.Kind.FAILED;
        };
        return new RpcException(kind, kind == RpcException.Kind.APPLICATION ? e.applicationCode() : 0, e.text());
    }

    // ------------------------------------------------------------------ frames in

    /**
     * A REQUEST, RESPONSE, ERROR, REQUEST_N or CANCEL from the peer. Event loop.
     *
     * @throws ProtocolException for a malformed frame or a broken rule (the caller disconnects
     *     the peer with a protocol error)
     */
    void onFrame(Message message) {
        if (message.type().equals(MessageType.MsgResponse)) { // read in place: its item is copied once, by its call
            RpcFrame.ResponseView r = RpcFrame.ResponseView.decode(message);
            Call call = closed ? null : calls.get(r.stream());
            if (call == null) {
                if (!closed) {
                    service.unknownStreamFrames.incrementAndGet(); // cancelled, timed out, or never asked
                }
            } else {
                call.onResponse(r);
            }
            return;
        }
        RpcFrame frame = RpcFrame.decode(message);
        if (closed) {
            return;
        }
        if (frame instanceof RpcFrame.Request r) {
            onRequest(r);
        } else if (frame instanceof RpcFrame.StreamError e) {
            Call call = calls.remove(e.stream());
            if (call == null) {
                service.unknownStreamFrames.incrementAndGet();
            } else {
                call.end(fromWire(e));
            }
        } else if (frame instanceof RpcFrame.RequestN n) {
            Serving s = serving.get(n.stream());
            if (s == null) {
                service.unknownStreamFrames.incrementAndGet(); // it may just have ended
            } else if (!s.single) {
                s.credit(n.n());
            } else {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD,
                        "REQUEST_N for request " + n.stream() + ", which is not a stream");
            }
        } else if (frame instanceof RpcFrame.Cancel c) {
            Serving s = serving.remove(c.stream());
            if (s == null) {
                service.unknownStreamFrames.incrementAndGet();
            } else {
                s.cancel();
            }
        }
    }

    private void onRequest(RpcFrame.Request r) {
        Message request = r.request();
        if (r.mode() == Mode.FIRE_AND_FORGET) {
            if (!admit("fire-and-forget")) {
                return; // dropped: no answer to refuse with
            }
            RpcService.RequestHandler handler = service.requestHandler(request.type());
            if (handler == null) {
                service.noHandler.incrementAndGet();
                return;
            }
            inboundLive++;
            service.requestsServed.incrementAndGet();
            Mono<Message> answer;
            try {
                answer = handler.handle(peer, request);
            } catch (RuntimeException e) {
                log.debug("fire-and-forget handler for {} failed", request.type(), e);
                inboundLive--;
                return;
            }
            // Cancelled with the connection, as an answer in progress is: otherwise a peer could
            // leave handlers running without bound by reconnecting (the limit is per connection).
            Disposable.Swap handling = Disposables.swap();
            fireAndForgets.add(handling);
            Runnable ended = () -> onLoop(() -> {
                inboundLive--;
                fireAndForgets.remove(handling);
            });
            handling.update(answer.subscribe(m -> { }, e -> {
                log.debug("fire-and-forget handler for {} failed", request.type(), e);
                ended.run();
            }, ended));
            return;
        }
        long id = r.stream();
        if (serving.containsKey(id)) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, "REQUEST: stream " + id + " is live");
        }
        if (!admit("request")) {
            send(RpcFrame.StreamError.of(id, ErrorCode.REFUSED, 0, "over the limit of requests in flight or per second"));
            return;
        }
        // A request's answer goes as a stream of one item does (in fragments if large), its last
        // frame carrying COMPLETE.
        boolean single = r.mode() == Mode.RESPONSE;
        RpcService.RequestHandler requestHandler = single ? service.requestHandler(request.type()) : null;
        RpcService.StreamHandler streamHandler = single ? null : service.streamHandler(request.type());
        if (requestHandler == null && streamHandler == null) {
            noHandler(id, request);
            return;
        }
        Serving s = new Serving(id, single ? 1 : r.credits(), single);
        serving.put(id, s);
        inboundLive++;
        service.requestsServed.incrementAndGet();
        try {
            Flux.from(single ? requestHandler.handle(peer, request) : streamHandler.handle(peer, request)).subscribe(s);
        } catch (RuntimeException e) {
            s.onError(e);
        }
    }

    /** Whether a request of the peer is within its limits; if not, it is counted and scored. */
    private boolean admit(String what) {
        if (inboundLive < service.settings.maxInboundStreams() && rate.tryTake(1, now())) {
            return true;
        }
        service.refused.incrementAndGet();
        service.manager.misbehaved(peer.id(), peer.remoteAddress().getAddress(), RpcService.OVER_LIMIT_SCORE,
                what + " over the limit of requests in flight or per second");
        return false;
    }

    private void noHandler(long id, Message request) {
        service.noHandler.incrementAndGet();
        send(RpcFrame.StreamError.of(id, ErrorCode.NO_HANDLER, 0, "no handler for " + request.type().name()));
    }

    /** The answer to an error a handler gave: its own for {@link RpcException#application}, a plain FAILED otherwise. */
    private RpcFrame.StreamError errorFrame(long id, Throwable e) {
        if (e instanceof RpcException re && re.kind() == RpcException.Kind.APPLICATION) {
            return RpcFrame.StreamError.of(id, ErrorCode.APPLICATION, re.code(), String.valueOf(re.getMessage()));
        }
        log.debug("handler of request {} from {} failed", id, peer, e);
        return RpcFrame.StreamError.of(id, ErrorCode.FAILED, 0, "handler failed");
    }

    /**
     * Answers one stream, or one request/response (a stream of at most one item, whose last
     * frame carries COMPLETE). Items are written by the stream itself, not through the outbound
     * queue: the queue drains in a task of its own, so while items waited there the channel
     * would still look writable and the publisher be asked for more; written here, the
     * channel's writability and the peer's room for streams ({@link #STREAM_BYTES}) are this
     * stream's backpressure. An item larger than {@link #FRAGMENT_BYTES} goes out in fragments,
     * each only when there is room, and a stream that waited resumes in a task queued after the
     * outbound queue's drain: gossip, answers and credits go between the fragments.
     */
    private final class Serving implements CoreSubscriber<Message> {
        private final long id;
        private long credits;
        private Subscription upstream;
        private boolean pulling;
        private boolean waitingWritable;
        private boolean done;
        /** The item being written in fragments, and how much of it is written. */
        private Message pending;
        private int pendingOffset;
        /** The publisher completed while an item was still being written. */
        private boolean completeAfterPending;
        /** The answer to a request/response: one item at most, completed by its last frame. */
        final boolean single;

        Serving(long id, long credits, boolean single) {
            this.id = id;
            this.credits = credits;
            this.single = single;
        }

        void credit(long n) {
            credits = Math.min(RpcFrame.MAX_CREDITS, credits + n);
            pull();
        }

        /** Asks the publisher for one item: with credits, nothing left to write, while the connection takes more. */
        private void pull() {
            if (done || upstream == null || pulling || pending != null || credits == 0) {
                return;
            }
            if (!single && !channel.isWritable()) { // a request's answer is asked for at once: see onNext
                whenWritable(this::pull);
                return;
            }
            pulling = true;
            upstream.request(1);
        }

        /** Runs {@code task} once the channel is writable, after the outbound queue has drained what it can. */
        private void whenWritable(Runnable task) {
            if (!waitingWritable) {
                waitingWritable = true;
                peer.whenWritable(() -> {
                    waitingWritable = false;
                    task.run();
                });
            }
        }

        @Override
        public void onSubscribe(Subscription s) {
            onLoop(() -> {
                if (done || upstream != null) {
                    s.cancel();
                    return;
                }
                upstream = s;
                pull();
            });
        }

        @Override
        public void onNext(Message item) {
            onLoop(() -> {
                if (done) {
                    return;
                }
                if (!pulling) { // an item not asked for: a publisher that breaks Reactive Streams
                    end(new IllegalStateException("the stream handler emitted an item it was not asked for"));
                    return;
                }
                pulling = false;
                credits--;
                if (item.payloadLength() > maxMessageLength) {
                    end(new IllegalArgumentException("item of " + item.payloadLength() + " bytes"));
                    return;
                }
                if (!channel.isActive()) {
                    serving.remove(id);
                    stop();
                    return;
                }
                if (single && item.payloadLength() <= FRAGMENT_BYTES) {
                    send(new RpcFrame.Response(id, item, true)); // a small answer: queued, ahead of the streams
                    itemWritten();
                    return;
                }
                pending = item;
                pendingOffset = 0;
                writePending();
            });
        }

        /**
         * Writes the pending item, whole or in fragments, each frame only when the channel is
         * writable and the peer's streams have room for it ({@link #streamRoom}); then the next
         * item, or the end.
         */
        private void writePending() {
            if (done) {
                return;
            }
            Message item = pending;
            int length = item.payloadLength();
            do {
                int n = Math.min(FRAGMENT_BYTES, length - pendingOffset);
                if (!streamRoom(RpcFrame.RESPONSE_OVERHEAD + n)) {
                    whenWritable(this::writePending);
                    return;
                }
                if (n == length) {
                    write(new RpcFrame.Response(id, item, single));
                } else {
                    boolean last = pendingOffset + n == length;
                    writeStreamFrame(RpcFrame.Response.fragment(id, item, pendingOffset, n, !last, last && single));
                }
                pendingOffset += n;
            } while (pendingOffset < length);
            pending = null;
            if (completeAfterPending && !single) {
                complete();
            } else {
                itemWritten();
            }
        }

        /** An item is written whole: the next one, or for a request's answer the end (its last frame said COMPLETE). */
        private void itemWritten() {
            if (!single) {
                pull();
                return;
            }
            done = true;
            if (serving.remove(id) == this) {
                inboundLive--;
            }
        }

        @Override
        public void onError(Throwable t) {
            onLoop(() -> end(t));
        }

        @Override
        public void onComplete() {
            onLoop(() -> {
                if (pending != null) {
                    completeAfterPending = true; // the last item's fragments first
                } else {
                    complete();
                }
            });
        }

        private void complete() {
            if (done) {
                return;
            }
            done = true;
            if (serving.remove(id) == this) {
                inboundLive--;
                frame(new RpcFrame.Response(id, null, true));
            }
        }

        private void end(Throwable error) {
            if (done) {
                return;
            }
            if (serving.remove(id) == this) {
                frame(errorFrame(id, error)); // a partly written item is dropped with the stream
            }
            stop();
        }

        /**
         * A stream's end or error follows its items on the channel; a request's goes through the
         * queue, as its small answer does.
         */
        private void frame(RpcFrame frame) {
            if (single) {
                send(frame);
            } else {
                write(frame);
            }
        }

        /** Writes a frame of this stream; its frames keep their order; a flush per event-loop task. */
        private void write(RpcFrame frame) {
            writeStreamFrame(frame.toMessage());
        }

        private void stop() {
            if (!done) {
                done = true;
                inboundLive--;
            }
            pending = null;
            if (upstream != null) {
                upstream.cancel();
            }
        }

        /** The requester cancelled, or the connection closed. */
        void cancel() {
            stop();
        }
    }

    // ------------------------------------------------------------------ close

    /** The connection closed: every call fails, every answer stops. */
    void close() {
        onLoop(() -> {
            if (closed) {
                return;
            }
            closed = true;
            List<Call> open = new ArrayList<>(calls.values());
            open.addAll(unstarted);
            calls.clear();
            unstarted.clear();
            for (Call c : open) {
                c.end(connectionLost());
            }
            List<Serving> answering = new ArrayList<>(serving.values());
            serving.clear();
            for (Serving s : answering) {
                s.cancel();
            }
            fireAndForgets.dispose();
        });
    }
}
