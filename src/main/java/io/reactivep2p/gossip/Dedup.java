package io.reactivep2p.gossip;

import io.reactivep2p.peer.PeerMessage;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * A Reactor operator that passes the first sighting of each message and drops repeats,
 * counting them: {@code Flux<PeerMessage> -> Flux<PeerMessage>}.
 *
 * <pre>{@code
 * Dedup dedup = Dedup.of(SeenCache.create(1_000_000, Duration.ofMinutes(2)), MessageIds.withRandomSeed());
 * node.messages(MsgTx).transform(dedup).subscribe(this::handle);   // each distinct tx once
 * dedup.duplicates();                                               // repeats dropped so far
 * }</pre>
 *
 * <p>The key of a message is {@link MessageIds#dedupKey(io.reactivep2p.protocol.Message)};
 * what "repeat" means over time is the {@link SeenCache}'s retention. One instance may
 * transform several streams: they then share the seen set (a message passes once across all
 * of them). Dropped messages go to Reactor's discard hook. Thread-safe; adds no buffering and
 * no thread hop: demand and cancellation pass straight through.
 */
public final class Dedup implements Function<Flux<PeerMessage>, Flux<PeerMessage>> {

    private final SeenCache seen;
    private final MessageIds ids;
    private final LongAdder passed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();

    private Dedup(SeenCache seen, MessageIds ids) {
        this.seen = Objects.requireNonNull(seen, "seen");
        this.ids = Objects.requireNonNull(ids, "ids");
    }

    /** An operator over {@code seen}, keyed by {@code ids}. */
    public static Dedup of(SeenCache seen, MessageIds ids) {
        return new Dedup(seen, ids);
    }

    @Override
    public Flux<PeerMessage> apply(Flux<PeerMessage> messages) {
        return messages.filter(this::firstSighting);
    }

    private boolean firstSighting(PeerMessage pm) {
        if (seen.markSeen(ids.dedupKey(pm.message()))) {
            passed.increment();
            return true;
        }
        duplicates.increment();
        return false;
    }

    /** Messages passed so far. */
    public long passed() {
        return passed.sum();
    }

    /** Repeats dropped so far. */
    public long duplicates() {
        return duplicates.sum();
    }
}
