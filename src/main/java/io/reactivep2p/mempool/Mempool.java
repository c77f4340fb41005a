package io.reactivep2p.mempool;

import com.github.benmanes.caffeine.cache.Ticker;
import io.reactivep2p.runtime.NodeRuntime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * The transactions a node has heard of and accepted, ranked by fee rate, bounded in count
 * and bytes. When full, a better-paying transaction evicts the cheapest; one that pays no
 * more than what it would evict is refused.
 *
 * <pre>{@code
 * Mempool<Transaction> pool = node.mempool();
 * pool.events().subscribe(e -> log.info("{} {}", e.kind(), e.transaction().id()));
 * AddResult r = pool.add(tx);                 // ADDED, REPLACED, or why not
 * List<Transaction> best = pool.top(100);     // best first: for the next block
 * pool.removeIncluded(blockTxIds);            // they made it into a block
 * }</pre>
 *
 * <p><b>Rules.</b> {@link #add} refuses, with a typed {@link AddResult}: a transaction larger
 * than {@link MempoolConfig#maxTransactionSize()}, paying less than
 * {@link MempoolConfig#minFeeRate()}, already pooled, from a sender that has
 * {@link MempoolConfig#maxPerSender()} transactions, or that does not pay more than every
 * transaction it would evict from a full pool. A transaction with the (sender, nonce) of a
 * pooled one replaces it if it pays at least {@link MempoolConfig#replacementBumpPercent()} %
 * (and at least 1) more. Transactions leave after {@link MempoolConfig#ttl()}, measured with
 * the injected {@link Ticker}: expiry runs on every change and read of the ranking, and on
 * {@link #expire()}.
 *
 * <p><b>Design.</b> One lock guards four indexes of the same entries: the ranking by fee rate,
 * then arrival ({@link BlockRanking}, a two-level B+tree of sorted blocks), an index by id
 * ({@link IdIndex}, open addressing), a hash map of senders each with its transaction (its
 * transactions by nonce from the second on), and a queue in arrival order. Adding, evicting
 * the cheapest, replacing and removing cost a binary search and a shift within one block of
 * at most 128 (O(log n) comparisons); {@code top(k)} is O(k); expiry is O(1) per expired
 * entry (the queue's head is the oldest). The overhead is about 130 bytes per entry (the
 * built-in {@link Transaction} takes another 160 besides its encoding). {@code MempoolBenchmark}
 * (bench/RESULTS.md) measured this design against a lock around a {@code TreeSet} and a
 * lock-free {@code ConcurrentSkipListSet} with concurrent maps; the indexes must agree with
 * each other and with the count and byte limits after every change, which a lock gives for
 * free.
 *
 * <p><b>Threading.</b> Every method is thread-safe; changes are serialized by the lock, reads
 * of {@link #size()} and {@link #bytes()} take no lock. {@link #events()} subscribers are
 * called in the order of the changes, one at a time, by a thread that made a change, after it
 * released the lock: they may call back into the pool, and must not block.
 *
 * @param <T> the transaction type
 */
public final class Mempool<T extends PoolTransaction> {

    private static final AddResult[] RESULTS = AddResult.values();
    /** Departed entries the arrival queue may hold before it is compacted (see {@link #arrivals}). */
    private static final int COMPACT_AT = 1024;

    private final MempoolConfig config;
    private final Ticker ticker;
    private final long ttlNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Ranking<Entry<T>> ranked;
    /**
     * By id. Its hash key only places entries in memory, which nothing a caller sees depends
     * on, so it comes from the system's {@code SecureRandom} even when the node's runtime is
     * seeded.
     */
    private final IdIndex<Entry<T>> byId = new IdIndex<>(e -> e.id, NodeRuntime.system().secureRandom().nextLong());
    /**
     * The pooled entries of each sender: the entry itself while the sender has one, a map by
     * nonce ({@code HashMap<Long, Entry<T>>}) while it has two or more. Most senders have one:
     * a map of one, with its table, node and boxed nonce, and an object per sender came to
     * some 130 of the ~700 bytes a pooled transaction took in a 1,000-node simulation.
     */
    private final HashMap<Object, Object> bySender = new HashMap<>();
    /**
     * Entries in arrival order, for expiry. An entry that leaves stays here, marked, until it
     * reaches the head or the queue is compacted (when over half of it, and over 1,024, has
     * left): leaving then writes only the entry itself, never its neighbours, which are
     * anywhere in memory.
     */
    private final ArrayDeque<Entry<T>> arrivals = new ArrayDeque<>();
    private int departed;
    private long sequence;
    private volatile int count;
    private volatile long bytes;

    private final LongAdder[] results = new LongAdder[RESULTS.length];
    private final LongAdder evicted = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder removed = new LongAdder();
    private final LongAdder droppedEvents = new LongAdder();

    /** Events made under the lock, in its order, emitted by {@link #drain()} after it. */
    private final Queue<MempoolEvent<T>> pending = Queues.<MempoolEvent<T>>unboundedMultiproducer().get();
    private final AtomicInteger drainWip = new AtomicInteger();
    private final Sinks.Many<MempoolEvent<T>> sink = Sinks.many().multicast().directBestEffort();
    private volatile boolean closed;
    private boolean completed; // read and written by the draining thread only

    /** One pooled transaction, with what the indexes need read once. */
    private static final class Entry<T> implements Ranking.Ranked {
        final T tx;
        final TxId id;
        final Object sender;
        final long nonce;
        final long feeRate;
        final int size;
        final long sequence;
        final long arrivalNanos;
        boolean pooled = true;

        Entry(T tx, TxId id, Object sender, long nonce, long feeRate, int size, long sequence, long arrivalNanos) {
            this.tx = tx;
            this.id = id;
            this.sender = sender;
            this.nonce = nonce;
            this.feeRate = feeRate;
            this.size = size;
            this.sequence = sequence;
            this.arrivalNanos = arrivalNanos;
        }

        @Override
        public long feeRate() {
            return feeRate;
        }

        @Override
        public long sequence() {
            return sequence;
        }
    }

    /** A pool on the {@link NodeRuntime#system() system} ticker. */
    public Mempool(MempoolConfig config) {
        this(config, NodeRuntime.system().ticker()::nanoTime);
    }

    /**
     * A pool whose ttl is measured with {@code ticker} (nanoseconds): a node passes its
     * runtime's, a test a fake one.
     */
    public Mempool(MempoolConfig config, Ticker ticker) {
        this(config, ticker, false);
    }

    /** With {@code treeRanking}, ranks in a {@code TreeSet} instead: for {@code MempoolBenchmark}. */
    Mempool(MempoolConfig config, Ticker ticker, boolean treeRanking) {
        this.ranked = treeRanking ? Ranking.tree() : Ranking.blocks();
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.ttlNanos = config.ttl().toNanos();
        for (int i = 0; i < results.length; i++) {
            results[i] = new LongAdder();
        }
    }

    /** The limits. */
    public MempoolConfig config() {
        return config;
    }

    /**
     * Offers a transaction; see the class comment for the rules. Evicts what it must, and
     * emits the events, before returning.
     *
     * @return {@link AddResult#ADDED} or {@link AddResult#REPLACED} if pooled, else the reason not
     */
    public AddResult add(T tx) {
        Objects.requireNonNull(tx, "tx");
        AddResult result = admit(tx);
        results[result.ordinal()].increment();
        drainIfPending();
        return result;
    }

    private AddResult admit(T tx) {
        int size = tx.size();
        long feeRate = tx.feeRate();
        if (size > config.maxTransactionSize()) {
            return AddResult.OVERSIZE;
        }
        if (Long.compareUnsigned(feeRate, config.minFeeRate()) < 0) {
            return AddResult.BELOW_MIN_FEE;
        }
        TxId id = Objects.requireNonNull(tx.id(), "id");
        Object sender = Objects.requireNonNull(tx.sender(), "sender");
        long nonce = tx.nonce();
        lock.lock();
        try {
            long now = ticker.read();
            expireLocked(now);
            if (byId.get(id) != null) {
                return AddResult.DUPLICATE;
            }
            Object held = bySender.get(sender);
            Entry<T> previous = entryOf(held, nonce);
            if (previous != null) {
                if (!paysBump(feeRate, previous.feeRate)) {
                    return AddResult.REPLACEMENT_UNDERPRICED;
                }
            } else if (countOf(held) >= config.maxPerSender()) {
                return AddResult.SENDER_LIMIT;
            }
            if (!makeRoom(size, feeRate, previous)) {
                return AddResult.UNDERPRICED;
            }
            if (previous != null) {
                unlink(previous);
            }
            Entry<T> entry = new Entry<>(tx, id, sender, nonce, feeRate, size, ++sequence, now);
            link(entry);
            if (previous == null) {
                event(MempoolEvent.Kind.ADDED, tx, null);
                return AddResult.ADDED;
            }
            event(MempoolEvent.Kind.REPLACED, tx, previous.tx);
            return AddResult.REPLACED;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code offered} is at least the bump (and at least 1) above {@code pooled}, unsigned. */
    private boolean paysBump(long offered, long pooled) {
        // pooled / 100 * percent + ceil(pooled % 100 * percent / 100) cannot overflow for percent <= 100
        long percent = config.replacementBumpPercent();
        long bump = Long.divideUnsigned(pooled, 100) * percent
                + (Long.remainderUnsigned(pooled, 100) * percent + 99) / 100;
        long required = pooled + Math.max(1, bump);
        if (Long.compareUnsigned(required, pooled) < 0) {
            return false; // the required fee rate is above 2^64 - 1
        }
        return Long.compareUnsigned(offered, required) >= 0;
    }

    /**
     * Evicts the cheapest entries until one of {@code size} bytes fits (counting
     * {@code previous}, which it replaces, as free), if every one of them pays strictly less
     * than {@code feeRate}; otherwise evicts nothing.
     */
    private boolean makeRoom(int size, long feeRate, Entry<T> previous) {
        long excessCount = count + 1L - (previous == null ? 0 : 1) - config.maxTransactions();
        long excessBytes = bytes + size - (previous == null ? 0 : previous.size) - config.maxBytes();
        if (excessCount <= 0 && excessBytes <= 0) {
            return true;
        }
        Entry<T> worst = ranked.worst();
        if (worst != null && worst != previous && excessCount <= 1 && excessBytes <= worst.size) { // the usual case: one out, one in
            if (Long.compareUnsigned(worst.feeRate, feeRate) >= 0) {
                return false;
            }
            evict(worst);
            return true;
        }
        Entry<T> first = null;
        List<Entry<T>> more = null; // rare: several small entries make room for a big one
        for (Iterator<Entry<T>> it = ranked.fromWorst(); it.hasNext(); ) {
            Entry<T> e = it.next();
            if (e == previous) {
                continue;
            }
            if (Long.compareUnsigned(e.feeRate, feeRate) >= 0) {
                return false;
            }
            if (first == null) {
                first = e;
            } else {
                if (more == null) {
                    more = new ArrayList<>();
                }
                more.add(e);
            }
            excessCount--;
            excessBytes -= e.size;
            if (excessCount <= 0 && excessBytes <= 0) {
                break;
            }
        }
        if (excessCount > 0 || excessBytes > 0) {
            return false; // cannot happen while maxBytes >= maxTransactionSize; refuse rather than overfill
        }
        evict(first);
        if (more != null) {
            more.forEach(this::evict);
        }
        return true;
    }

    private void evict(Entry<T> e) {
        unlink(e);
        evicted.increment();
        event(MempoolEvent.Kind.EVICTED, e.tx, null);
    }

    private void link(Entry<T> e) {
        ranked.add(e);
        byId.add(e);
        linkSender(e);
        arrivals.addLast(e);
        count = count + 1;
        bytes = bytes + e.size;
    }

    private void unlink(Entry<T> e) {
        ranked.remove(e);
        byId.remove(e);
        unlinkSender(e);
        e.pooled = false;
        if (++departed > COMPACT_AT && departed > arrivals.size() / 2) {
            arrivals.removeIf(x -> !x.pooled); // O(n), once per n/2 departures at least
            departed = 0;
        }
        count = count - 1;
        bytes = bytes - e.size;
    }

    /** The entry of {@code nonce} in what {@link #bySender} holds for a sender, or null. */
    @SuppressWarnings("unchecked")
    private static <T> Entry<T> entryOf(Object held, long nonce) {
        if (held instanceof Entry<?> only) {
            return only.nonce == nonce ? (Entry<T>) only : null;
        }
        return held == null ? null : ((HashMap<Long, Entry<T>>) held).get(nonce);
    }

    /** How many entries what {@link #bySender} holds for a sender has. */
    private static int countOf(Object held) {
        return held == null ? 0 : held instanceof Entry<?> ? 1 : ((HashMap<?, ?>) held).size();
    }

    /** Files {@code e} under its sender; no entry of its nonce is pooled (a replaced one is unlinked first). */
    @SuppressWarnings("unchecked")
    private void linkSender(Entry<T> e) {
        Object held = bySender.putIfAbsent(e.sender, e);
        if (held == null) {
            return; // the sender's only one
        }
        HashMap<Long, Entry<T>> byNonce;
        if (held instanceof Entry<?> only) {
            byNonce = new HashMap<>(4);
            byNonce.put(only.nonce, (Entry<T>) only);
            bySender.put(e.sender, byNonce);
        } else {
            byNonce = (HashMap<Long, Entry<T>>) held;
        }
        byNonce.put(e.nonce, e);
    }

    @SuppressWarnings("unchecked")
    private void unlinkSender(Entry<T> e) {
        if (bySender.remove(e.sender, e)) {
            return; // it was the sender's only one
        }
        HashMap<Long, Entry<T>> byNonce = (HashMap<Long, Entry<T>>) bySender.get(e.sender);
        byNonce.remove(e.nonce);
        if (byNonce.size() == 1) {
            bySender.put(e.sender, byNonce.values().iterator().next()); // back to the entry itself
        }
    }

    private int expireLocked(long now) {
        int n = 0;
        for (Entry<T> e; (e = arrivals.peekFirst()) != null; ) {
            if (!e.pooled) {
                arrivals.pollFirst();
                departed--;
            } else if (now - e.arrivalNanos >= ttlNanos) {
                unlink(e);
                expired.increment();
                event(MempoolEvent.Kind.EXPIRED, e.tx, null);
                n++;
            } else {
                break;
            }
        }
        return n;
    }

    /**
     * Removes the transactions pooled for longer than the ttl now. The pool also does this on
     * every {@link #add}, {@link #top} and {@link #removeIncluded}; a node calls it on a timer
     * so that an idle pool empties too.
     *
     * @return how many expired
     */
    public int expire() {
        int n;
        lock.lock();
        try {
            n = expireLocked(ticker.read());
        } finally {
            lock.unlock();
        }
        drainIfPending();
        return n;
    }

    /**
     * Removes the transactions with these ids, which made it into a block (unknown ids are
     * skipped). Each emits {@link MempoolEvent.Kind#REMOVED}.
     *
     * @return how many were pooled and removed
     */
    public int removeIncluded(Collection<TxId> ids) {
        Objects.requireNonNull(ids, "ids");
        int n = 0;
        lock.lock();
        try {
            expireLocked(ticker.read());
            for (TxId id : ids) {
                Entry<T> e = byId.get(id);
                if (e != null) {
                    unlink(e);
                    removed.increment();
                    event(MempoolEvent.Kind.REMOVED, e.tx, null);
                    n++;
                }
            }
        } finally {
            lock.unlock();
        }
        drainIfPending();
        return n;
    }

    /**
     * The {@code n} best-paying transactions, best first (ties: the earlier arrival first), or
     * all if fewer are pooled. A snapshot: later changes do not show in it.
     */
    public List<T> top(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        List<T> best;
        lock.lock();
        try {
            expireLocked(ticker.read());
            best = new ArrayList<>(Math.min(n, count));
            Iterator<Entry<T>> it = ranked.fromBest();
            while (best.size() < n && it.hasNext()) {
                best.add(it.next().tx);
            }
        } finally {
            lock.unlock();
        }
        drainIfPending();
        return best;
    }

    /** The pooled transaction with this id, if any. */
    public Optional<T> get(TxId id) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            Entry<T> e = byId.get(id);
            return e == null ? Optional.empty() : Optional.of(e.tx);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a transaction with this id is pooled. */
    public boolean contains(TxId id) {
        return get(id).isPresent();
    }

    /** How many transactions are pooled. No lock. */
    public int size() {
        return count;
    }

    /** The bytes pooled, the sum of {@link PoolTransaction#size()}. No lock. */
    public long bytes() {
        return bytes;
    }

    /** How many {@link #add} calls returned {@code result}. */
    public long count(AddResult result) {
        return results[Objects.requireNonNull(result, "result").ordinal()].sum();
    }

    /** Transactions evicted for better-paying ones. */
    public long evicted() {
        return evicted.sum();
    }

    /** Transactions expired. */
    public long expired() {
        return expired.sum();
    }

    /** Transactions removed by {@link #removeIncluded}. */
    public long removed() {
        return removed.sum();
    }

    /** Events dropped for subscribers that did not keep up. */
    public long droppedEvents() {
        return droppedEvents.sum();
    }

    /**
     * The changes of the pool, hot: each subscriber sees the changes made after it subscribed,
     * in order. A subscriber that does not keep up has a buffer of
     * {@link MempoolConfig#eventBufferSize()} events and loses the newest beyond it (counted in
     * {@link #droppedEvents()}); it never slows the pool. Completes on {@link #close()}.
     * Emitting costs nothing while nobody subscribes.
     */
    public Flux<MempoolEvent<T>> events() {
        return sink.asFlux().onBackpressureBuffer(config.eventBufferSize(), dropped -> droppedEvents.increment(),
                BufferOverflowStrategy.DROP_LATEST);
    }

    /**
     * Completes {@link #events()}. The pool stays usable (a stopped node's pool can still be
     * read); later changes emit no events.
     */
    public void close() {
        closed = true;
        drain();
    }

    /** Called with the lock held, so that the queue's order is the order of the changes. */
    private void event(MempoolEvent.Kind kind, T tx, T replaced) {
        if (!closed && sink.currentSubscriberCount() > 0) {
            pending.offer(new MempoolEvent<>(kind, tx, replaced));
        }
    }

    private void drainIfPending() {
        if (!pending.isEmpty()) {
            drain();
        }
    }

    /** Emits the pending events from one thread at a time, outside the lock (a serialized drain loop). */
    private void drain() {
        if (drainWip.getAndIncrement() != 0) {
            return; // the thread draining now will see what was queued
        }
        int missed = 1;
        for (;;) {
            MempoolEvent<T> e;
            while ((e = pending.poll()) != null) {
                sink.tryEmitNext(e);
            }
            if (closed && !completed) {
                completed = true;
                sink.tryEmitComplete();
            }
            missed = drainWip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /**
     * Checks that the indexes agree with each other, the counters and the limits; for tests.
     *
     * @throws IllegalStateException describing the first disagreement
     */
    @SuppressWarnings("unchecked")
    void checkInvariants() {
        lock.lock();
        try {
            byId.checkStructure();
            int n = byId.size();
            require(ranked.size() == n, "ranked has " + ranked.size() + " entries, byId " + n);
            require(count == n, "count is " + count + ", byId has " + n);
            require(n <= config.maxTransactions(), n + " entries above maxTransactions");
            int senders = 0;
            for (Map.Entry<Object, Object> account : bySender.entrySet()) {
                Object held = account.getValue();
                Collection<Entry<T>> nonces = held instanceof Entry<?> only
                        ? List.of((Entry<T>) only) : ((HashMap<Long, Entry<T>>) held).values();
                require(nonces.size() >= 1 && (held instanceof Entry<?> || nonces.size() >= 2),
                        "a sender map of " + nonces.size() + " entries is kept");
                require(nonces.size() <= config.maxPerSender(), "a sender has " + nonces.size() + " entries");
                for (Entry<T> e : nonces) {
                    require(Mempool.<T>entryOf(held, e.nonce) == e, "a sender's entry is not the one of its nonce");
                    require(byId.get(e.id) == e, "a sender's entry is not the one by id");
                    require(e.sender.equals(account.getKey()), "an entry is filed under another sender");
                    senders++;
                }
            }
            int ranks = 0;
            Entry<T> previousRank = null;
            for (Iterator<Entry<T>> it = ranked.fromBest(); it.hasNext(); ) {
                Entry<T> e = it.next();
                require(byId.get(e.id) == e, "a ranked entry is not the one by id");
                require(previousRank == null || Ranking.BEST_FIRST.compare(previousRank, e) < 0, "the ranking is out of order");
                previousRank = e;
                ranks++;
            }
            require(ranks == n, "the ranking iterates " + ranks + " entries, byId has " + n);
            if (ranked instanceof BlockRanking<?> blocks) {
                blocks.checkStructure();
            }
            require(senders == n, "the senders hold " + senders + " entries, byId " + n);
            long sum = 0;
            int listed = 0;
            long lastSequence = Long.MIN_VALUE;
            int gone = 0;
            for (Entry<T> e : arrivals) {
                if (!e.pooled) {
                    gone++;
                    continue;
                }
                require(byId.get(e.id) == e, "a listed entry is not the one by id");
                require(e.sequence > lastSequence, "the arrival list is out of order");
                lastSequence = e.sequence;
                sum += e.size;
                listed++;
            }
            require(listed == n, "the arrival list has " + listed + " entries, byId " + n);
            require(gone == departed, "the arrival list holds " + gone + " departed entries, counted " + departed);
            require(departed <= Math.max(COMPACT_AT, n + 1), departed + " departed entries are kept for " + n);
            require(sum == bytes, "bytes is " + bytes + ", the entries sum to " + sum);
            require(bytes <= config.maxBytes(), bytes + " bytes above maxBytes");
        } finally {
            lock.unlock();
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    @Override
    public String toString() {
        return "Mempool{" + count + " transactions, " + bytes + " bytes}";
    }
}
