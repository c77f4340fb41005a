package io.reactivep2p.gossip;

import io.reactivep2p.BenchmarkBase;
import java.time.Duration;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code markSeen} of three seen-cache designs, under three workloads, at one and two threads
 * sharing one cache of 1 M entries (2 min ttl).
 *
 * <ul>
 *   <li>{@code impl}: {@code long} — the library's {@link LongSeenCache} (two generations of
 *       open-addressing {@code long[]}, CAS inserts); {@code chm} — two generations of
 *       {@code ConcurrentHashMap} key sets; {@code caffeine} — a Caffeine cache with
 *       {@code maximumSize} and {@code expireAfterWrite}.</li>
 *   <li>{@code hits}: the share of repeats, in percent. A repeat is an id this thread marked
 *       among its last 4096 new ids (always still held: gossip duplicates arrive soon after
 *       the first copy); a new id is the next value of a per-thread SplitMix64 stream, so the
 *       cache fills and rotates as in a node, in steady state.</li>
 * </ul>
 *
 * <p>The op sequence (repeat or new, and which recent id) is precomputed per thread: the
 * measured loop does one array read, at most one SplitMix64 step, and the call.
 *
 * <p>Run (about 6 minutes on 2 cores):
 * <pre>
 * java -jar bench/target/benchmarks.jar SeenCacheBenchmark -prof gc -rf json -rff /tmp/seen.json
 * </pre>
 */
public class SeenCacheBenchmark extends BenchmarkBase {

    static final int MAX_ENTRIES = 1 << 20;
    static final int RECENT = 4096;
    static final int OPS = 1 << 16;

    /** The cache, shared by the benchmark threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"long", "chm", "caffeine"})
        public String impl;

        SeenCache cache;

        @Setup(Level.Trial)
        public void setUp() {
            Duration ttl = Duration.ofMinutes(2);
            cache = switch (impl) {
                case "long" -> new LongSeenCache(MAX_ENTRIES, ttl, System::nanoTime);
                case "chm" -> new SeenCacheCandidates.ConcurrentMapSeenCache(MAX_ENTRIES, ttl, System::nanoTime);
                case "caffeine" -> new SeenCacheCandidates.CaffeineSeenCache(MAX_ENTRIES, ttl, System::nanoTime);
                default -> throw new IllegalArgumentException(impl);
            };
            // The contract every candidate must keep, checked before measuring.
            if (!cache.markSeen(42) || cache.markSeen(42) || !cache.contains(42) || cache.contains(43)) {
                throw new IllegalStateException(impl + " breaks the seen-cache contract");
            }
        }
    }

    @Param({"100", "90", "50"})
    public int hits;

    /** Per op: -1 for a new id, else the index in {@link #recent} of the repeat. */
    private int[] ops;
    private final long[] recent = new long[RECENT];
    private int op;
    private int next;
    private long state;

    @Setup(Level.Trial)
    public void setUpThread(Shared shared) {
        SplittableRandom random = new SplittableRandom(DATA_SEED ^ Thread.currentThread().getId());
        state = random.nextLong();
        for (int i = 0; i < RECENT; i++) { // warm the recent ids: repeats are real from the start
            long id = newId();
            shared.cache.markSeen(id);
            recent[i] = id;
        }
        ops = new int[OPS];
        for (int i = 0; i < OPS; i++) {
            ops[i] = random.nextInt(100) < hits ? random.nextInt(RECENT) : -1;
        }
    }

    private long newId() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private boolean step(SeenCache cache) {
        int o = ops[op];
        op = (op + 1) & (OPS - 1);
        if (o >= 0) {
            return cache.markSeen(recent[o]);
        }
        long id = newId();
        recent[next] = id;
        next = (next + 1) & (RECENT - 1);
        return cache.markSeen(id);
    }

    @Benchmark
    @Threads(1)
    public boolean markSeen1Thread(Shared shared) {
        return step(shared.cache);
    }

    @Benchmark
    @Threads(2)
    public boolean markSeen2Threads(Shared shared) {
        return step(shared.cache);
    }
}
