package io.reactivep2p.examples.spring;

import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.PeerEvent;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.MessageType;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * {@code GET /events}: what the node sees, as server-sent events.
 *
 * <pre>
 * :connected
 *
 * event:tx
 * data:{"id":"607c...","peer":"aac4...","from":"1111...","nonce":0,"gasPrice":20,"size":86}
 *
 * event:peer
 * data:{"type":"DISCONNECTED","peer":"41d0...","address":"/127.0.0.1:52114","direction":"INBOUND","reason":"REQUESTED","side":"REMOTE","detail":"node stopping"}
 * </pre>
 *
 * <p>{@code tx}: each transaction the node accepted from a peer, once (gossip deduplicates;
 * this node's own submissions are not in it). {@code peer}: each peer connecting or
 * disconnecting. A comment opens the stream, and another every {@value #HEARTBEAT_SECONDS}
 * seconds keeps idle proxies from closing it.
 *
 * <p><b>Slow clients.</b> Each client has its own subscriptions to the node, each with a
 * bounded buffer of its own ({@code node.messages} drops a slow subscriber's newest messages,
 * counted in {@code p2p.dropped{reason="subscriber_full"}}; {@code node.peerEvents} its oldest);
 * the socket's backpressure reaches them through the web server's demand. Nothing here
 * buffers without bound, and a slow client never slows the node or the other clients.
 *
 * <p><b>Shutdown.</b> The streams never end by themselves, and graceful shutdown waits for the
 * requests in flight: its phase is above the web server's, so it stops first and completes
 * every stream (and any opened later), letting the web server drain at once.
 */
@RestController
final class EventStreamController implements SmartLifecycle {

    static final int HEARTBEAT_SECONDS = 15;

    /** Stops before the web server's graceful shutdown, which waits for open streams. */
    static final int PHASE = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;

    private final P2pNode node;
    private final Sinks.Empty<Void> closing = Sinks.empty();
    private volatile boolean running;

    EventStreamController(P2pNode node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> events() {
        Flux<ServerSentEvent<Object>> txs = node.messages(MessageType.MsgTx).map(EventStreamController::txEvent);
        Flux<ServerSentEvent<Object>> peers = node.peerEvents().map(EventStreamController::peerEvent);
        Flux<ServerSentEvent<Object>> heartbeat = Flux.interval(Duration.ofSeconds(HEARTBEAT_SECONDS))
                .onBackpressureDrop() // a client too slow for these loses them; interval would error
                .map(i -> comment("keep-alive"));
        // merge subscribes in order: "connected" is emitted once the node's streams are
        // subscribed, and commits the response (its headers go out with the first event).
        Mono<ServerSentEvent<Object>> connected = Mono.just(comment("connected"));
        return Flux.merge(txs, peers, heartbeat, connected).takeUntilOther(closing.asMono());
    }

    private static ServerSentEvent<Object> comment(String text) {
        return ServerSentEvent.builder().comment(text).build();
    }

    /**
     * The node delivers only TX messages that decoded as transactions, so this decode does not
     * fail; it costs a SHA-256 of the encoding.
     */
    private static ServerSentEvent<Object> txEvent(PeerMessage pm) {
        Transaction tx = Transaction.decode(pm.message());
        return ServerSentEvent.<Object>builder(new TxEvent(tx.id().toHex(), pm.peer().id().toHex(), tx.from().toHex(),
                NodeController.unsigned(tx.nonce()), NodeController.unsigned(tx.gasPrice()), tx.size()))
                .event("tx").build();
    }

    private static ServerSentEvent<Object> peerEvent(PeerEvent e) {
        return ServerSentEvent.<Object>builder(new PeerEventView(e.type(), e.peer().id().toHex(),
                e.peer().remoteAddress().toString(), e.peer().direction(),
                e.reason(), e.side(), e.detail()))
                .event("peer").build();
    }

    /**
     * A transaction from a peer.
     *
     * @param id hex
     * @param peer the node id it came from, hex
     * @param from its sender, hex
     * @param nonce unsigned
     * @param gasPrice unsigned
     * @param size its encoded length, bytes
     */
    record TxEvent(String id, String peer, String from, BigInteger nonce, BigInteger gasPrice, int size) {
    }

    /**
     * A peer connected or disconnected.
     *
     * @param type {@code CONNECTED} or {@code DISCONNECTED}
     * @param peer its node id, hex
     * @param address the connection's remote address
     * @param direction who dialled
     * @param reason why it disconnected; {@code null} for {@code CONNECTED}
     * @param side which side ended the connection; {@code null} for {@code CONNECTED}
     * @param detail a short explanation, possibly empty
     */
    record PeerEventView(PeerEvent.Type type, String peer, String address, Direction direction,
                         DisconnectReason reason, PeerEvent.Side side, String detail) {
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        closing.tryEmitEmpty();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
