package io.reactivep2p.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.PeerAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddressBookTest {

    private final AddressBook book = new AddressBook(AddressBook.Settings.defaults(), new Random(1));

    static InetSocketAddress addr(int a, int b, int c, int d, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}), port);
    }

    @Test
    void refusesLoopbackAndPrivateAddressesUnlessAllowed() throws Exception {
        InetSocketAddress local = addr(127, 0, 0, 1, 3000);
        InetSocketAddress lan = addr(192, 168, 1, 2, 3000);
        assertThat(book.add(local, null, local.getAddress(), 0)).isFalse();
        assertThat(book.add(lan, null, lan.getAddress(), 0)).isFalse();
        assertThat(book.add(addr(8, 8, 8, 8, 3000), null, local.getAddress(), 0)).isTrue();

        AddressBook permissive = new AddressBook(AddressBook.Settings.defaults().withAllowLocal(true), new Random(1));
        assertThat(permissive.add(local, null, local.getAddress(), 0)).isTrue();
    }

    @Test
    void aSuccessfulConnectionMovesAnEntryToTried() throws Exception {
        InetSocketAddress a = addr(8, 8, 8, 8, 3000);
        NodeId id = NodeId.random();
        book.add(a, null, a.getAddress(), 10);
        assertThat(book.entry(a)).hasValueSatisfying(e -> assertThat(e.tried()).isFalse());
        book.markGood(a, id, 20);
        assertThat(book.entry(a)).hasValueSatisfying(e -> {
            assertThat(e.tried()).isTrue();
            assertThat(e.nodeId()).isEqualTo(id);
            assertThat(e.lastSuccessMillis()).isEqualTo(20);
        });
        assertThat(book.triedCount()).isEqualTo(1);
        assertThat(book.size()).isEqualTo(1);
    }

    @Test
    void aFloodFromOneSourceNeitherEvictsTriedEntriesNorGrowsPastItsBuckets() throws Exception {
        List<InetSocketAddress> tried = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            InetSocketAddress a = addr(20 + i, 1, 1, 1, 3000);
            book.markGood(a, NodeId.random(), 1);
            tried.add(a);
        }
        InetAddress attacker = InetAddress.getByName("5.6.7.8");
        Random r = new Random(2);
        for (int i = 0; i < 10_000; i++) {
            book.add(addr(100 + r.nextInt(100), r.nextInt(256), r.nextInt(256), 1 + r.nextInt(254), 1 + r.nextInt(65535)),
                    NodeId.random(), attacker, 2);
        }
        AddressBook.Settings s = book.settings();
        assertThat(book.size() - tried.size()).isLessThanOrEqualTo(s.bucketsPerSourceGroup() * s.bucketSize());
        for (InetSocketAddress a : tried) {
            assertThat(book.entry(a)).hasValueSatisfying(e -> assertThat(e.tried()).isTrue());
        }
    }

    @Test
    void oneNetworkGroupFillsAtMostOneTriedBucketAndEvictedEntriesGoBackToNew() throws Exception {
        for (int i = 0; i < 100; i++) {
            book.markGood(addr(9, 9, i, 1, 3000), NodeId.random(), i);
        }
        int bucket = book.settings().bucketSize();
        assertThat(book.triedCount()).isEqualTo(bucket);
        // The 68 oldest went back to "new", where the group's one bucket keeps the latest 32.
        assertThat(book.size()).isEqualTo(2 * bucket);
        assertThat(book.entry(addr(9, 9, 99, 1, 3000))).hasValueSatisfying(e -> assertThat(e.tried()).isTrue());
        assertThat(book.entry(addr(9, 9, 67, 1, 3000))).hasValueSatisfying(e -> assertThat(e.tried()).isFalse());
        assertThat(book.entry(addr(9, 9, 0, 1, 3000))).isEmpty();
    }

    @Test
    void failuresBackOffExponentiallyWithJitter() throws Exception {
        InetSocketAddress a = addr(8, 8, 4, 4, 3000);
        book.add(a, null, a.getAddress(), 0);
        book.markFailed(a, 1000);
        long first = book.entry(a).orElseThrow().retryAtMillis() - 1000;
        assertThat(first).isBetween(500L, 1500L);
        assertThat(book.select(1000, (x, id) -> false)).isEmpty();
        assertThat(book.select(1000 + 1500, (x, id) -> false)).contains(a);
        book.markFailed(a, 3000);
        book.markFailed(a, 3000);
        long third = book.entry(a).orElseThrow().retryAtMillis() - 3000;
        assertThat(third).isBetween(2000L, 6000L); // 4 s ± 50 %
        for (int i = 0; i < 30; i++) {
            book.markFailed(a, 0);
        }
        assertThat(book.entry(a).orElseThrow().retryAtMillis()).isLessThanOrEqualTo(900_000L); // 10 min + 50 %
    }

    @Test
    void selectHonoursTheSkipPredicate() throws Exception {
        InetSocketAddress a = addr(8, 8, 8, 8, 3000);
        InetSocketAddress b = addr(9, 9, 9, 9, 3000);
        book.add(a, null, a.getAddress(), 0);
        book.add(b, null, b.getAddress(), 0);
        Set<InetSocketAddress> picked = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            book.select(0, (x, id) -> x.equals(a)).ifPresent(picked::add);
        }
        assertThat(picked).containsExactly(b);
    }

    @Test
    void sampleReturnsGoodAddressesWithIdsButNeverTheAsker() throws Exception {
        InetSocketAddress asker = addr(8, 8, 8, 8, 3000);
        NodeId askerId = NodeId.random();
        book.add(asker, askerId, asker.getAddress(), 0);
        InetSocketAddress askerElsewhere = addr(8, 8, 8, 7, 3000); // the asker's id under another address
        book.add(askerElsewhere, askerId, asker.getAddress(), 0);
        book.add(addr(8, 8, 8, 9, 3000), null, asker.getAddress(), 0); // no id: cannot be shared
        InetSocketAddress failing = addr(8, 8, 8, 10, 3000);
        book.add(failing, NodeId.random(), asker.getAddress(), 0);
        book.markFailed(failing, 0);
        for (int i = 0; i < 20; i++) {
            book.add(addr(30 + i, 1, 1, 1, 3000), NodeId.random(), asker.getAddress(), 0);
        }
        List<PeerAddress> sample = book.sample(10, asker, askerId);
        assertThat(sample).hasSize(10)
                .noneMatch(p -> p.nodeId().equals(askerId))
                .noneMatch(p -> p.address().equals(failing.getAddress()));
        assertThat(book.sample(1000, asker, askerId)).hasSize(20);
        assertThat(book.sample(1000, null, null)).hasSize(22);
    }

    @Test
    void removeForgetsAnEntryInEitherTable() throws Exception {
        InetSocketAddress fresh = addr(8, 8, 8, 8, 3000);
        InetSocketAddress tried = addr(9, 9, 9, 9, 3000);
        book.add(fresh, null, fresh.getAddress(), 0);
        book.markGood(tried, NodeId.random(), 0);
        book.remove(fresh);
        book.remove(tried);
        assertThat(book.size()).isZero();
        assertThat(book.triedCount()).isZero();
        book.add(fresh, null, fresh.getAddress(), 0); // and it can come back
        assertThat(book.size()).isEqualTo(1);
    }

    @Test
    void anUnprovenIdNeverOverwritesTheIdATriedEntryProved() throws Exception {
        InetSocketAddress a = addr(8, 8, 8, 8, 3000);
        NodeId proven = NodeId.random();
        book.markGood(a, proven, 0);
        book.add(a, NodeId.random(), addr(9, 9, 9, 9, 1).getAddress(), 10);
        assertThat(book.entry(a).orElseThrow().nodeId()).isEqualTo(proven);
        assertThat(book.entry(a).orElseThrow().lastSeenMillis()).isEqualTo(10);
    }

    @Test
    void savedBooksLoadBackAndCorruptFilesAreIgnored(@TempDir Path dir) throws Exception {
        InetSocketAddress tried = addr(8, 8, 8, 8, 3000);
        InetSocketAddress fresh = addr(9, 9, 9, 9, 3001);
        NodeId id = NodeId.random();
        book.markGood(tried, id, 5);
        book.add(fresh, null, fresh.getAddress(), 7);
        Path file = dir.resolve("peers.txt");
        book.save(file);

        AddressBook reloaded = new AddressBook(AddressBook.Settings.defaults(), new Random(3));
        assertThat(reloaded.load(file)).isEqualTo(2);
        assertThat(reloaded.entry(tried)).hasValueSatisfying(e -> {
            assertThat(e.tried()).isTrue();
            assertThat(e.nodeId()).isEqualTo(id);
        });
        assertThat(reloaded.entry(fresh)).hasValueSatisfying(e -> assertThat(e.tried()).isFalse());

        Files.writeString(file, "reactive-p2p address book v1\nt 8.8.8.8 notaport - 1 2\n");
        AddressBook fromCorrupt = new AddressBook(AddressBook.Settings.defaults(), new Random(4));
        assertThat(fromCorrupt.load(file)).isZero();
        assertThat(fromCorrupt.size()).isZero();
        Files.writeString(file, "garbage");
        assertThat(fromCorrupt.load(file)).isZero();
        assertThat(fromCorrupt.load(dir.resolve("missing.txt"))).isZero();
    }
}
