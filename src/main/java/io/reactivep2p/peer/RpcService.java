package io.reactivep2p.peer;

import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A node's requests and streams between peers: the handlers it answers with, its limits, and
 * what it counted. One per node, shared by its peers; each peer runs the protocol
 * (docs/protocol.md §4.8) on its event loop.
 *
 * <pre>{@code
 * node.handleRequests(GET_HEADER, (peer, request) -> chain.header(request));          // Mono<Message>
 * node.handleStreams(GET_BLOCKS, (peer, request) -> chain.blocksFrom(request));       // Flux<Message>
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RpcService {

    /** Misbehaviour points for a request over a limit (streams in flight, request rate). */
    public static final int OVER_LIMIT_SCORE = 5;

    /** Answers one request with at most one message: empty for none, an error for an error. */
    @FunctionalInterface
    public interface RequestHandler {
        /**
         * Called on the peer's event loop: return quickly (a {@code Mono} that does its work
         * elsewhere, e.g. {@code subscribeOn(boundedElastic())}, if it blocks).
         */
        Mono<Message> handle(Peer peer, Message request);
    }

    /** Answers one request with a stream of messages, produced as the requester's credits allow. */
    @FunctionalInterface
    public interface StreamHandler {
        /**
         * Called on the peer's event loop: return quickly. The publisher is requested as many
         * items as the requester gave credits for, one at a time while the connection is
         * writable; it is cancelled when the requester cancels or the connection closes.
         */
        Publisher<Message> handle(Peer peer, Message request);
    }

    final RpcSettings settings;
    final PeerManager manager;
    private final ConcurrentHashMap<Integer, RequestHandler> requestHandlers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, StreamHandler> streamHandlers = new ConcurrentHashMap<>();
    final AtomicLong requestsSent = new AtomicLong();
    final AtomicLong requestsServed = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong noHandler = new AtomicLong();
    final AtomicLong unknownStreamFrames = new AtomicLong();

    /** A service with {@code settings} that scores peers through {@code manager}. */
    public RpcService(RpcSettings settings, PeerManager manager) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    /**
     * Answers requests ({@code peer.request}) and fire-and-forgets of {@code type} with
     * {@code handler}.
     *
     * @return disposing it removes the handler (requests then get {@link RpcException.Kind#NO_HANDLER})
     * @throws IllegalStateException if {@code type} has a request handler already
     */
    public Disposable handleRequests(MessageType type, RequestHandler handler) {
        return register(requestHandlers, type, handler);
    }

    /**
     * Answers streams ({@code peer.requestStream}) of {@code type} with {@code handler}.
     *
     * @return disposing it removes the handler
     * @throws IllegalStateException if {@code type} has a stream handler already
     */
    public Disposable handleStreams(MessageType type, StreamHandler handler) {
        return register(streamHandlers, type, handler);
    }

    private static <H> Disposable register(ConcurrentHashMap<Integer, H> map, MessageType type, H handler) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(handler, "handler");
        if (map.putIfAbsent(type.code(), handler) != null) {
            throw new IllegalStateException(type + " has a handler already");
        }
        return () -> map.remove(type.code(), handler);
    }

    RequestHandler requestHandler(MessageType type) {
        return requestHandlers.get(type.code());
    }

    StreamHandler streamHandler(MessageType type) {
        return streamHandlers.get(type.code());
    }

    /** The limits. */
    public RpcSettings settings() {
        return settings;
    }

    /** Requests and streams this node opened (fire-and-forgets included). */
    public long requestsSent() {
        return requestsSent.get();
    }

    /** Requests and streams this node's handlers took on (fire-and-forgets included). */
    public long requestsServed() {
        return requestsServed.get();
    }

    /** Requests refused for a limit (streams in flight, request rate), fire-and-forgets dropped so included. */
    public long refused() {
        return refused.get();
    }

    /** Requests of a type (and mode) this node has no handler for. */
    public long noHandler() {
        return noHandler.get();
    }

    /** Frames for a stream that is not live (ended, cancelled, or never opened): counted and ignored. */
    public long unknownStreamFrames() {
        return unknownStreamFrames.get();
    }
}
