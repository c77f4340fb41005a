package io.reactivep2p.gossip;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A {@link SeenCache} over two generations of open-addressing {@code long} tables.
 *
 * <p><b>Layout.</b> Each generation is a {@code long[]} of {@code 2^k ≥ maxEntries} slots
 * holding ids directly (0 marks an empty slot; id 0 is stored as a fixed stand-in, so the two
 * are one id here: a 2^-64 chance for keyed-hash ids), probed
 * linearly from the id's low bits — ids are keyed hashes, so their bits are uniform and an
 * outsider cannot aim at a slot. New ids go to the current generation; when it holds
 * {@code maxEntries/2} ids (a load of at most one half, so probes stay short) or is
 * {@code ttl} old, the generations rotate: the previous one is cleared and becomes the
 * current one. An id is thus kept for one to two generations.
 *
 * <p><b>Memory.</b> {@code 2 × 2^k × 8} bytes, allocated once: 16 B per entry when
 * {@code maxEntries} is a power of two, under 32 B otherwise; nothing is allocated per id.
 *
 * <p><b>Concurrency.</b> Lock-free lookups ({@code getAcquire}) and inserts (CAS on the slot:
 * of two threads inserting one id, one wins and the other sees it); rotation, once per
 * {@code maxEntries/2} inserts, takes a lock. A thread still reading the generation being
 * cleared may miss an id of it: that id was about to be forgotten anyway.
 *
 * <p>Why hand-written: {@code SeenCacheBenchmark} measured it against a
 * {@code ConcurrentHashMap} and Caffeine (both box every id and allocate per insert).
 */
final class LongSeenCache implements SeenCache {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long EMPTY = 0L;
    private static final long ZERO_STAND_IN = 0x9E3779B97F4A7C15L;

    private static final class Generation {
        final long[] slots;
        final AtomicInteger count = new AtomicInteger();
        volatile long startNanos;

        Generation(int size, long startNanos) {
            this.slots = new long[size];
            this.startNanos = startNanos;
        }
    }

    private final int perGeneration;
    private final int mask;
    private final long ttlNanos;
    private final LongSupplier clock;
    private volatile Generation current;
    private volatile Generation previous;

    LongSeenCache(int maxEntries, Duration ttl, LongSupplier nanoClock) {
        if (maxEntries < 2 || maxEntries > 1 << 29) {
            throw new IllegalArgumentException("maxEntries must be in 2..2^29, got " + maxEntries);
        }
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.perGeneration = maxEntries / 2;
        int size = Integer.highestOneBit(maxEntries - 1) << 1; // the power of two >= maxEntries
        this.mask = size - 1;
        this.ttlNanos = ttl.toNanos();
        long now = clock.getAsLong();
        this.current = new Generation(size, now);
        this.previous = new Generation(size, now);
    }

    private static long key(long id) {
        return id == EMPTY ? ZERO_STAND_IN : id;
    }

    private int index(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    @Override
    public boolean markSeen(long id) {
        long key = key(id);
        for (;;) {
            Generation cur = current;
            long[] slots = cur.slots;
            int i = index(key);
            int probes = 0;
            long v;
            while ((v = (long) SLOTS.getAcquire(slots, i)) != EMPTY) {
                if (v == key) {
                    return false;
                }
                i = (i + 1) & mask;
                if (++probes > mask) {
                    break; // full: only if concurrent inserts overshot; rotate below
                }
            }
            Generation prev = previous;
            if (prev != cur && find(prev.slots, key)) {
                return false;
            }
            while (probes <= mask) {
                v = (long) SLOTS.compareAndExchange(slots, i, EMPTY, key);
                if (v == EMPTY) {
                    int n = cur.count.incrementAndGet();
                    // The clock is read every 64th insert (a read costs about as much as the
                    // rest of a hit); the node's periodic expire() covers quiet times.
                    if (n >= perGeneration) {
                        rotate(cur, clock.getAsLong());
                    } else if ((n & 63) == 0) {
                        long now = clock.getAsLong();
                        if (now - cur.startNanos >= ttlNanos) {
                            rotate(cur, now);
                        }
                    }
                    return true;
                }
                if (v == key) {
                    return false; // another thread inserted it just now
                }
                i = (i + 1) & mask;
                probes++;
            }
            rotate(cur, clock.getAsLong());
        }
    }

    @Override
    public boolean contains(long id) {
        long key = key(id);
        return find(current.slots, key) || find(previous.slots, key);
    }

    private boolean find(long[] slots, long key) {
        int i = index(key);
        for (int probes = 0; probes <= mask; probes++) {
            long v = (long) SLOTS.getAcquire(slots, i);
            if (v == key) {
                return true;
            }
            if (v == EMPTY) {
                return false;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    @Override
    public long size() {
        return (long) current.count.get() + previous.count.get();
    }

    @Override
    public void expire() {
        long now = clock.getAsLong();
        Generation cur = current;
        if (now - cur.startNanos >= ttlNanos) {
            rotate(cur, now);
        }
        // Two generations old: nothing in the previous one may outlive 2 × ttl.
        Generation prev = previous;
        if (now - prev.startNanos >= 2 * ttlNanos && prev.count.get() > 0) {
            rotate(current, now);
        }
    }

    private synchronized void rotate(Generation full, long now) {
        if (current != full) {
            return; // another thread rotated
        }
        Generation reused = previous;
        Arrays.fill(reused.slots, EMPTY);
        reused.count.set(0);
        reused.startNanos = now;
        previous = full;
        current = reused; // volatile write: publishes the cleared table
    }
}
