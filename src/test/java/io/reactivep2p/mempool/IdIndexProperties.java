package io.reactivep2p.mempool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** {@link IdIndex} against a {@code HashMap}, through random runs of adds and removals. */
class IdIndexProperties {

    record Item(TxId id) {
    }

    private static TxId id(long n) {
        return TxId.of(ByteBuffer.allocate(TxId.LENGTH).putLong(24, n).array());
    }

    /**
     * Ops: a non-negative value adds the item of that number (if absent), a negative one
     * removes the item of its complement (if present). Few distinct numbers, so the table
     * grows, shrinks and refills.
     */
    @Property(tries = 300)
    void agreesWithAHashMap(@ForAll @Size(max = 400) List<@IntRange(min = -200, max = 199) Integer> ops,
                            @ForAll long seed) {
        run(new IdIndex<>(Item::id, seed), ops);
    }

    /**
     * The same with a hash that puts every id in one of the last three slots of the table,
     * whatever its size: one long run that wraps around the end, where removal's shifting is
     * subtle.
     */
    @Property(tries = 300)
    void agreesWithAHashMapWhenEveryIdCollides(
            @ForAll @Size(max = 400) List<@IntRange(min = -40, max = 39) Integer> ops) {
        run(new IdIndex<>(Item::id, id -> (0xFFFF_FFFFL - Math.floorMod(id.hashCode(), 3)) << 32), ops);
    }

    private static void run(IdIndex<Item> index, List<Integer> ops) {
        Map<TxId, Item> model = new HashMap<>();
        for (int op : ops) {
            if (op >= 0) {
                Item item = new Item(id(op));
                if (!model.containsKey(item.id())) {
                    index.add(item);
                    model.put(item.id(), item);
                }
            } else {
                TxId id = id(~op);
                Item present = model.remove(id);
                Item other = new Item(id); // equal id, another object: not removed
                assertThat(index.remove(other)).isFalse();
                assertThat(index.remove(present != null ? present : other)).isEqualTo(present != null);
            }
            index.checkStructure();
            assertThat(index.size()).isEqualTo(model.size());
        }
        for (int n = 0; n < 200; n++) {
            assertThat(index.get(id(n))).isSameAs(model.get(id(n)));
        }
    }

    @Test
    void growsAndShrinksBackWhenEmptied() {
        IdIndex<Item> index = new IdIndex<>(Item::id, 42);
        List<Item> items = new ArrayList<>();
        for (int n = 0; n < 10_000; n++) {
            items.add(new Item(id(n)));
            index.add(items.get(n));
        }
        index.checkStructure();
        for (Item item : items) {
            assertThat(index.get(item.id())).isSameAs(item);
            assertThat(index.remove(item)).isTrue();
        }
        index.checkStructure(); // back to the smallest table (checked: at most 8 slots per element)
        assertThat(index.size()).isZero();
        assertThat(index.get(id(1))).isNull();
    }
}
