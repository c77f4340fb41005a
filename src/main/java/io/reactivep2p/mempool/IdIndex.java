package io.reactivep2p.mempool;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Elements by {@link TxId}: open addressing with linear probing over a power-of-two array
 * kept between one eighth and one half full, each id's first slot from a hash of its 32 bytes
 * keyed with a random 64-bit seed. Not thread-safe (the pool's lock guards it).
 *
 * <p>Why hand-written: a {@code HashMap} spends a 32-byte node per element besides its table
 * slot, about a tenth of what a pooled transaction takes besides its encoding, and a
 * simulation holds a pool per node (bench/RESULTS.md, "Pools that fit in 4 GiB"). And the key: an id is
 * a hash of bytes the transaction's author chose, so an author can grind ids whose unkeyed
 * {@code hashCode} share low bits and pile them into one bucket or probe run; without the
 * seed they cannot aim. (The mix is not a cryptographic PRF; it makes aiming a guess.)
 *
 * <p>Removal shifts the following run back (Knuth's algorithm R) rather than leaving
 * tombstones, so a lookup never probes past the end of its run however often the pool turns
 * over.
 *
 * @param <E> the element type
 */
final class IdIndex<E> {

    private static final int MIN_CAPACITY = 16;
    private static final int MAX_CAPACITY = 1 << 30;

    private final Function<? super E, TxId> idOf;
    private final ToLongFunction<TxId> hash;
    private Object[] slots = new Object[MIN_CAPACITY];
    private int size;

    /**
     * @param idOf an element's id, the same at every call
     * @param seed the key of the slot hash
     */
    IdIndex(Function<? super E, TxId> idOf, long seed) {
        this(idOf, id -> id.keyedHash(seed));
    }

    /** With another hash (its high 32 bits pick the slot): for tests that make runs collide and wrap. */
    IdIndex(Function<? super E, TxId> idOf, ToLongFunction<TxId> hash) {
        this.idOf = Objects.requireNonNull(idOf, "idOf");
        this.hash = Objects.requireNonNull(hash, "hash");
    }

    int size() {
        return size;
    }

    /** The element with this id, or null. */
    @SuppressWarnings("unchecked")
    E get(TxId id) {
        Object[] t = slots;
        int mask = t.length - 1;
        for (int i = slot(id, mask); ; i = (i + 1) & mask) {
            Object e = t[i];
            if (e == null || idOf.apply((E) e).equals(id)) {
                return (E) e;
            }
        }
    }

    /** Adds {@code e}; no element with its id may be indexed. */
    void add(E e) {
        Objects.requireNonNull(e, "e");
        if (2 * (size + 1) > slots.length) {
            if (slots.length == MAX_CAPACITY) {
                throw new IllegalStateException("an id index holds at most " + MAX_CAPACITY / 2 + " elements");
            }
            rehash(slots.length * 2);
        }
        place(slots, e);
        size++;
    }

    /** Removes {@code e} itself (by identity); whether it was indexed. */
    @SuppressWarnings("unchecked")
    boolean remove(E e) {
        Object[] t = slots;
        int mask = t.length - 1;
        int i = slot(idOf.apply(e), mask);
        for (; t[i] != e; i = (i + 1) & mask) {
            if (t[i] == null) {
                return false;
            }
        }
        // Shift back every later element of the run that may sit in the hole: one whose first
        // slot is not cyclically within (hole, its slot].
        for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
            int home = slot(idOf.apply((E) t[j]), mask);
            boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!stays) {
                t[i] = t[j];
                i = j;
            }
        }
        t[i] = null;
        size--;
        if (t.length > MIN_CAPACITY && size * 8 < t.length) {
            rehash(t.length / 2);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private void rehash(int capacity) {
        Object[] old = slots;
        Object[] t = new Object[capacity];
        for (Object e : old) {
            if (e != null) {
                place(t, (E) e);
            }
        }
        slots = t;
    }

    private void place(Object[] t, E e) {
        int mask = t.length - 1;
        int i = slot(idOf.apply(e), mask);
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = e;
    }

    private int slot(TxId id, int mask) {
        return (int) (hash.applyAsLong(id) >>> 32) & mask;
    }

    /** Checks that every element is reachable from its first slot; for tests. */
    @SuppressWarnings("unchecked")
    void checkStructure() {
        int n = 0;
        for (Object e : slots) {
            if (e != null) {
                n++;
                if (get(idOf.apply((E) e)) != e) {
                    throw new IllegalStateException("an element is not found by its id");
                }
            }
        }
        if (n != size) {
            throw new IllegalStateException("the index holds " + n + " elements, counted " + size);
        }
        if (2 * size > slots.length || (slots.length > MIN_CAPACITY && size * 8 < slots.length)) {
            throw new IllegalStateException(size + " elements in " + slots.length + " slots");
        }
    }
}
