package io.reactivep2p.mempool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Model-based: random runs of adds (duplicates, replacements, oversize, cheap, per-sender
 * floods), removals, reads and clock moves give the same result, step by step, from the pool
 * and from a plain list that applies the documented rules by scanning.
 */
class MempoolProperties {

    private static final long TTL = 100;
    private static final int SMALL = TestTransactions.tx(0, 0, 1).size();
    private static final MempoolConfig CONFIG = MempoolConfig.builder()
            .maxTransactions(8)
            .maxBytes(6L * SMALL + 100)
            .maxTransactionSize(SMALL + 100)
            .minFeeRate(2)
            .maxPerSender(3)
            .ttl(Duration.ofNanos(TTL))
            .build();

    sealed interface Op permits Add, Remove, Advance, Top, Expire {
    }

    record Add(int sender, int nonce, int fee, int data) implements Op {
        Transaction tx() {
            return TestTransactions.tx(sender, nonce, fee, data);
        }
    }

    record Remove(List<Add> of) implements Op {
    }

    record Advance(int nanos) implements Op {
    }

    record Top(int n) implements Op {
    }

    record Expire() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> runs() {
        Arbitrary<Add> add = Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(1, 40),
                Arbitraries.of(0, 0, 0, 40, 101)).as(Add::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, add),
                net.jqwik.api.Tuple.of(1, add.list().ofMaxSize(4).map(Remove::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 60).map(Advance::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 10).map(Top::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Expire())));
        return op.list().ofMaxSize(120);
    }

    @Property(tries = 400)
    void agreesWithAListThatScansForEveryRule(@ForAll("runs") List<Op> run) {
        check(run, false);
    }

    /** The same with the TreeSet ranking that MempoolBenchmark compares with. */
    @Property(tries = 100)
    void theTreeRankingAgreesToo(@ForAll("runs") List<Op> run) {
        check(run, true);
    }

    private static void check(List<Op> run, boolean treeRanking) {
        long[] now = {0};
        Mempool<Transaction> pool = new Mempool<>(CONFIG, () -> now[0], treeRanking);
        Model model = new Model();
        for (Op op : run) {
            if (op instanceof Add a) {
                Transaction tx = a.tx();
                assertThat(pool.add(tx)).as("%s", a).isEqualTo(model.add(tx, now[0]));
            } else if (op instanceof Remove r) {
                Set<TxId> ids = r.of().stream().map(a -> a.tx().id()).collect(Collectors.toSet());
                assertThat(pool.removeIncluded(ids)).isEqualTo(model.remove(ids, now[0]));
            } else if (op instanceof Advance a) {
                now[0] += a.nanos();
            } else if (op instanceof Top t) {
                assertThat(pool.top(t.n())).isEqualTo(model.top(t.n(), now[0]));
            } else {
                assertThat(pool.expire()).isEqualTo(model.expire(now[0]));
            }
            assertThat(pool.size()).isEqualTo(model.entries.size());
            assertThat(pool.bytes()).isEqualTo(model.bytes());
        }
        assertThat(pool.top(100)).isEqualTo(model.top(100, now[0]));
        pool.checkInvariants();
    }

    /** The rules of {@link Mempool}, applied by scanning a list. */
    static final class Model {

        record E(Transaction tx, long seq, long arrival) {
        }

        /** Best first: higher fee, then earlier arrival. */
        static final Comparator<E> BEST_FIRST = Comparator.comparingLong((E e) -> e.tx().gasPrice()).reversed()
                .thenComparingLong(E::seq);

        final List<E> entries = new ArrayList<>();
        long seq;

        AddResult add(Transaction tx, long now) {
            if (tx.size() > CONFIG.maxTransactionSize()) {
                return AddResult.OVERSIZE;
            }
            if (tx.gasPrice() < CONFIG.minFeeRate()) {
                return AddResult.BELOW_MIN_FEE;
            }
            expire(now);
            if (entries.stream().anyMatch(e -> e.tx().id().equals(tx.id()))) {
                return AddResult.DUPLICATE;
            }
            E previous = entries.stream()
                    .filter(e -> e.tx().from().equals(tx.from()) && e.tx().nonce() == tx.nonce())
                    .findFirst().orElse(null);
            if (previous != null) {
                long old = previous.tx().gasPrice();
                // at least 10 % more, and more in any case: fee * 100 >= old * 110 and fee > old
                if (tx.gasPrice() * 100 < old * 110 || tx.gasPrice() <= old) {
                    return AddResult.REPLACEMENT_UNDERPRICED;
                }
            } else if (entries.stream().filter(e -> e.tx().from().equals(tx.from())).count() >= CONFIG.maxPerSender()) {
                return AddResult.SENDER_LIMIT;
            }
            List<E> rest = new ArrayList<>(entries);
            rest.remove(previous);
            while (rest.size() + 1 > CONFIG.maxTransactions() || sum(rest) + tx.size() > CONFIG.maxBytes()) {
                E worst = rest.stream().max(BEST_FIRST).orElseThrow();
                if (worst.tx().gasPrice() >= tx.gasPrice()) {
                    return AddResult.UNDERPRICED;
                }
                rest.remove(worst);
            }
            entries.clear();
            entries.addAll(rest);
            entries.add(new E(tx, ++seq, now));
            return previous == null ? AddResult.ADDED : AddResult.REPLACED;
        }

        int remove(Set<TxId> ids, long now) {
            expire(now);
            int before = entries.size();
            entries.removeIf(e -> ids.contains(e.tx().id()));
            return before - entries.size();
        }

        List<Transaction> top(int n, long now) {
            expire(now);
            return entries.stream().sorted(BEST_FIRST).limit(n).map(E::tx).collect(Collectors.toList());
        }

        int expire(long now) {
            int before = entries.size();
            entries.removeIf(e -> now - e.arrival() >= TTL);
            return before - entries.size();
        }

        long bytes() {
            return sum(entries);
        }

        private static long sum(List<E> list) {
            return list.stream().mapToLong(e -> e.tx().size()).sum();
        }
    }
}
