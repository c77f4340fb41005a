package io.reactivep2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SeenCacheTest {

    private final AtomicLong clock = new AtomicLong();
    private static final Duration TTL = Duration.ofMinutes(2);

    private SeenCache cache(int maxEntries) {
        return SeenCache.create(maxEntries, TTL, clock::get);
    }

    @Test
    void theFirstSightingIsTrueAndRepeatsAreFalse() {
        SeenCache seen = cache(1024);
        assertThat(seen.markSeen(7)).isTrue();
        assertThat(seen.markSeen(7)).isFalse();
        assertThat(seen.contains(7)).isTrue();
        assertThat(seen.contains(8)).isFalse();
        assertThat(seen.markSeen(0)).isTrue(); // zero is an id like any other
        assertThat(seen.markSeen(0)).isFalse();
        assertThat(seen.size()).isEqualTo(2);
    }

    @Test
    void holdsAtMostMaxEntriesAndKeepsTheNewestHalf() {
        SeenCache seen = cache(1000);
        for (long id = 1; id <= 100_000; id++) {
            assertThat(seen.markSeen(id)).isTrue();
            assertThat(seen.size()).isLessThanOrEqualTo(1000);
        }
        for (long id = 100_000 - 499; id <= 100_000; id++) { // the newest maxEntries/2
            assertThat(seen.contains(id)).as("id %d", id).isTrue();
        }
        assertThat(seen.contains(1)).isFalse();
    }

    @Test
    void remembersForAtLeastTheTtlAndForgetsWithinTwice() {
        SeenCache seen = cache(1 << 16);
        seen.markSeen(1);
        clock.addAndGet(TTL.toNanos() - 1);
        seen.expire();
        assertThat(seen.contains(1)).isTrue();
        seen.markSeen(2); // rotates nothing yet: the generation is younger than the ttl
        clock.addAndGet(1);
        seen.expire(); // the generation holding 1 and 2 is one ttl old: it becomes the previous one
        assertThat(seen.contains(1)).isTrue();
        assertThat(seen.markSeen(1)).isFalse();
        clock.addAndGet(TTL.toNanos());
        seen.expire(); // two ttls: forgotten
        assertThat(seen.contains(1)).isFalse();
        assertThat(seen.contains(2)).isFalse();
        assertThat(seen.size()).isZero();
    }

    @Test
    void aLongIdleCacheForgetsEverythingAtTheNextExpire() {
        SeenCache seen = cache(1 << 16);
        seen.markSeen(1);
        clock.addAndGet(TTL.toNanos() * 10);
        seen.expire();
        assertThat(seen.contains(1)).isFalse();
    }

    @Test
    void rejectsBadSizesAndTtls() {
        assertThatThrownBy(() -> SeenCache.create(1, TTL)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeenCache.create(1024, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofConcurrentMarksOfOneIdExactlyOneIsTheFirst() throws Exception {
        SeenCache seen = cache(1 << 20);
        int ids = 200_000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Future<long[]> a = pool.submit(() -> markAll(seen, ids, go));
            Future<long[]> b = pool.submit(() -> markAll(seen, ids, go));
            go.countDown();
            long[] firstsA = a.get(30, TimeUnit.SECONDS);
            long[] firstsB = b.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < ids; i++) {
                assertThat(firstsA[i] + firstsB[i]).as("firsts of id %d", i).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] markAll(SeenCache seen, int ids, CountDownLatch go) throws InterruptedException {
        long[] firsts = new long[ids];
        go.await();
        for (int i = 0; i < ids; i++) {
            firsts[i] = seen.markSeen(mix(i)) ? 1 : 0;
        }
        return firsts;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Against a model: within the newest maxEntries/2 distinct ids, the cache answers exactly like a set. */
    @Property(tries = 200)
    void agreesWithASetOverTheRecentIds(@ForAll @Size(max = 3000) List<@IntRange(min = 0, max = 1500) Integer> ops,
                                       @ForAll @IntRange(min = 2, max = 4096) int maxEntries) {
        SeenCache seen = SeenCache.create(maxEntries, TTL, () -> 0L);
        LinkedHashSet<Long> recent = new LinkedHashSet<>(); // distinct ids, oldest first
        int guaranteed = maxEntries / 2;
        for (int op : ops) {
            long id = mix(op);
            boolean first = seen.markSeen(id);
            if (recent.contains(id)) {
                // Held for certain only while fewer than maxEntries/2 newer ids arrived.
                int newer = 0;
                boolean found = false;
                for (Long r : recent) {
                    if (found) {
                        newer++;
                    }
                    found |= r == id;
                }
                if (newer < guaranteed) {
                    assertThat(first).as("repeat of a recent id").isFalse();
                }
            } else {
                assertThat(first).as("a new id").isTrue();
            }
            if (first) {
                recent.remove(id);
                recent.add(id);
            }
            assertThat(seen.size()).isLessThanOrEqualTo(maxEntries);
        }
    }
}
