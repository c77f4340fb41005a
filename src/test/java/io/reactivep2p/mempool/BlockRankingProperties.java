package io.reactivep2p.mempool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link BlockRanking} against a {@link TreeSet} with the same order, through splits and merges. */
class BlockRankingProperties {

    record Item(long feeRate, long sequence) implements Ranking.Ranked {
    }

    /**
     * Each op: below 60 adds an item (fee rate from a small range, so ties are common, and
     * sometimes above 2^63 to exercise unsigned order), below 95 removes a ranked item picked
     * by the op's value, else tries to remove one that is not ranked.
     */
    @Property(tries = 150)
    void ordersAsATreeSetDoes(@ForAll @Size(min = 1, max = 3000) List<@IntRange(min = 0, max = 99_999) Integer> ops) {
        BlockRanking<Item> blocks = new BlockRanking<>();
        TreeSet<Item> model = new TreeSet<>(Ranking.BEST_FIRST);
        List<Item> present = new ArrayList<>();
        long seq = 0;
        int step = 0;
        for (int op : ops) {
            int kind = op % 100;
            if (kind < 60 || present.isEmpty()) {
                long fee = (op / 100) % 50;
                Item item = new Item(op % 7 == 0 ? Long.MIN_VALUE + fee : fee, seq++);
                blocks.add(item);
                model.add(item);
                present.add(item);
            } else if (kind < 95) {
                Item item = present.remove((op / 100) % present.size());
                assertThat(blocks.remove(item)).isTrue();
                model.remove(item);
            } else {
                Item stranger = new Item(op, seq++);
                assertThat(blocks.remove(stranger)).isFalse();
            }
            assertThat(blocks.size()).isEqualTo(model.size());
            assertThat(blocks.worst()).isEqualTo(model.isEmpty() ? null : model.last());
            if (++step % 5 == 0) {
                blocks.checkStructure();
            }
        }
        blocks.checkStructure();
        assertThat(list(blocks.fromBest())).containsExactlyElementsOf(model);
        assertThat(list(blocks.fromWorst())).containsExactlyElementsOf(model.descendingSet());
    }

    @Property(tries = 20)
    void drainsFromTheWorstAsAFullPoolEvicts(@ForAll @IntRange(min = 1, max = 2000) int n) {
        BlockRanking<Item> blocks = new BlockRanking<>();
        for (int i = 0; i < n; i++) {
            blocks.add(new Item((i * 7919L) % 101, i));
        }
        blocks.checkStructure();
        Item previous = null;
        while (blocks.size() > 0) {
            Item worst = blocks.worst();
            if (previous != null) {
                assertThat(Ranking.BEST_FIRST.compare(worst, previous)).isLessThan(0);
            }
            assertThat(blocks.remove(worst)).isTrue();
            previous = worst;
        }
        blocks.checkStructure();
        assertThat(blocks.fromBest().hasNext()).isFalse();
        assertThat(blocks.worst()).isNull();
    }

    /** Grows to 3,000 items by random adds, then shrinks to none by random removals, checked at every step. */
    @Example
    void keepsItsStructureThroughGrowthAndShrinking() {
        SplittableRandom random = new SplittableRandom(7);
        BlockRanking<Item> blocks = new BlockRanking<>();
        TreeSet<Item> model = new TreeSet<>(Ranking.BEST_FIRST);
        List<Item> present = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Item item = new Item(random.nextInt(200), i);
            blocks.add(item);
            model.add(item);
            present.add(item);
            blocks.checkStructure();
        }
        while (!present.isEmpty()) {
            Item item = present.remove(random.nextInt(present.size()));
            assertThat(blocks.remove(item)).isTrue();
            model.remove(item);
            blocks.checkStructure();
            assertThat(blocks.worst()).isEqualTo(model.isEmpty() ? null : model.last());
        }
        assertThat(blocks.size()).isZero();
    }

    private static <E> List<E> list(Iterator<E> it) {
        List<E> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
