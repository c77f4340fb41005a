package io.reactivep2p.mempool;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A {@link Ranking} in sorted blocks: a two-level B+tree whose leaves hold up to
 * {@value #MAX_LEAF} entries with their keys (fee rate, sequence) in parallel {@code long}
 * arrays, best first, and whose root is the array of each leaf's last (worst) key.
 *
 * <p>Why not a {@code TreeSet}: at 100,000 entries a red-black tree is 17 levels, and each
 * level costs two dependent cache misses (the tree node, then the entry the comparator
 * reads); an add with eviction took about 3 µs on the benchmark machine, mostly waiting on
 * memory. Here a lookup is a binary search over the root's arrays (about 13 KiB at 100,000
 * entries, hot in cache), then one over a leaf's keys (1 KiB each) without touching the
 * entries; the worst entry is the last of the last leaf, so evicting it is O(1). See
 * {@code MempoolBenchmark} in bench/RESULTS.md for the measurements.
 *
 * <p>Costs: add and remove are O(log n + {@value #MAX_LEAF}) (a binary search, then an
 * array shift within one leaf); a leaf that fills up splits in two; a removal that leaves two
 * neighbours with at most {@value #MAX_LEAF}/2 entries between them merges them, so there
 * are at most about n / 32 leaves; adding or dropping a leaf shifts the root's arrays (one
 * in 64 adds or so). Memory: 24 bytes per entry in the leaves, leaves at least a quarter
 * full on average. Not thread-safe.
 */
final class BlockRanking<E extends Ranking.Ranked> implements Ranking<E> {

    static final int MAX_LEAF = 128;

    private static final class Leaf {
        final long[] fee = new long[MAX_LEAF];
        final long[] seq = new long[MAX_LEAF];
        final Object[] items = new Object[MAX_LEAF];
        int size;
    }

    private Leaf[] leaves = new Leaf[8];
    /** The last (worst) key of each leaf. */
    private long[] lastFee = new long[8];
    private long[] lastSeq = new long[8];
    private int leafCount;
    private int size;

    /** Negative if (fa, sa) ranks before (is better than) (fb, sb). */
    private static int compare(long fa, long sa, long fb, long sb) {
        int c = Long.compareUnsigned(fb, fa);
        return c != 0 ? c : Long.compare(sa, sb);
    }

    /** The first leaf whose last key does not rank before the key; the last leaf if every one does. */
    private int leafFor(long fee, long seq) {
        int lo = 0;
        int hi = leafCount - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(lastFee[mid], lastSeq[mid], fee, seq) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The first position in {@code leaf} whose key does not rank before the key. */
    private static int positionIn(Leaf leaf, long fee, long seq) {
        int lo = 0;
        int hi = leaf.size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(leaf.fee[mid], leaf.seq[mid], fee, seq) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public void add(E e) {
        long fee = e.feeRate();
        long seq = e.sequence();
        if (leafCount == 0) {
            insertLeaf(0, new Leaf());
        }
        int i = leafFor(fee, seq);
        Leaf leaf = leaves[i];
        if (leaf.size == MAX_LEAF) {
            split(i);
            if (compare(lastFee[i], lastSeq[i], fee, seq) < 0) {
                i++;
            }
            leaf = leaves[i];
        }
        int p = positionIn(leaf, fee, seq);
        int tail = leaf.size - p;
        System.arraycopy(leaf.fee, p, leaf.fee, p + 1, tail);
        System.arraycopy(leaf.seq, p, leaf.seq, p + 1, tail);
        System.arraycopy(leaf.items, p, leaf.items, p + 1, tail);
        leaf.fee[p] = fee;
        leaf.seq[p] = seq;
        leaf.items[p] = e;
        leaf.size++;
        if (p == leaf.size - 1) {
            lastFee[i] = fee;
            lastSeq[i] = seq;
        }
        size++;
    }

    /** Moves the upper half of leaf {@code i} to a new leaf after it. */
    private void split(int i) {
        Leaf left = leaves[i];
        Leaf right = new Leaf();
        int keep = MAX_LEAF / 2;
        int move = left.size - keep;
        System.arraycopy(left.fee, keep, right.fee, 0, move);
        System.arraycopy(left.seq, keep, right.seq, 0, move);
        System.arraycopy(left.items, keep, right.items, 0, move);
        Arrays.fill(left.items, keep, left.size, null);
        right.size = move;
        left.size = keep;
        insertLeaf(i + 1, right);
        refreshLast(i);
        refreshLast(i + 1);
    }

    @Override
    public boolean remove(E e) {
        if (leafCount == 0) {
            return false;
        }
        long fee = e.feeRate();
        long seq = e.sequence();
        int i = leafFor(fee, seq);
        Leaf leaf = leaves[i];
        int p = positionIn(leaf, fee, seq);
        if (p == leaf.size || leaf.items[p] != e) {
            return false;
        }
        removeAt(i, p);
        return true;
    }

    private void removeAt(int i, int p) {
        Leaf leaf = leaves[i];
        int tail = leaf.size - p - 1;
        System.arraycopy(leaf.fee, p + 1, leaf.fee, p, tail);
        System.arraycopy(leaf.seq, p + 1, leaf.seq, p, tail);
        System.arraycopy(leaf.items, p + 1, leaf.items, p, tail);
        leaf.items[--leaf.size] = null;
        size--;
        if (leaf.size == 0) {
            removeLeaf(i);
            return;
        }
        refreshLast(i);
        // Merge with a neighbour when the two fit in half a leaf: leaves stay at least a quarter full.
        if (i + 1 < leafCount && leaf.size + leaves[i + 1].size <= MAX_LEAF / 2) {
            merge(i);
        } else if (i > 0 && leaf.size + leaves[i - 1].size <= MAX_LEAF / 2) {
            merge(i - 1);
        }
    }

    /** Appends leaf {@code i + 1} to leaf {@code i} and drops it. */
    private void merge(int i) {
        Leaf left = leaves[i];
        Leaf right = leaves[i + 1];
        System.arraycopy(right.fee, 0, left.fee, left.size, right.size);
        System.arraycopy(right.seq, 0, left.seq, left.size, right.size);
        System.arraycopy(right.items, 0, left.items, left.size, right.size);
        left.size += right.size;
        removeLeaf(i + 1);
        refreshLast(i);
    }

    private void refreshLast(int i) {
        Leaf leaf = leaves[i];
        lastFee[i] = leaf.fee[leaf.size - 1];
        lastSeq[i] = leaf.seq[leaf.size - 1];
    }

    private void insertLeaf(int i, Leaf leaf) {
        if (leafCount == leaves.length) {
            int n = leafCount * 2;
            leaves = Arrays.copyOf(leaves, n);
            lastFee = Arrays.copyOf(lastFee, n);
            lastSeq = Arrays.copyOf(lastSeq, n);
        }
        int tail = leafCount - i;
        System.arraycopy(leaves, i, leaves, i + 1, tail);
        System.arraycopy(lastFee, i, lastFee, i + 1, tail);
        System.arraycopy(lastSeq, i, lastSeq, i + 1, tail);
        leaves[i] = leaf;
        leafCount++;
    }

    private void removeLeaf(int i) {
        int tail = leafCount - i - 1;
        System.arraycopy(leaves, i + 1, leaves, i, tail);
        System.arraycopy(lastFee, i + 1, lastFee, i, tail);
        System.arraycopy(lastSeq, i + 1, lastSeq, i, tail);
        leaves[--leafCount] = null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E worst() {
        if (leafCount == 0) {
            return null;
        }
        Leaf last = leaves[leafCount - 1];
        return (E) last.items[last.size - 1];
    }

    @Override
    public Iterator<E> fromBest() {
        return new Iterator<>() {
            int leaf;
            int pos;

            @Override
            public boolean hasNext() {
                return leaf < leafCount;
            }

            @Override
            @SuppressWarnings("unchecked")
            public E next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Leaf l = leaves[leaf];
                E e = (E) l.items[pos++];
                if (pos == l.size) {
                    leaf++;
                    pos = 0;
                }
                return e;
            }
        };
    }

    @Override
    public Iterator<E> fromWorst() {
        return new Iterator<>() {
            int leaf = leafCount - 1;
            int pos = leafCount == 0 ? -1 : leaves[leafCount - 1].size - 1;

            @Override
            public boolean hasNext() {
                return leaf >= 0;
            }

            @Override
            @SuppressWarnings("unchecked")
            public E next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                E e = (E) leaves[leaf].items[pos--];
                if (pos < 0 && --leaf >= 0) {
                    pos = leaves[leaf].size - 1;
                }
                return e;
            }
        };
    }

    @Override
    public int size() {
        return size;
    }

    /** Checks the order, the root keys and the fill; for tests. */
    void checkStructure() {
        int n = 0;
        long prevFee = 0;
        long prevSeq = 0;
        boolean first = true;
        for (int i = 0; i < leafCount; i++) {
            Leaf leaf = leaves[i];
            if (leaf.size == 0) {
                throw new IllegalStateException("empty leaf " + i);
            }
            if (i + 1 < leafCount && leaf.size + leaves[i + 1].size <= MAX_LEAF / 2) {
                throw new IllegalStateException("leaves " + i + " and " + (i + 1) + " should have merged");
            }
            for (int p = 0; p < leaf.size; p++) {
                Ranked r = (Ranked) leaf.items[p];
                if (r.feeRate() != leaf.fee[p] || r.sequence() != leaf.seq[p]) {
                    throw new IllegalStateException("a key does not match its entry");
                }
                if (!first && compare(prevFee, prevSeq, leaf.fee[p], leaf.seq[p]) >= 0) {
                    throw new IllegalStateException("out of order at leaf " + i + ", position " + p);
                }
                first = false;
                prevFee = leaf.fee[p];
                prevSeq = leaf.seq[p];
            }
            if (lastFee[i] != leaf.fee[leaf.size - 1] || lastSeq[i] != leaf.seq[leaf.size - 1]) {
                throw new IllegalStateException("stale last key of leaf " + i);
            }
            n += leaf.size;
        }
        if (n != size) {
            throw new IllegalStateException("size " + size + ", leaves hold " + n);
        }
    }
}
