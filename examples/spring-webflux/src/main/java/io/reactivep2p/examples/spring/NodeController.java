package io.reactivep2p.examples.spring;

import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.Peer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The node's HTTP API: submit a transaction, list the peers, read the best of the mempool, ask
 * a peer for the best of its.
 * Every handler is non-blocking and cheap (a pool lookup, a snapshot of the peers), so they
 * run on the web server's event loop; errors are answered by {@link ApiErrors}.
 */
@RestController
final class NodeController {

    /** What {@code GET /mempool/top} returns at most, so that one request stays cheap. */
    static final int MAX_TOP = 1000;

    private final P2pNode node;

    NodeController(P2pNode node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    /**
     * {@code POST /tx}: offers the transaction to the pool, which gossips it to the peers if it
     * takes it. 202 Accepted when pooled ({@code ADDED}, {@code REPLACED}); 409 Conflict with
     * the reason when refused: every refusal ({@code DUPLICATE}, {@code UNDERPRICED}...) is
     * relative to what the pool holds or accepts, not a malformed request. 400 for a malformed
     * body (see {@link TransactionRequest}).
     */
    @PostMapping(path = "/tx", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Submitted>> submit(@RequestBody TransactionRequest request) {
        Transaction tx = request.toTransaction(System.currentTimeMillis());
        return node.submit(tx).map(result -> ResponseEntity
                .status(result.accepted() ? HttpStatus.ACCEPTED : HttpStatus.CONFLICT)
                .body(new Submitted(tx.id().toHex(), result)));
    }

    /** {@code GET /peers}: the connected peers, a snapshot. */
    @GetMapping("/peers")
    List<PeerView> peers() {
        return node.peers().stream().map(PeerView::of).toList();
    }

    /** {@code GET /mempool/top?n=20}: the {@code n} (1..{@value #MAX_TOP}) best-paying transactions, best first. */
    @GetMapping("/mempool/top")
    List<PooledTransaction> top(@RequestParam(defaultValue = "20") int n) {
        if (n < 1 || n > MAX_TOP) {
            throw new InvalidRequestException("n must be in 1.." + MAX_TOP + ", got " + n);
        }
        return node.mempool().top(n).stream().map(PooledTransaction::of).toList();
    }

    /**
     * {@code GET /peers/{id}/mempool?n=20}: asks the connected peer {@code id} (hex) for its
     * {@code n} (1..{@value #MAX_TOP}) best-paying transactions and streams its answer as it
     * comes, one JSON object per line ({@code application/x-ndjson}). The HTTP client's demand
     * becomes the request-stream's credits: the peer sends no faster than the client reads.
     * 404 when no such peer is connected; 502 when the peer refuses or fails before the first
     * transaction (after it, the stream ends).
     */
    @GetMapping(path = "/peers/{id}/mempool", produces = MediaType.APPLICATION_NDJSON_VALUE)
    Flux<PooledTransaction> peerMempool(@PathVariable String id, @RequestParam(defaultValue = "20") int n) {
        if (n < 1 || n > MAX_TOP) {
            throw new InvalidRequestException("n must be in 1.." + MAX_TOP + ", got " + n);
        }
        Peer peer = node.peers().stream().filter(p -> p.id().toHex().equalsIgnoreCase(id)).findFirst()
                .orElseThrow(() -> new NoSuchPeerException(id));
        return PoolExchange.ask(peer, n).map(PooledTransaction::of);
    }

    /** No connected peer has the id asked for. */
    static final class NoSuchPeerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoSuchPeerException(String id) {
            super("no connected peer " + id);
        }
    }

    /** The answer to {@code POST /tx}: the transaction's id (hex) and what the pool did. */
    record Submitted(String id, AddResult result) {
    }

    /**
     * A connected peer.
     *
     * @param id its node id, hex
     * @param address the connection's remote address
     * @param listenAddress where it accepts connections; {@code null} when it does not listen
     * @param direction who dialled
     * @param userAgent from its HELLO
     * @param lastRttMicros the last PING round trip; {@code null} before the first PONG
     * @param averageRttMicros the moving average of the round trips; {@code null} before the first PONG
     */
    record PeerView(String id, String address, String listenAddress, Direction direction, String userAgent,
                    Long lastRttMicros, Long averageRttMicros) {

        static PeerView of(Peer peer) {
            return new PeerView(peer.id().toHex(), peer.remoteAddress().toString(),
                    peer.listenAddress().map(Object::toString).orElse(null), peer.direction(),
                    peer.hello().userAgent(), micros(peer.lastRtt().orElse(null)),
                    micros(peer.averageRtt().orElse(null)));
        }

        private static Long micros(Duration d) {
            return d == null ? null : d.toNanos() / 1_000;
        }
    }

    /**
     * A pooled transaction. The numbers are unsigned 64-bit, hence {@link BigInteger}.
     *
     * @param id hex
     * @param from the sender, hex
     * @param to the receiver, hex
     * @param nonce the sender's sequence number
     * @param gasPrice what the pool ranks by
     * @param size the encoded length, bytes
     */
    record PooledTransaction(String id, String from, String to, BigInteger nonce, BigInteger gasPrice, int size) {

        static PooledTransaction of(Transaction tx) {
            return new PooledTransaction(tx.id().toHex(), tx.from().toHex(), tx.to().toHex(),
                    unsigned(tx.nonce()), unsigned(tx.gasPrice()), tx.size());
        }
    }

    static BigInteger unsigned(long value) {
        return value >= 0 ? BigInteger.valueOf(value) : BigInteger.valueOf(value).add(BigInteger.ONE.shiftLeft(64));
    }
}
