package io.reactivep2p.perf;

import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.runtime.NodeRuntime;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.SplittableRandom;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The client side of the {@link Perf} protocol: runs against a peer that serves it
 * ({@link PerfServer}).
 *
 * <pre>{@code
 * Peer server = node.connect("10.0.0.5:4001").block();
 * PerfResult r = PerfClient.run(node, server, 100L << 20, 100L << 20, Perf.DEFAULT_CHUNK, Data.RANDOM).block();
 * long[] roundTrips = PerfClient.latency(node, server, 1000).block();   // nanoseconds, one per sample
 * }</pre>
 *
 * <p>The upload is written as the connection takes it (socket backpressure); the download is
 * counted as it is delivered. Both nodes must be {@linkplain Perf#configure configured} for
 * perf. Lazy: nothing is sent until the {@code Mono} is subscribed; the timing runs on the
 * node's event loop, which delivers the answers.
 */
public final class PerfClient {

    /** What the data bytes are: they matter when LZ4 is on. */
    public enum Data {
        /** Seeded random bytes: incompressible. */
        RANDOM,
        /** Zeros: as compressible as data gets. */
        ZEROS
    }

    private PerfClient() {
    }

    /**
     * One run: uploads {@code upload} bytes in messages of {@code chunk} data bytes, then
     * receives {@code download} bytes. Emits what was measured, or errors with an
     * {@link IllegalStateException} if the connection closed first or either side counted
     * other than was sent.
     */
    public static Mono<PerfResult> run(P2pNode node, Peer peer, long upload, long download, int chunk, Data data) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(data, "data");
        checkConfigured(Objects.requireNonNull(node, "node"), chunk);
        if (upload < 0 || download < 0) {
            throw new IllegalArgumentException("upload and download must be >= 0, got " + upload + " and " + download);
        }
        return Mono.defer(() -> {
            NodeRuntime runtime = node.config().runtime();
            long run = runtime.random().nextLong();
            Receiver receiver = new Receiver(peer, run, upload, download, runtime);
            Disposable answers = node.messages()
                    .filter(pm -> pm.peer() == peer && Perf.isPerf(pm.message().type()))
                    .subscribe(receiver::onMessage);
            Flux<Message> request = Flux.concat(
                    Mono.just(Perf.control(Perf.START, run, download)),
                    chunks(run, upload, chunk, block(run, (int) Math.min(chunk, upload), data)),
                    Mono.just(Perf.control(Perf.DONE, run, upload)));
            receiver.startNanos = runtime.nanoTime(); // the data is made: the clock starts
            Mono<PerfResult> closed = peer.onClose().flatMap(why -> Mono.error(
                    new IllegalStateException("perf run " + run + ": the connection closed: " + why)));
            return peer.send(request)
                    // The upload fails first when the connection closes during it.
                    .onErrorMap(PeerException.class, e -> new IllegalStateException(
                            "perf run " + run + ": the connection closed: " + e.getMessage(), e))
                    .then(Mono.firstWithSignal(receiver.result.asMono(), closed))
                    .doFinally(s -> answers.dispose());
        });
    }

    /**
     * {@code samples} PERF_ECHO messages, one after the other: the round trip of one message
     * and its echo over the established connection (the server needs this version's
     * {@link PerfServer}; an older one does not answer). Emits the round trips in nanoseconds, in order,
     * or errors with an {@link IllegalStateException} if the connection closes first.
     *
     * <p>One subscription to the node's messages serves every sample, and each next echo is
     * queued ({@link Peer#offer}) from the callback that took the previous answer, on the
     * peer's event loop: a sample times the two nodes' stacks, not the setting up of a
     * subscription per request.
     */
    public static Mono<long[]> latency(P2pNode node, Peer peer, int samples) {
        Objects.requireNonNull(peer, "peer");
        checkConfigured(Objects.requireNonNull(node, "node"), 1);
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        return Mono.defer(() -> {
            PingPong pingPong = new PingPong(peer, samples, node.config().runtime());
            Disposable answers = node.messages()
                    .filter(pm -> pm.peer() == peer && pm.message().type().equals(Perf.ECHO))
                    .subscribe(pm -> pingPong.onAnswer(pm.message()));
            Mono<long[]> closed = peer.onClose().flatMap(why -> Mono.error(
                    new IllegalStateException("latency: the connection closed: " + why)));
            peer.eventLoop().execute(pingPong::next);
            return Mono.firstWithSignal(pingPong.result.asMono(), closed).doFinally(s -> answers.dispose());
        });
    }

    /** Echoes one after the other, each sent as the previous one comes back; event loop only. */
    private static final class PingPong {
        final Peer peer;
        final long[] roundTrips;
        final NodeRuntime runtime;
        final Sinks.One<long[]> result = Sinks.one();
        int done;
        long run;
        long sentNanos;

        PingPong(Peer peer, int samples, NodeRuntime runtime) {
            this.peer = peer;
            this.roundTrips = new long[samples];
            this.runtime = runtime;
        }

        void next() {
            run = runtime.random().nextLong();
            sentNanos = runtime.nanoTime();
            if (!peer.offer(Perf.control(Perf.ECHO, run, done))) {
                result.tryEmitError(new IllegalStateException("latency: the connection to " + peer
                        + " took no more messages (" + (peer.isActive() ? "outbound queue full" : "closed") + ")"));
            }
        }

        void onAnswer(Message m) {
            if (m.payloadLength() != Perf.CONTROL_LENGTH || Perf.run(m) != run || done == roundTrips.length) {
                return;
            }
            roundTrips[done++] = runtime.nanoTime() - sentNanos;
            if (done == roundTrips.length) {
                result.tryEmitValue(roundTrips);
            } else {
                next();
            }
        }
    }

    /** Times one run as the server's answers arrive, on the peer's event loop. */
    private static final class Receiver {
        final Peer peer;
        final long run;
        final long upload;
        final long download;
        final NodeRuntime runtime;
        final Sinks.One<PerfResult> result = Sinks.one();
        volatile long startNanos;
        long firstAnswerNanos;
        long received;

        Receiver(Peer peer, long run, long upload, long download, NodeRuntime runtime) {
            this.peer = peer;
            this.runtime = runtime;
            this.run = run;
            this.upload = upload;
            this.download = download;
        }

        void onMessage(PeerMessage pm) {
            Message m = pm.message();
            if (m.payloadLength() < Perf.HEADER || Perf.run(m) != run) {
                return;
            }
            long now = runtime.nanoTime();
            if (firstAnswerNanos == 0) {
                firstAnswerNanos = now;
            }
            if (m.type().equals(Perf.DATA)) {
                received += m.payloadLength() - Perf.HEADER;
            } else if (m.type().equals(Perf.DONE)) {
                long counted = m.payloadLength() == Perf.CONTROL_LENGTH ? Perf.value(m) : -1;
                if (counted != upload || received != download) {
                    result.tryEmitError(new IllegalStateException("perf run " + run + " with " + peer + ": uploaded "
                            + upload + " bytes, the server counted " + counted + "; asked for " + download
                            + ", received " + received));
                } else {
                    result.tryEmitValue(new PerfResult(upload, download, firstAnswerNanos - startNanos,
                            now - firstAnswerNanos, now - startNanos));
                }
            }
        }
    }

    /**
     * The PERF_DATA messages of {@code bytes} data bytes of {@code block} (at least one chunk
     * long, or {@code bytes} if shorter): full chunks share one message (one array for the whole
     * run: the run id, then the block), then the remainder. Built when called.
     */
    static Flux<Message> chunks(long run, long bytes, int chunk, byte[] block) {
        if (bytes == 0) {
            return Flux.empty();
        }
        long full = bytes / chunk;
        int rest = (int) (bytes % chunk);
        Flux<Message> fulls = full == 0 ? Flux.empty() : Flux.just(dataMessage(run, block, chunk)).repeat(full - 1);
        return rest == 0 ? fulls : Flux.concat(fulls, Mono.just(dataMessage(run, block, rest)));
    }

    /**
     * {@code length} data bytes: seeded random bytes (incompressible), or zeros. Filled once per
     * run (about 3 ms for 1 MiB once compiled), before the run's clock starts.
     */
    static byte[] block(long seed, int length, Data data) {
        byte[] block = new byte[length];
        if (data == Data.RANDOM) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < length; i += Long.BYTES) {
                long r = random.nextLong();
                for (int j = 0; j < Long.BYTES && i + j < length; j++) {
                    block[i + j] = (byte) (r >>> (8 * j));
                }
            }
        }
        return block;
    }

    private static Message dataMessage(long run, byte[] block, int length) {
        byte[] payload = new byte[Perf.HEADER + length];
        ByteBuffer.wrap(payload).putLong(run);
        System.arraycopy(block, 0, payload, Perf.HEADER, length);
        return Message.wrap(Perf.DATA, payload);
    }

    static void checkConfigured(P2pNode node, int chunk) {
        if (!node.config().gossip().directTypes().containsAll(Perf.types())) {
            throw new IllegalArgumentException("the node does not speak perf: configure it with Perf.configure(builder)");
        }
        int max = node.config().frameSettings().maxMessageLength() - Perf.HEADER;
        if (chunk < 1 || chunk > max) {
            throw new IllegalArgumentException("chunk must be in 1.." + max + " bytes, got " + chunk);
        }
    }
}
