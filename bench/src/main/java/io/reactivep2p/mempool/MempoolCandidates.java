package io.reactivep2p.mempool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The pool designs {@code MempoolBenchmark} compares, behind one small interface. */
final class MempoolCandidates {

    private MempoolCandidates() {
    }

    /** What the benchmark calls. */
    interface Candidate<T extends PoolTransaction> {
        AddResult add(T tx);

        List<T> top(int n);

        int removeIncluded(Collection<TxId> ids);

        int size();

        /** How many adds returned {@code result}. */
        long count(AddResult result);
    }

    static <T extends PoolTransaction> Candidate<T> create(String impl, MempoolConfig config) {
        return switch (impl) {
            case "locked" -> new Locked<>(config, false);
            case "locked-tree" -> new Locked<>(config, true);
            case "skiplist" -> new SkipList<>(config);
            default -> throw new IllegalArgumentException(impl);
        };
    }

    /**
     * The library's {@link Mempool}: one lock around the indexes, ranking in sorted blocks
     * ({@link BlockRanking}) or, with {@code tree}, in a {@code TreeSet}.
     */
    static final class Locked<T extends PoolTransaction> implements Candidate<T> {
        private final Mempool<T> pool;

        Locked(MempoolConfig config, boolean tree) {
            this.pool = new Mempool<>(config, com.github.benmanes.caffeine.cache.Ticker.systemTicker(), tree);
        }

        @Override
        public AddResult add(T tx) {
            return pool.add(tx);
        }

        @Override
        public List<T> top(int n) {
            return pool.top(n);
        }

        @Override
        public int removeIncluded(Collection<TxId> ids) {
            return pool.removeIncluded(ids);
        }

        @Override
        public int size() {
            return pool.size();
        }

        @Override
        public long count(AddResult result) {
            return pool.count(result);
        }
    }

    /**
     * No lock: a {@link ConcurrentSkipListSet} ranked as the library ranks, concurrent maps by
     * id, by (sender, nonce) and of per-sender counts, and atomic counters of entries and
     * bytes. An add inserts first and then polls the cheapest while over a limit; if what it
     * polls is itself, it was not worth its place (UNDERPRICED). Same rules as the library's,
     * except that the limits may be overshot for a moment between an insert and its
     * evictions, and a reader may see a transaction in one index and not yet in another:
     * the price of having no lock. No ttl and no events (they would only add cost).
     */
    static final class SkipList<T extends PoolTransaction> implements Candidate<T> {

        private static final Comparator<Entry<?>> WORST_FIRST = (a, b) -> {
            int c = Long.compareUnsigned(a.feeRate, b.feeRate);
            return c != 0 ? c : Long.compare(b.sequence, a.sequence);
        };

        private record SenderNonce(Object sender, long nonce) {
        }

        private static final class Entry<T> {
            final T tx;
            final TxId id;
            final SenderNonce key;
            final long feeRate;
            final int size;
            final long sequence;

            Entry(T tx, TxId id, SenderNonce key, long feeRate, int size, long sequence) {
                this.tx = tx;
                this.id = id;
                this.key = key;
                this.feeRate = feeRate;
                this.size = size;
                this.sequence = sequence;
            }
        }

        private final MempoolConfig config;
        private final ConcurrentSkipListSet<Entry<T>> ranked = new ConcurrentSkipListSet<>(WORST_FIRST);
        private final ConcurrentHashMap<TxId, Entry<T>> byId = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<SenderNonce, Entry<T>> bySenderNonce = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<Object, Integer> perSender = new ConcurrentHashMap<>();
        private final AtomicLong sequence = new AtomicLong();
        private final AtomicInteger count = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private final LongAdder[] results = new LongAdder[AddResult.values().length];

        SkipList(MempoolConfig config) {
            this.config = config;
            for (int i = 0; i < results.length; i++) {
                results[i] = new LongAdder();
            }
        }

        @Override
        public AddResult add(T tx) {
            AddResult r = admit(tx);
            results[r.ordinal()].increment();
            return r;
        }

        private AddResult admit(T tx) {
            if (tx.size() > config.maxTransactionSize()) {
                return AddResult.OVERSIZE;
            }
            if (Long.compareUnsigned(tx.feeRate(), config.minFeeRate()) < 0) {
                return AddResult.BELOW_MIN_FEE;
            }
            SenderNonce key = new SenderNonce(tx.sender(), tx.nonce());
            Entry<T> e = new Entry<>(tx, tx.id(), key, tx.feeRate(), tx.size(), sequence.incrementAndGet());
            if (byId.putIfAbsent(e.id, e) != null) {
                return AddResult.DUPLICATE;
            }
            Entry<T> previous = bySenderNonce.get(key);
            AddResult result;
            if (previous != null) {
                long required = previous.feeRate + Math.max(1, previous.feeRate * config.replacementBumpPercent() / 100);
                if (Long.compareUnsigned(e.feeRate, required) < 0 || !bySenderNonce.replace(key, previous, e)) {
                    byId.remove(e.id, e);
                    return AddResult.REPLACEMENT_UNDERPRICED;
                }
                if (ranked.remove(previous)) {
                    byId.remove(previous.id, previous);
                    count.decrementAndGet();
                    bytes.addAndGet(-previous.size);
                }
                result = AddResult.REPLACED;
            } else {
                boolean[] taken = {false};
                perSender.compute(tx.sender(), (s, n) -> {
                    int have = n == null ? 0 : n;
                    if (have >= config.maxPerSender()) {
                        return n;
                    }
                    taken[0] = true;
                    return have + 1;
                });
                if (!taken[0]) {
                    byId.remove(e.id, e);
                    return AddResult.SENDER_LIMIT;
                }
                if (bySenderNonce.putIfAbsent(key, e) != null) { // another thread won this (sender, nonce)
                    releaseSlot(tx.sender());
                    byId.remove(e.id, e);
                    return AddResult.REPLACEMENT_UNDERPRICED;
                }
                result = AddResult.ADDED;
            }
            ranked.add(e);
            count.incrementAndGet();
            bytes.addAndGet(e.size);
            while (count.get() > config.maxTransactions() || bytes.get() > config.maxBytes()) {
                Entry<T> worst = ranked.pollFirst();
                if (worst == null) {
                    break;
                }
                drop(worst);
                if (worst == e) {
                    return AddResult.UNDERPRICED;
                }
            }
            return result;
        }

        /** Takes an entry already out of the ranking out of the other indexes. */
        private void drop(Entry<T> e) {
            byId.remove(e.id, e);
            if (bySenderNonce.remove(e.key, e)) {
                releaseSlot(e.key.sender());
            }
            count.decrementAndGet();
            bytes.addAndGet(-e.size);
        }

        private void releaseSlot(Object sender) {
            perSender.computeIfPresent(sender, (s, n) -> n <= 1 ? null : n - 1);
        }

        @Override
        public List<T> top(int n) {
            List<T> best = new ArrayList<>(n);
            Iterator<Entry<T>> it = ranked.descendingIterator();
            while (best.size() < n && it.hasNext()) {
                best.add(it.next().tx);
            }
            return best;
        }

        @Override
        public int removeIncluded(Collection<TxId> ids) {
            int n = 0;
            for (TxId id : ids) {
                Entry<T> e = byId.get(id);
                if (e != null && ranked.remove(e)) {
                    drop(e);
                    n++;
                }
            }
            return n;
        }

        @Override
        public int size() {
            return count.get();
        }

        @Override
        public long count(AddResult result) {
            return results[result.ordinal()].sum();
        }
    }
}
