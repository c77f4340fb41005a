package io.reactivep2p.perf;

import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The server side of the {@link Perf} protocol on a node: counts what each run uploads and,
 * once the client's PERF_DONE arrives, sends the bytes the run asked for, then its own
 * PERF_DONE with the count; sends each PERF_ECHO back as it came.
 *
 * <p><b>Limits.</b> Every peer is a stranger: at most {@value #MAX_RUNS_PER_PEER} runs in
 * progress per peer, uploading or being answered (a run counts until its download is
 * written), and at most {@code maxDownload} bytes asked for by a run. The download is
 * written as the connection takes it (socket backpressure), so a client that does not read
 * holds no more than the socket buffers. An echo is queued ({@link Peer#offer}) or, with the
 * peer's outbound queue full, dropped. A malformed message, a run over the limits, or DATA
 * and DONE of a run that was not started disconnect the peer with
 * {@link DisconnectReason#PROTOCOL_ERROR}.
 *
 * <p><b>Threading.</b> A peer's messages are handled on its event loop, in order; the
 * counters are thread-safe. {@link #dispose()} stops serving (runs in progress are dropped).
 */
public final class PerfServer implements Disposable {

    /** The most a run may ask for by default: 64 GiB. */
    public static final long DEFAULT_MAX_DOWNLOAD = 64L << 30;
    /** Runs in progress one peer may have. */
    public static final int MAX_RUNS_PER_PEER = 64;

    private static final Logger log = LoggerFactory.getLogger(PerfServer.class);

    /** A run in progress: what it asked for, what it uploaded so far, whether it is being answered. */
    private static final class Run {
        final long download;
        long received;
        boolean answering;

        Run(long download) {
            this.download = download;
        }
    }

    private final long maxDownload;
    private final int chunk;
    /**
     * The random bytes every download is made of, filled once as the server is attached: a run
     * costs one copy of a chunk (its run id goes first), not the random generation.
     */
    private final byte[] randomBlock;
    /** Each peer's runs; the inner maps are touched on that peer's event loop only. */
    private final Map<Peer, Map<Long, Run>> runs = new ConcurrentHashMap<>();
    private final LongAdder served = new LongAdder();
    private final LongAdder echoed = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final Disposable subscription;

    private PerfServer(P2pNode node, long maxDownload, int chunk) {
        this.maxDownload = maxDownload;
        this.chunk = chunk;
        this.randomBlock = PerfClient.block(node.config().runtime().random().nextLong(), chunk, PerfClient.Data.RANDOM);
        this.subscription = node.messages()
                .filter(pm -> Perf.isPerf(pm.message().type()))
                .subscribe(this::onMessage);
    }

    /**
     * Serves perf runs to the peers of {@code node}, sending downloads in messages of
     * {@link Perf#DEFAULT_CHUNK} bytes.
     *
     * @param maxDownload the most a run may ask for
     * @throws IllegalArgumentException if the node was not {@linkplain Perf#configure configured}
     *     for perf
     */
    public static PerfServer attach(P2pNode node, long maxDownload) {
        return attach(node, maxDownload, Perf.DEFAULT_CHUNK);
    }

    /** {@link #attach(P2pNode, long)} with downloads in messages of {@code chunk} data bytes. */
    public static PerfServer attach(P2pNode node, long maxDownload, int chunk) {
        Objects.requireNonNull(node, "node");
        PerfClient.checkConfigured(node, chunk);
        if (maxDownload < 0) {
            throw new IllegalArgumentException("maxDownload must be >= 0, got " + maxDownload);
        }
        return new PerfServer(node, maxDownload, chunk);
    }

    private void onMessage(PeerMessage pm) {
        Peer peer = pm.peer();
        Message m = pm.message();
        try {
            MessageType type = m.type();
            if (type.equals(Perf.ECHO)) {
                echo(peer, m);
                return;
            }
            long run = Perf.run(m);
            Map<Long, Run> mine = runsOf(peer);
            if (type.equals(Perf.START)) {
                long download = Perf.value(m);
                if (download < 0 || download > maxDownload) {
                    throw violation("run asks for " + Long.toUnsignedString(download) + " bytes, above " + maxDownload);
                }
                if (mine.size() >= MAX_RUNS_PER_PEER) {
                    throw violation("more than " + MAX_RUNS_PER_PEER + " runs in progress");
                }
                if (mine.putIfAbsent(run, new Run(download)) != null) {
                    throw violation("run " + run + " started twice");
                }
            } else if (type.equals(Perf.DATA)) {
                Run r = mine.get(run);
                if (r == null || r.answering) {
                    throw outOfOrder("PERF_DATA of run " + run + ", " + (r == null ? "not started" : "done"));
                }
                int bytes = m.payloadLength() - Perf.HEADER;
                r.received += bytes;
                received.add(bytes);
            } else {
                Perf.value(m); // checks the length; the client's count is for the client
                Run r = mine.get(run);
                if (r == null || r.answering) {
                    throw outOfOrder("PERF_DONE of run " + run + ", " + (r == null ? "not started" : "done twice"));
                }
                r.answering = true; // still counted against the peer's runs until it is answered
                answer(peer, run, r, mine);
            }
        } catch (ProtocolException e) {
            log.debug("perf: {} from {}", e.getMessage(), peer);
            peer.disconnect(DisconnectReason.PROTOCOL_ERROR, "perf: " + e.getMessage()).subscribe();
        }
    }

    private void echo(Peer peer, Message m) {
        Perf.value(m); // checks the length: an echo is no bigger than it must be
        if (peer.offer(m)) {
            echoed.increment();
        } else {
            log.debug("perf: an echo to {} was not queued (queue full or closed)", peer);
        }
    }

    private Map<Long, Run> runsOf(Peer peer) {
        Map<Long, Run> mine = runs.get(peer);
        if (mine == null) {
            mine = new ConcurrentHashMap<>();
            runs.put(peer, mine);
            peer.onClose().subscribe(why -> runs.remove(peer)); // at once if it closed already
        }
        return mine;
    }

    private void answer(Peer peer, long run, Run r, Map<Long, Run> mine) {
        if (r.download == 0) { // an answer of one message: queued, no stream to set up
            mine.remove(run, r);
            if (peer.offer(Perf.control(Perf.DONE, run, r.received))) {
                served.increment();
            } else {
                log.debug("perf: the answer to run {} of {} was not queued (queue full or closed)", run, peer);
            }
            return;
        }
        Flux<Message> download = PerfClient.chunks(run, r.download, chunk, randomBlock);
        peer.send(Flux.concat(download, Mono.just(Perf.control(Perf.DONE, run, r.received))))
                .doFinally(signal -> mine.remove(run, r))
                .subscribe(null,
                        e -> log.debug("perf: download of run {} to {} failed: {}", run, peer, e.toString()),
                        () -> {
                            served.increment();
                            sent.add(r.download);
                        });
    }

    private static ProtocolException violation(String what) {
        return new ProtocolException(ProtocolException.Kind.LIMIT_EXCEEDED, what);
    }

    private static ProtocolException outOfOrder(String what) {
        return new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, what);
    }

    /** Runs answered in full. */
    public long served() {
        return served.sum();
    }

    /** PERF_ECHO messages sent back. */
    public long echoed() {
        return echoed.sum();
    }

    /** Data bytes received from clients. */
    public long bytesReceived() {
        return received.sum();
    }

    /** Data bytes sent to clients (runs answered in full). */
    public long bytesSent() {
        return sent.sum();
    }

    @Override
    public void dispose() {
        subscription.dispose();
        runs.clear();
    }

    @Override
    public boolean isDisposed() {
        return subscription.isDisposed();
    }
}
