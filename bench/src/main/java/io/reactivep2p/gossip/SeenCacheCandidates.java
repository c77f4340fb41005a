package io.reactivep2p.gossip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/** The seen-cache designs {@code SeenCacheBenchmark} compares with the library's {@link LongSeenCache}. */
final class SeenCacheCandidates {

    private SeenCacheCandidates() {
    }

    /**
     * Two generations of {@link ConcurrentHashMap} key sets, rotated as {@link LongSeenCache}
     * rotates (at half the entries or at the ttl): the obvious JDK design.
     */
    static final class ConcurrentMapSeenCache implements SeenCache {
        private final int perGeneration;
        private final long ttlNanos;
        private final LongSupplier clock;
        private volatile Set<Long> current = ConcurrentHashMap.newKeySet();
        private volatile Set<Long> previous = ConcurrentHashMap.newKeySet();
        private final AtomicInteger count = new AtomicInteger();
        private volatile long startNanos;

        ConcurrentMapSeenCache(int maxEntries, Duration ttl, LongSupplier clock) {
            this.perGeneration = maxEntries / 2;
            this.ttlNanos = ttl.toNanos();
            this.clock = clock;
            this.startNanos = clock.getAsLong();
        }

        @Override
        public boolean markSeen(long id) {
            Set<Long> cur = current;
            if (cur.contains(id) || previous.contains(id) || !cur.add(id)) {
                return false;
            }
            long now = clock.getAsLong();
            if (count.incrementAndGet() >= perGeneration || now - startNanos >= ttlNanos) {
                rotate(cur, now);
            }
            return true;
        }

        private synchronized void rotate(Set<Long> full, long now) {
            if (current == full) {
                previous = full;
                current = ConcurrentHashMap.newKeySet(perGeneration);
                count.set(0);
                startNanos = now;
            }
        }

        @Override
        public boolean contains(long id) {
            return current.contains(id) || previous.contains(id);
        }

        @Override
        public long size() {
            return (long) current.size() + previous.size();
        }

        @Override
        public void expire() {
            long now = clock.getAsLong();
            if (now - startNanos >= ttlNanos) {
                rotate(current, now);
            }
        }
    }

    /** A Caffeine cache bounded by size (W-TinyLFU eviction) with expire-after-write. */
    static final class CaffeineSeenCache implements SeenCache {
        private final Cache<Long, Boolean> cache;

        CaffeineSeenCache(int maxEntries, Duration ttl, LongSupplier clock) {
            this.cache = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl)
                    .ticker(clock::getAsLong).build();
        }

        @Override
        public boolean markSeen(long id) {
            return cache.asMap().putIfAbsent(id, Boolean.TRUE) == null;
        }

        @Override
        public boolean contains(long id) {
            return cache.getIfPresent(id) != null;
        }

        @Override
        public long size() {
            return cache.estimatedSize();
        }

        @Override
        public void expire() {
            cache.cleanUp();
        }
    }
}
