package io.reactivep2p.mempool;

import java.util.Comparator;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * The order of a pool's entries: by fee rate (unsigned), higher first, then by arrival,
 * earlier first. Not thread-safe: the pool's lock guards it.
 *
 * @param <E> the entries, which carry their fee rate and a unique arrival sequence number
 */
interface Ranking<E extends Ranking.Ranked> {

    /** What an entry is ranked by; both values must not change while it is ranked. */
    interface Ranked {
        long feeRate();

        /** Unique per entry, increasing with arrival. */
        long sequence();
    }

    /** Best first: higher fee rate, then lower sequence (earlier arrival). */
    Comparator<Ranked> BEST_FIRST = (a, b) -> {
        int c = Long.compareUnsigned(b.feeRate(), a.feeRate());
        return c != 0 ? c : Long.compare(a.sequence(), b.sequence());
    };

    void add(E e);

    /** Removes {@code e} (this very entry); whether it was ranked. */
    boolean remove(E e);

    /** The worst entry, or {@code null} when empty. */
    E worst();

    /** From the best to the worst. */
    Iterator<E> fromBest();

    /** From the worst to the best. */
    Iterator<E> fromWorst();

    int size();

    /** The library's ranking: {@link BlockRanking}. */
    static <E extends Ranked> Ranking<E> blocks() {
        return new BlockRanking<>();
    }

    /** A {@link TreeSet} (red-black tree): the simple design {@code MempoolBenchmark} measures it against. */
    static <E extends Ranked> Ranking<E> tree() {
        TreeSet<E> set = new TreeSet<>(BEST_FIRST);
        return new Ranking<>() {
            @Override
            public void add(E e) {
                set.add(e);
            }

            @Override
            public boolean remove(E e) {
                return set.remove(e);
            }

            @Override
            public E worst() {
                return set.isEmpty() ? null : set.last();
            }

            @Override
            public Iterator<E> fromBest() {
                return set.iterator();
            }

            @Override
            public Iterator<E> fromWorst() {
                return set.descendingIterator();
            }

            @Override
            public int size() {
                return set.size();
            }
        };
    }
}
