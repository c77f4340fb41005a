package io.reactivep2p.gossip;

import io.reactivep2p.runtime.NodeRuntime;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The message ids a node has seen recently: the gossip dedup set. Bounded in entries and in
 * time, thread-safe, {@code O(1)} per id.
 *
 * <pre>{@code
 * SeenCache seen = SeenCache.create(1_000_000, Duration.ofMinutes(2));
 * if (seen.markSeen(ids.dedupKey(message))) {
 *     relay(message);                    // the first sighting
 * }
 * }</pre>
 *
 * <p><b>Retention.</b> An id is remembered for at least {@code ttl} unless {@code maxEntries/2}
 * newer ids arrived meanwhile, and forgotten at most {@code 2 × ttl} after it was first seen
 * (once the cache is used or {@link #expire()} is called). The implementation,
 * {@link LongSeenCache}, was chosen by {@code SeenCacheBenchmark} over a
 * {@code ConcurrentHashMap} and a Caffeine cache: see {@code bench/RESULTS.md}.
 */
public interface SeenCache {

    /**
     * Marks {@code id} seen.
     *
     * @return {@code true} when it was not seen before (within the retention above): the
     *     first sighting; {@code false} for a repeat. Of concurrent calls with one id, exactly
     *     one returns {@code true}.
     */
    boolean markSeen(long id);

    /** Whether {@code id} was seen (within the retention above); changes nothing. */
    boolean contains(long id);

    /** Ids held now (at most {@code maxEntries}; approximate while other threads add). */
    long size();

    /** Forgets ids past their retention now, without waiting for the next {@link #markSeen}. */
    void expire();

    /** The library's seen-cache, on the {@link NodeRuntime#system() system} ticker. */
    static SeenCache create(int maxEntries, Duration ttl) {
        return create(maxEntries, ttl, NodeRuntime.system()::nanoTime);
    }

    /** The library's seen-cache on {@code nanoClock}: a node's runtime ticker, or a test's own. */
    static SeenCache create(int maxEntries, Duration ttl, LongSupplier nanoClock) {
        return new LongSeenCache(maxEntries, ttl, nanoClock);
    }
}
