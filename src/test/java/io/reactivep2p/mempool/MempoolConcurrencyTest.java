package io.reactivep2p.mempool;

import static io.reactivep2p.mempool.TestTransactions.tx;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.mempool.MempoolEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Four threads add, replace, remove and read concurrently while the clock moves: the indexes
 * must agree with each other and the limits at every check, {@code top()} must be sorted,
 * and replaying the events must give exactly what is pooled (so they were emitted in the
 * order of the changes).
 */
class MempoolConcurrencyTest {

    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 40_000;

    @Test
    void concurrentChangesKeepEveryInvariant() throws Exception {
        AtomicLong nanos = new AtomicLong();
        int small = tx(0, 0, 1).size();
        MempoolConfig config = MempoolConfig.builder()
                .maxTransactions(2_000)
                .maxBytes(1_500L * small)                 // the byte limit bites before the count limit
                .maxTransactionSize(small + 512)
                .maxPerSender(8)
                .ttl(Duration.ofNanos(200_000))
                .build();
        Mempool<Transaction> pool = new Mempool<>(config, nanos::get);
        Set<Transaction> replayed = ConcurrentHashMap.newKeySet();
        List<String> eventErrors = new ArrayList<>();
        pool.events().subscribe(e -> {
            boolean ok = switch (e.kind()) {
                case ADDED -> replayed.add(e.transaction());
                case REPLACED -> replayed.remove(e.replaced()) && replayed.add(e.transaction());
                case EVICTED, EXPIRED, REMOVED -> replayed.remove(e.transaction());
            };
            if (!ok) {
                synchronized (eventErrors) {
                    eventErrors.add(e.kind() + " out of order for " + e.transaction());
                }
            }
        });

        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int seed = t;
                done.add(CompletableFuture.runAsync(() -> work(pool, nanos, start, new SplittableRandom(seed)), threads));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } finally {
            threads.shutdownNow();
        }

        pool.checkInvariants();
        assertThat(eventErrors).isEmpty();
        assertThat(pool.droppedEvents()).isZero();
        List<Transaction> all = pool.top(Integer.MAX_VALUE);
        assertThat(new HashSet<>(all)).isEqualTo(replayed);
        assertThat(pool.count(AddResult.ADDED)).isPositive();
        assertThat(pool.evicted()).as("the pool filled up").isPositive();
        assertThat(pool.expired()).isPositive();
        assertThat(pool.count(AddResult.REPLACED)).isPositive();
        assertThat(pool.count(AddResult.SENDER_LIMIT)).isPositive();
    }

    private static void work(Mempool<Transaction> pool, AtomicLong nanos, CyclicBarrier start, SplittableRandom random) {
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        List<TxId> mine = new ArrayList<>();
        for (int i = 0; i < OPS_PER_THREAD; i++) {
            int op = random.nextInt(100);
            if (op < 85) {
                Transaction t = tx(random.nextInt(300), random.nextInt(10), 1 + random.nextInt(1_000),
                        random.nextInt(8) == 0 ? random.nextInt(512) : 0);
                pool.add(t);
                mine.add(t.id());
            } else if (op < 90) {
                List<TxId> block = new ArrayList<>();
                for (int k = 0; k < 20 && !mine.isEmpty(); k++) {
                    block.add(mine.get(random.nextInt(mine.size())));
                }
                pool.removeIncluded(block);
            } else if (op < 97) {
                List<Transaction> top = pool.top(50);
                for (int k = 1; k < top.size(); k++) {
                    assertThat(top.get(k - 1).gasPrice()).isGreaterThanOrEqualTo(top.get(k).gasPrice());
                }
            } else if (op < 99) {
                nanos.addAndGet(1_000);
            } else {
                pool.checkInvariants();
            }
            if (mine.size() > 10_000) {
                mine.subList(0, 5_000).clear();
            }
        }
    }
}
