package io.reactivep2p.mempool;

import static io.reactivep2p.mempool.TestTransactions.tx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.mempool.MempoolEvent.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class MempoolTest {

    private final AtomicLong nanos = new AtomicLong();

    private Mempool<Transaction> pool(MempoolConfig.Builder config) {
        return new Mempool<>(config.build(), nanos::get);
    }

    private Mempool<Transaction> pool(int maxTransactions) {
        return pool(MempoolConfig.builder().maxTransactions(maxTransactions));
    }

    private static List<Long> fees(List<Transaction> txs) {
        return txs.stream().map(Transaction::gasPrice).collect(Collectors.toList());
    }

    @Test
    void topIsBestFirstWithTiesByArrival() {
        Mempool<Transaction> pool = pool(100);
        Transaction a = tx(1, 0, 10);
        Transaction b = tx(2, 0, 30);
        Transaction c = tx(3, 0, 20);
        Transaction d = tx(4, 0, 30);
        for (Transaction t : List.of(a, b, c, d)) {
            assertThat(pool.add(t)).isEqualTo(AddResult.ADDED);
        }
        assertThat(pool.top(10)).containsExactly(b, d, c, a);
        assertThat(pool.top(2)).containsExactly(b, d);
        assertThat(pool.top(0)).isEmpty();
        assertThatThrownBy(() -> pool.top(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(pool.size()).isEqualTo(4);
        assertThat(pool.bytes()).isEqualTo(4L * a.size());
        assertThat(pool.get(c.id())).contains(c);
        assertThat(pool.contains(tx(9, 0, 1).id())).isFalse();
        pool.checkInvariants();
    }

    @Test
    void feeRatesCompareUnsigned() {
        Mempool<Transaction> pool = pool(10);
        Transaction high = tx(1, 0, Long.MIN_VALUE);        // 2^63
        Transaction lower = tx(2, 0, Long.MAX_VALUE);       // 2^63 - 1
        Transaction highest = tx(3, 0, -1);                 // 2^64 - 1
        pool.add(high);
        pool.add(lower);
        pool.add(highest);
        assertThat(pool.top(3)).containsExactly(highest, high, lower);
    }

    @Test
    void aFullPoolEvictsTheCheapestForABetterPayer() {
        Mempool<Transaction> pool = pool(3);
        List<MempoolEvent<Transaction>> events = new ArrayList<>();
        pool.events().subscribe(events::add);
        Transaction cheap = tx(1, 0, 10);
        pool.add(cheap);
        pool.add(tx(2, 0, 20));
        pool.add(tx(3, 0, 30));
        Transaction better = tx(4, 0, 11);
        assertThat(pool.add(better)).isEqualTo(AddResult.ADDED);
        assertThat(pool.contains(cheap.id())).isFalse();
        assertThat(fees(pool.top(3))).containsExactly(30L, 20L, 11L);
        assertThat(pool.evicted()).isEqualTo(1);
        assertThat(events).extracting(MempoolEvent::kind)
                .containsExactly(Kind.ADDED, Kind.ADDED, Kind.ADDED, Kind.EVICTED, Kind.ADDED);
        assertThat(events.get(3).transaction()).isEqualTo(cheap);
        assertThat(events.get(4).transaction()).isEqualTo(better);
        pool.checkInvariants();
    }

    @Test
    void aFullPoolRefusesWhatPaysNoMoreThanTheCheapest() {
        Mempool<Transaction> pool = pool(2);
        pool.add(tx(1, 0, 10));
        pool.add(tx(2, 0, 20));
        assertThat(pool.add(tx(3, 0, 9))).isEqualTo(AddResult.UNDERPRICED);
        assertThat(pool.add(tx(3, 0, 10))).as("a tie ranks below the earlier arrival").isEqualTo(AddResult.UNDERPRICED);
        assertThat(fees(pool.top(2))).containsExactly(20L, 10L);
        assertThat(pool.count(AddResult.UNDERPRICED)).isEqualTo(2);
        assertThat(pool.evicted()).isZero();
    }

    @Test
    void aFullPoolByBytesEvictsSeveralCheaperOrNone() {
        int small = tx(1, 0, 1, 0).size();
        Mempool<Transaction> pool = pool(MempoolConfig.builder().maxBytes(4L * small + 100).maxTransactionSize(4 * small));
        for (int i = 0; i < 4; i++) {
            pool.add(tx(i, 0, 10 + i));                       // fees 10, 11, 12, 13
        }
        // Needs the room of three small ones: 10, 11 and 12 must all pay less.
        Transaction big = tx(9, 0, 12, 2 * small + 50);
        assertThat(pool.add(big)).as("12 does not pay more than 12").isEqualTo(AddResult.UNDERPRICED);
        assertThat(pool.size()).isEqualTo(4);
        Transaction bigger = tx(9, 0, 13, 2 * small + 50);
        assertThat(pool.add(bigger)).isEqualTo(AddResult.ADDED);
        assertThat(fees(pool.top(10))).containsExactly(13L, 13L);
        assertThat(pool.top(1)).containsExactly(tx(3, 0, 13));
        assertThat(pool.evicted()).isEqualTo(3);
        assertThat(pool.bytes()).isLessThanOrEqualTo(pool.config().maxBytes());
        pool.checkInvariants();
    }

    @Test
    void replaceByFeeNeedsTenPercentMore() {
        Mempool<Transaction> pool = pool(10);
        List<MempoolEvent<Transaction>> events = new ArrayList<>();
        pool.events().subscribe(events::add);
        Transaction original = tx(1, 5, 100);
        pool.add(original);
        assertThat(pool.add(tx(1, 5, 109))).isEqualTo(AddResult.REPLACEMENT_UNDERPRICED);
        Transaction replacement = tx(1, 5, 110);
        assertThat(pool.add(replacement)).isEqualTo(AddResult.REPLACED);
        assertThat(pool.top(10)).containsExactly(replacement);
        assertThat(pool.size()).isEqualTo(1);
        assertThat(events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.REPLACED);
            assertThat(e.transaction()).isEqualTo(replacement);
            assertThat(e.replaced()).isEqualTo(original);
        });
        assertThat(pool.add(tx(1, 6, 1))).as("another nonce is another transaction").isEqualTo(AddResult.ADDED);
        pool.checkInvariants();
    }

    @Test
    void replaceByFeeRoundsTheBumpUpAndAlwaysWantsMore() {
        Mempool<Transaction> pool = pool(10);
        pool.add(tx(1, 0, 5));
        assertThat(pool.add(tx(1, 0, 5))).isEqualTo(AddResult.DUPLICATE);
        Transaction same = TestTransactions.builder(1, 0, 5).value(1).build();
        assertThat(pool.add(same)).isEqualTo(AddResult.REPLACEMENT_UNDERPRICED);
        assertThat(pool.add(tx(1, 0, 6))).as("5 + ceil(0.5)").isEqualTo(AddResult.REPLACED);

        Mempool<Transaction> noBump = pool(MempoolConfig.builder().replacementBumpPercent(0));
        noBump.add(tx(1, 0, 5));
        assertThat(noBump.add(TestTransactions.builder(1, 0, 5).value(1).build()))
                .isEqualTo(AddResult.REPLACEMENT_UNDERPRICED);
        assertThat(noBump.add(tx(1, 0, 6))).isEqualTo(AddResult.REPLACED);

        Mempool<Transaction> top = pool(10);
        top.add(tx(1, 0, -1));                                  // 2^64 - 1: nothing pays more
        assertThat(top.add(TestTransactions.builder(1, 0, -1).value(1).build()))
                .isEqualTo(AddResult.REPLACEMENT_UNDERPRICED);
        top.add(tx(2, 0, -20));                                 // 2^64 - 20 needs 2^64 - 20 + ceil(10 %)
        assertThat(top.add(tx(2, 0, -3))).isEqualTo(AddResult.REPLACEMENT_UNDERPRICED);
    }

    @Test
    void replacementInAFullPoolTakesTheSlotOfWhatItReplaces() {
        Mempool<Transaction> pool = pool(2);
        pool.add(tx(1, 0, 10));
        pool.add(tx(2, 0, 20));
        assertThat(pool.add(tx(1, 0, 11))).isEqualTo(AddResult.REPLACED);
        assertThat(fees(pool.top(2))).containsExactly(20L, 11L);
        assertThat(pool.evicted()).isZero();
        pool.checkInvariants();
    }

    @Test
    void refusesBelowTheMinimumFeeOversizeDuplicatesAndPastTheSenderCap() {
        Mempool<Transaction> pool = pool(MempoolConfig.builder().minFeeRate(5).maxTransactionSize(200).maxPerSender(2));
        assertThat(pool.add(tx(1, 0, 4))).isEqualTo(AddResult.BELOW_MIN_FEE);
        assertThat(pool.add(tx(1, 0, 5, 200))).isEqualTo(AddResult.OVERSIZE);
        assertThat(pool.add(tx(1, 0, 5))).isEqualTo(AddResult.ADDED);
        assertThat(pool.add(tx(1, 0, 5))).isEqualTo(AddResult.DUPLICATE);
        assertThat(pool.add(tx(1, 1, 5))).isEqualTo(AddResult.ADDED);
        assertThat(pool.add(tx(1, 2, 500))).isEqualTo(AddResult.SENDER_LIMIT);
        assertThat(pool.add(tx(1, 1, 50))).as("a replacement is not a new slot").isEqualTo(AddResult.REPLACED);
        assertThat(pool.add(tx(2, 0, 5))).isEqualTo(AddResult.ADDED);
        for (AddResult r : List.of(AddResult.BELOW_MIN_FEE, AddResult.OVERSIZE, AddResult.DUPLICATE,
                AddResult.SENDER_LIMIT, AddResult.REPLACED)) {
            assertThat(pool.count(r)).as("%s", r).isEqualTo(1);
            assertThat(r.accepted()).isEqualTo(r == AddResult.REPLACED);
        }
        assertThat(pool.count(AddResult.ADDED)).isEqualTo(3);
        assertThat(pool.size()).isEqualTo(3);
        pool.checkInvariants();
    }

    @Test
    void aSenderGetsItsSlotsBackWhenItsTransactionsLeave() {
        Mempool<Transaction> pool = pool(MempoolConfig.builder().maxPerSender(1));
        Transaction first = tx(1, 0, 5);
        pool.add(first);
        assertThat(pool.add(tx(1, 1, 5))).isEqualTo(AddResult.SENDER_LIMIT);
        pool.removeIncluded(List.of(first.id()));
        assertThat(pool.add(tx(1, 1, 5))).isEqualTo(AddResult.ADDED);
        pool.checkInvariants();
    }

    @Test
    void transactionsExpireAfterTheTtlOnTheInjectedClock() {
        Mempool<Transaction> pool = pool(MempoolConfig.builder().ttl(Duration.ofMinutes(10)));
        List<MempoolEvent<Transaction>> events = new ArrayList<>();
        pool.events().subscribe(events::add);
        Transaction old = tx(1, 0, 10);
        pool.add(old);
        nanos.addAndGet(Duration.ofMinutes(6).toNanos());
        Transaction young = tx(2, 0, 10);
        pool.add(young);
        assertThat(pool.expire()).isZero();
        nanos.addAndGet(Duration.ofMinutes(4).toNanos() - 1);
        assertThat(pool.expire()).as("one nanosecond short of the ttl").isZero();
        nanos.incrementAndGet();
        assertThat(pool.expire()).isEqualTo(1);
        assertThat(pool.top(10)).containsExactly(young);
        assertThat(events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.EXPIRED);
            assertThat(e.transaction()).isEqualTo(old);
        });
        nanos.addAndGet(Duration.ofMinutes(6).toNanos());
        assertThat(pool.top(10)).as("reading the ranking expires too").isEmpty();
        assertThat(pool.expired()).isEqualTo(2);
        assertThat(pool.size()).isZero();
        assertThat(pool.bytes()).isZero();
        pool.checkInvariants();
    }

    @Test
    void aReplacementStartsItsOwnTtl() {
        Mempool<Transaction> pool = pool(MempoolConfig.builder().ttl(Duration.ofMinutes(10)));
        pool.add(tx(1, 0, 10));
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        Transaction replacement = tx(1, 0, 20);
        assertThat(pool.add(replacement)).isEqualTo(AddResult.REPLACED);
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(pool.expire()).isZero();
        assertThat(pool.top(1)).containsExactly(replacement);
    }

    @Test
    void removeIncludedRemovesWhatIsPooledAndSkipsTheRest() {
        Mempool<Transaction> pool = pool(10);
        Transaction a = tx(1, 0, 10);
        Transaction b = tx(2, 0, 20);
        Transaction c = tx(3, 0, 30);
        List.of(a, b, c).forEach(pool::add);
        List<MempoolEvent<Transaction>> events = new ArrayList<>();
        pool.events().subscribe(events::add);
        assertThat(pool.removeIncluded(Set.of(a.id(), c.id(), tx(4, 0, 1).id()))).isEqualTo(2);
        assertThat(pool.top(10)).containsExactly(b);
        assertThat(events).extracting(MempoolEvent::kind).containsExactly(Kind.REMOVED, Kind.REMOVED);
        assertThat(events).extracting(MempoolEvent::transaction).containsExactlyInAnyOrder(a, c);
        assertThat(pool.removed()).isEqualTo(2);
        pool.checkInvariants();
    }

    @Test
    void eventsAreHotInOrderAndCompleteOnClose() {
        Mempool<Transaction> pool = pool(1);
        pool.add(tx(9, 0, 1)); // before subscribing: not seen
        pool.removeIncluded(List.of(tx(9, 0, 1).id()));
        Transaction a = tx(1, 0, 10);
        Transaction b = tx(2, 0, 20);
        StepVerifier.create(pool.events())
                .then(() -> {
                    pool.add(a);
                    pool.add(b);
                    pool.close();
                })
                .assertNext(e -> assertThat(e).isEqualTo(new MempoolEvent<>(Kind.ADDED, a, null)))
                .assertNext(e -> assertThat(e).isEqualTo(new MempoolEvent<>(Kind.EVICTED, a, null)))
                .assertNext(e -> assertThat(e).isEqualTo(new MempoolEvent<>(Kind.ADDED, b, null)))
                .verifyComplete();
        StepVerifier.create(pool.events()).verifyComplete();
        assertThat(pool.add(tx(3, 0, 30))).as("a closed pool still works").isEqualTo(AddResult.ADDED);
    }

    @Test
    void aSubscriberMayCallBackIntoThePool() {
        Mempool<Transaction> pool = pool(10);
        List<Kind> seen = new ArrayList<>();
        Transaction a = tx(1, 0, 10);
        pool.events().subscribe(e -> {
            seen.add(e.kind());
            if (e.kind() == Kind.ADDED) {
                pool.removeIncluded(List.of(e.transaction().id())); // runs outside the lock, in order
            }
        });
        pool.add(a);
        assertThat(seen).containsExactly(Kind.ADDED, Kind.REMOVED);
        assertThat(pool.size()).isZero();
    }

    @Test
    void aSlowSubscriberLosesItsNewestEventsAndSlowsNothing() {
        Mempool<Transaction> pool = pool(MempoolConfig.builder().eventBufferSize(4));
        StepVerifier.create(pool.events(), 0)
                .then(() -> {
                    for (int i = 0; i < 10; i++) {
                        assertThat(pool.add(tx(i, 0, 10))).isEqualTo(AddResult.ADDED);
                    }
                })
                .thenRequest(100)
                .expectNextCount(4)
                .then(pool::close)
                .verifyComplete();
        assertThat(pool.droppedEvents()).isEqualTo(6);
        assertThat(pool.size()).isEqualTo(10);
    }

    /** An application's own transaction format. */
    record AppTx(TxId id, String sender, long nonce, long feeRate, int size) implements PoolTransaction {
    }

    @Test
    void worksOverAnApplicationsOwnTransactionType() {
        Mempool<AppTx> pool = new Mempool<>(MempoolConfig.builder().maxTransactions(2).maxBytes(1000)
                .maxTransactionSize(1000).build(), nanos::get);
        AppTx a = new AppTx(id(1), "alice", 0, 10, 100);
        AppTx b = new AppTx(id(2), "bob", 0, 20, 100);
        AppTx c = new AppTx(id(3), "carol", 0, 15, 100);
        pool.add(a);
        pool.add(b);
        assertThat(pool.add(c)).isEqualTo(AddResult.ADDED);
        assertThat(pool.top(5)).containsExactly(b, c);
        assertThat(pool.add(new AppTx(id(4), "bob", 0, 21, 100))).isEqualTo(AddResult.REPLACEMENT_UNDERPRICED);
        assertThat(pool.add(new AppTx(id(5), "dave", 0, 1, 1001))).isEqualTo(AddResult.OVERSIZE);
        pool.checkInvariants();
    }

    private static TxId id(int n) {
        byte[] b = new byte[TxId.LENGTH];
        b[0] = (byte) n;
        return TxId.of(b);
    }

    @Test
    void configChecksItsFields() {
        assertThatThrownBy(() -> MempoolConfig.builder().maxTransactions(0).build())
                .hasMessageContaining("maxTransactions");
        assertThatThrownBy(() -> MempoolConfig.builder().maxBytes(10).maxTransactionSize(11).build())
                .hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> MempoolConfig.builder().replacementBumpPercent(101).build())
                .hasMessageContaining("replacementBumpPercent");
        assertThatThrownBy(() -> MempoolConfig.builder().ttl(Duration.ZERO).build()).hasMessageContaining("ttl");
        MempoolConfig c = MempoolConfig.builder().maxPerSender(3).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(MempoolConfig.defaults().maxTransactions()).isEqualTo(100_000);
    }

    /**
     * Whoever writes a transaction chooses its sender: 2,000 senders of one hash code (a bin
     * of one {@code HashMap}, kept as a tree by {@link Address}'s order) are pooled, replaced
     * and removed like any others.
     */
    @Test
    void sendersChosenToShareAHashCodeArePooledApart() {
        Mempool<Transaction> pool = pool(10_000);
        List<Transaction> txs = new ArrayList<>();
        for (long i = 0; i < 2_000; i++) {
            // hashCode = (31 * h(w0) + h(w1)) * 31 + w2 with w1 = 0: pick w2 to cancel w0
            int w2 = 7 - 31 * 31 * Long.hashCode(i);
            Address sender = Address.of(java.nio.ByteBuffer.allocate(Address.LENGTH).putLong(i).putLong(0).putInt(w2).array());
            assertThat(sender.hashCode()).isEqualTo(7);
            Transaction tx = Transaction.builder().from(sender).to(sender).nonce(1).gasPrice(10).build();
            txs.add(tx);
            assertThat(pool.add(tx)).isEqualTo(AddResult.ADDED);
        }
        assertThat(pool.size()).isEqualTo(2_000);
        Transaction first = txs.get(0);
        Transaction bump = Transaction.builder().from(first.from()).to(first.to()).nonce(1).gasPrice(20).build();
        assertThat(pool.add(bump)).isEqualTo(AddResult.REPLACED);
        assertThat(pool.removeIncluded(txs.subList(1, 1_000).stream().map(Transaction::id).toList())).isEqualTo(999);
        assertThat(pool.size()).isEqualTo(1_001);
        assertThat(pool.contains(bump.id())).isTrue();
        assertThat(pool.contains(first.id())).isFalse();
        pool.checkInvariants();
    }
}
