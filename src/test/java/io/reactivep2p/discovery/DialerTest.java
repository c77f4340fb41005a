package io.reactivep2p.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.testing.TestClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The dialer's choices, with a recording dialer instead of sockets. */
class DialerTest {

    private final List<InetSocketAddress> dialled = new CopyOnWriteArrayList<>();
    private Discovery discovery;
    private PeerManager peers;

    @AfterEach
    void stop() {
        if (discovery != null) {
            discovery.stop();
        }
    }

    private Discovery discovery(NodeConfig config, Function<InetSocketAddress, Mono<Peer>> dialer, AtomicLong clock) {
        NodeRuntime runtime = NodeRuntime.builder().clock(TestClock.of(clock::get)).build();
        peers = new PeerManager(config.nodeId(), 1L, config.peer(), runtime);
        discovery = new Discovery(config.discovery(), config.nodeId(), peers, (a, knownId, pinned) -> {
            dialled.add(a);
            return dialer.apply(a);
        }, runtime);
        return discovery;
    }

    private static NodeConfig.Builder config() {
        return NodeConfig.builder().dialInterval(Duration.ofMillis(20));
    }

    @Test
    void fillsTheTargetPreferringDistinctNetworkGroupsAndSkipsBackingOffAndBannedEntries() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        NodeConfig cfg = config().outboundTarget(3).build();
        Discovery d = discovery(cfg, a -> Mono.never(), clock);
        AddressBook book = d.addressBook();
        for (int i = 1; i <= 20; i++) { // one crowded group
            book.add(AddressBookTest.addr(8, 8, 0, i, 3000), NodeId.random(), AddressBookTest.addr(8, 8, 0, i, 1).getAddress(), 0);
        }
        InetSocketAddress other = AddressBookTest.addr(9, 9, 0, 1, 3000);
        InetSocketAddress third = AddressBookTest.addr(12, 12, 0, 1, 3000);
        InetSocketAddress backingOff = AddressBookTest.addr(13, 13, 0, 1, 3000);
        InetSocketAddress banned = AddressBookTest.addr(14, 14, 0, 1, 3000);
        NodeId bannedId = NodeId.random();
        book.add(other, NodeId.random(), other.getAddress(), 0);
        book.add(third, NodeId.random(), third.getAddress(), 0);
        book.add(backingOff, NodeId.random(), backingOff.getAddress(), 0);
        book.markFailed(backingOff, clock.get());
        book.add(banned, bannedId, banned.getAddress(), 0);
        peers.ban(bannedId);

        d.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> dialled.size() == 3);
        // Dials never complete here, so the target is reached by pending dials: no more are made.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> dialled.size() == 3);
        Set<Long> groups = dialled.stream().map(a -> NetworkGroup.of(a.getAddress())).collect(Collectors.toSet());
        assertThat(groups).hasSize(3);
        assertThat(dialled).contains(other, third).doesNotContain(backingOff, banned);
    }

    @Test
    void failedDialsBackOffAndADialThatReachesItselfForgetsTheAddress() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        InetSocketAddress refusing = AddressBookTest.addr(8, 8, 8, 8, 3000);
        InetSocketAddress self = AddressBookTest.addr(9, 9, 9, 9, 3000);
        Set<InetSocketAddress> failed = ConcurrentHashMap.newKeySet();
        Discovery d = discovery(config().outboundTarget(2).build(), a -> {
            failed.add(a);
            return Mono.error(new PeerException(a.equals(self) ? DisconnectReason.SELF_CONNECTION
                    : DisconnectReason.TOO_MANY_PEERS, "refused"));
        }, clock);
        d.addressBook().add(refusing, null, refusing.getAddress(), 0);
        d.addressBook().add(self, null, self.getAddress(), 0);

        d.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> failed.size() == 2 && d.addressBook().size() == 1);
        AddressBook.Entry entry = d.addressBook().entry(refusing).orElseThrow();
        assertThat(entry.attempts()).isEqualTo(1);
        assertThat(entry.retryAtMillis()).isGreaterThan(clock.get());
        assertThat(d.addressBook().entry(self)).isEmpty();
        int dials = dialled.size();
        // Time stands still: the refusing address is backing off and is not dialled again.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> dialled.size() == dials);
        clock.addAndGet(Duration.ofMinutes(20).toMillis());
        await().atMost(Duration.ofSeconds(5)).until(() -> dialled.size() > dials);
    }

    @Test
    void seedsAreDialledOnStartAndRetriedWithBackoff() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        InetSocketAddress seed = InetSocketAddress.createUnresolved("seed.invalid", 3000);
        NodeConfig cfg = config().seeds(List.of(seed)).outboundTarget(1).build();
        Discovery d = discovery(cfg, a -> Mono.error(new PeerException(DisconnectReason.TIMEOUT, "down")), clock);

        d.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> dialled.size() == 1);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> dialled.size() == 1);
        clock.addAndGet(1_500); // past the first backoff (1 s ± 50 %)
        await().atMost(Duration.ofSeconds(5)).until(() -> dialled.size() == 2);
        clock.addAndGet(3_100); // the second backoff is 2 s ± 50 %
        await().atMost(Duration.ofSeconds(5)).until(() -> dialled.size() == 3);
        assertThat(dialled).containsOnly(seed);
    }

    @Test
    void aSeedAlreadyConnectedByItsOwnDialCountsAsReachedAndIsNotReportedAsUnreachable() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Discovery.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        log.addAppender(events);
        try {
            AtomicLong clock = new AtomicLong(1_000_000);
            InetSocketAddress connected = InetSocketAddress.createUnresolved("connected.invalid", 3000);
            InetSocketAddress down = InetSocketAddress.createUnresolved("down.invalid", 3000);
            NodeConfig cfg = config().seeds(List.of(connected, down)).outboundTarget(2).build();
            Discovery d = discovery(cfg, a -> Mono.error(a.equals(connected)
                    ? new PeerException(DisconnectReason.DUPLICATE_CONNECTION, "already connected")
                    : new PeerException(DisconnectReason.TIMEOUT, "down")), clock);

            d.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> events.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().startsWith("seed " + down + " not reached")));
            assertThat(dialled).contains(connected);
            assertThat(events.list).noneMatch(e -> e.getFormattedMessage().startsWith("seed " + connected));
        } finally {
            log.detachAppender(events);
        }
    }
}
