package io.reactivep2p.mempool;

import io.reactivep2p.BenchmarkBase;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Three pool designs ({@code impl}) at 10k and 100k entries ({@code size}), at one and two
 * threads sharing one pool:
 * <ul>
 *   <li>{@code locked} — the library's {@link Mempool}: one lock around the ranking in sorted
 *       blocks ({@link BlockRanking}), hash maps by id and by sender, and an arrival list;</li>
 *   <li>{@code locked-tree} — the same pool ranking in a {@code TreeSet} (red-black tree);</li>
 *   <li>{@code skiplist} — no lock: a {@code ConcurrentSkipListSet} with concurrent maps and
 *       atomic counters ({@link MempoolCandidates.SkipList}).</li>
 * </ul>
 *
 * <p>Operations:
 * <ul>
 *   <li>{@code addWithEviction} — the steady state of a busy node: the pool is full and each
 *       add of a new transaction evicts the cheapest. Fee rates are {@code k + size + U[0, size)}
 *       for the k-th add, so a new transaction lands at a random
 *       rank and almost always pays more than the cheapest; the teardown prints the share of
 *       adds that evicted. The transaction is made in the measured loop (an allocation of a
 *       few tens of ns, the same for both designs: see {@code newTransaction}).</li>
 *   <li>{@code top100} — the 100 best of a full pool.</li>
 *   <li>{@code add1000} — 1,000 adds into a pool of {@code size} entries that has room, one
 *       single-shot batch per iteration (the iteration's setup removes the batch again, untimed);
 *       divide by 1,000 for one add.</li>
 *   <li>{@code removeIncluded1000} — one {@code removeIncluded} of 1,000 pooled ids, a single
 *       shot per iteration (the setup puts them back, untimed).</li>
 * </ul>
 * Transactions are {@link PoolTransaction}s of the benchmark's own (an id, a sender among
 * {@code size / 8}, a nonce, a fee rate, 120 bytes): the pool never looks further.
 *
 * <p>Run (about 12 minutes on 2 cores):
 * <pre>
 * java -jar bench/target/benchmarks.jar MempoolBenchmark -prof gc -rf json -rff /tmp/mempool.json
 * </pre>
 */
public class MempoolBenchmark extends BenchmarkBase {

    static final int BATCH = 1000;
    static final int TX_SIZE = 120;

    /** A transaction as the pool sees it. */
    record BenchTx(TxId id, Integer sender, long nonce, long feeRate, int size) implements PoolTransaction {
    }

    /** A pool of one design, shared by the benchmark threads, and what it was filled with. */
    public abstract static class Pool {
        @Param({"locked", "locked-tree", "skiplist"})
        public String impl;

        @Param({"10000", "100000"})
        public int size;

        MempoolCandidates.Candidate<BenchTx> pool;
        final List<BenchTx> prefill = new ArrayList<>();
        final AtomicInteger threads = new AtomicInteger();

        /** Creates the pool with room for {@code capacity} transactions and adds {@code size}. */
        void fill(int capacity) {
            pool = MempoolCandidates.create(impl, MempoolConfig.builder().maxTransactions(capacity)
                    .maxBytes((long) capacity * TX_SIZE).maxTransactionSize(TX_SIZE).build());
            SplittableRandom random = new SplittableRandom(DATA_SEED);
            for (long k = 0; k < size; k++) {
                BenchTx tx = newTransaction(Long.MIN_VALUE + k, size, 1 + random.nextInt(size));
                pool.add(tx);
                prefill.add(tx);
            }
        }
    }

    /** A full pool. */
    @State(Scope.Benchmark)
    public static class Shared extends Pool {
        /** Adds so far by all threads: the fee rates of new transactions rise with it. */
        final AtomicLong adds = new AtomicLong();

        @Setup(Level.Trial)
        public void setUp() {
            checkContract(MempoolCandidates.create(impl, MempoolConfig.builder().maxTransactions(2).build()));
            fill(size);
            prefill.clear(); // evictions replace them; do not keep them alive
            if (pool.size() != size) {
                StringBuilder results = new StringBuilder();
                for (AddResult r : AddResult.values()) {
                    results.append(' ').append(r).append(' ').append(pool.count(r));
                }
                throw new IllegalStateException(impl + " holds " + pool.size() + " after " + size + " adds:" + results);
            }
        }

        /** Prints what the adds did: the eviction benchmark is only meaningful if most evicted. */
        @TearDown(Level.Trial)
        public void report() {
            long total = 0;
            StringBuilder sb = new StringBuilder();
            for (AddResult r : AddResult.values()) {
                total += pool.count(r);
            }
            for (AddResult r : AddResult.values()) {
                long n = pool.count(r);
                if (n > 0) {
                    sb.append(' ').append(r).append(' ').append(String.format("%.1f%%", 100.0 * n / total));
                }
            }
            System.out.println("\n" + impl + " size " + size + ", " + total + " adds:" + sb);
        }
    }

    /**
     * A transaction with a fresh id ({@code serial} is unique across the run), from one of
     * {@code senders} accounts with the serial as its nonce. Costs one {@code byte[32]}, a
     * {@link TxId} and the record.
     */
    static BenchTx newTransaction(long serial, int senders, long feeRate) {
        byte[] id = new byte[TxId.LENGTH];
        ByteBuffer.wrap(id).putLong(0, mix(serial)).putLong(8, serial);
        return new BenchTx(TxId.of(id), (int) Long.remainderUnsigned(serial, Math.max(1, senders / 8)), serial,
                feeRate, TX_SIZE);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void checkContract(MempoolCandidates.Candidate<BenchTx> pool) {
        BenchTx a = newTransaction(1, 8, 10);
        BenchTx b = newTransaction(2, 8, 20);
        BenchTx c = newTransaction(3, 8, 15);
        if (pool.add(a) != AddResult.ADDED || pool.add(a) != AddResult.DUPLICATE || pool.add(b) != AddResult.ADDED
                || pool.add(newTransaction(4, 8, 5)) != AddResult.UNDERPRICED || pool.add(c) != AddResult.ADDED
                || !pool.top(5).equals(List.of(b, c)) || pool.removeIncluded(List.of(b.id(), a.id())) != 1
                || pool.size() != 1) {
            throw new IllegalStateException("a candidate breaks the pool contract");
        }
    }

    // ---- add with eviction and top(100): the full pool of Shared ----

    /** One thread's stream of new transactions for {@code addWithEviction}. */
    @State(Scope.Thread)
    public static class Feed {
        long thread;
        long serial;
        SplittableRandom random;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            thread = shared.threads.getAndIncrement();
            random = new SplittableRandom(DATA_SEED + thread);
            serial = (1L << 56) | (thread << 48);
        }

        /**
         * The k-th add pays {@code k + size + U[0, size)}: one thread counts k itself, two share
         * a counter (else the thread that gets the lock less often falls behind and its adds are
         * refused as underpriced instead of evicting).
         */
        BenchTx next(Shared shared, boolean sharedCounter) {
            long k = sharedCounter ? shared.adds.getAndIncrement() : serial & ((1L << 48) - 1);
            return newTransaction(serial++, shared.size, k + shared.size + random.nextInt(shared.size));
        }
    }

    @Benchmark
    @Threads(1)
    public AddResult addWithEviction1Thread(Shared shared, Feed feed) {
        return shared.pool.add(feed.next(shared, false));
    }

    @Benchmark
    @Threads(2)
    public AddResult addWithEviction2Threads(Shared shared, Feed feed) {
        return shared.pool.add(feed.next(shared, true));
    }

    @Benchmark
    @Threads(1)
    public List<BenchTx> top100_1Thread(Shared shared) {
        return shared.pool.top(100);
    }

    @Benchmark
    @Threads(2)
    public List<BenchTx> top100_2Threads(Shared shared) {
        return shared.pool.top(100);
    }

    // ---- single-shot batches: the pool of Roomy, filled to size, with room for the batches ----

    /** A pool filled to {@code size} with room for two more batches. */
    @State(Scope.Benchmark)
    public static class Roomy extends Pool {
        @Setup(Level.Trial)
        public void setUp() {
            fill(size + 2 * BATCH);
        }
    }

    /** One thread's single-shot batch: 1,000 transactions and their ids. */
    public abstract static class Batch {
        final List<BenchTx> txs = new ArrayList<>(BATCH);
        final List<TxId> ids = new ArrayList<>(BATCH);
        SplittableRandom random;
        int thread;

        @Setup(Level.Trial)
        public void setUp(Roomy roomy) {
            thread = roomy.threads.getAndIncrement();
            random = new SplittableRandom(DATA_SEED + thread);
        }
    }

    /** One thread's batch of 1,000 new transactions, taken out again before the next iteration. */
    @State(Scope.Thread)
    public static class AddBatch extends Batch {
        long made;

        @Setup(Level.Iteration)
        public void next(Roomy roomy) {
            roomy.pool.removeIncluded(ids);
            txs.clear();
            ids.clear();
            for (int i = 0; i < BATCH; i++) {
                long serial = (2L << 56) | ((long) thread << 48) | made++;
                BenchTx tx = newTransaction(serial, roomy.size, 1 + random.nextInt(roomy.size));
                txs.add(tx);
                ids.add(tx.id());
            }
        }
    }

    /** One thread's 1,000 pooled ids to remove, put back before the next iteration. */
    @State(Scope.Thread)
    public static class RemoveBatch extends Batch {
        @Setup(Level.Iteration)
        public void next(Roomy roomy) {
            txs.forEach(roomy.pool::add);
            txs.clear();
            ids.clear();
            // Threads take disjoint halves of the prefill, so each removes 1,000 that are pooled.
            int half = roomy.prefill.size() / 2;
            for (int i = 0; i < BATCH; i++) {
                BenchTx tx = roomy.prefill.get((thread & 1) * half + random.nextInt(half));
                if (!ids.contains(tx.id())) {
                    txs.add(tx);
                    ids.add(tx.id());
                }
            }
        }
    }

    /** 1,000 adds to a pool of {@code size} entries that has room for them. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 300)
    @Measurement(iterations = 300)
    @Threads(1)
    public int add1000(Roomy roomy, AddBatch batch) {
        return addAll(roomy, batch);
    }

    /** The same at two threads, each adding its own 1,000. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 300)
    @Measurement(iterations = 300)
    @Threads(2)
    public int add1000_2Threads(Roomy roomy, AddBatch batch) {
        return addAll(roomy, batch);
    }

    private static int addAll(Roomy roomy, AddBatch batch) {
        int added = 0;
        for (BenchTx tx : batch.txs) {
            added += roomy.pool.add(tx).accepted() ? 1 : 0;
        }
        return added;
    }

    /** One removeIncluded of 1,000 pooled ids. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 300)
    @Measurement(iterations = 300)
    @Threads(1)
    public int removeIncluded1000(Roomy roomy, RemoveBatch batch) {
        return roomy.pool.removeIncluded(batch.ids);
    }

    /** The same at two threads, each removing its own 1,000. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 300)
    @Measurement(iterations = 300)
    @Threads(2)
    public int removeIncluded1000_2Threads(Roomy roomy, RemoveBatch batch) {
        return roomy.pool.removeIncluded(batch.ids);
    }
}
