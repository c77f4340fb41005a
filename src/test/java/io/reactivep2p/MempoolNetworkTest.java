package io.reactivep2p;

import static io.reactivep2p.mempool.TestTransactions.tx;
import static io.reactivep2p.protocol.MessageType.MsgTx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.gossip.Gossip;
import io.reactivep2p.gossip.Validation;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.MempoolConfig;
import io.reactivep2p.mempool.MempoolEvent;
import io.reactivep2p.mempool.TestTransactions;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The mempool fed by gossip, over real loopback networks. */
class MempoolNetworkTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TestNetwork nodes = new TestNetwork();

    @AfterEach
    void stopAll() {
        nodes.close();
    }

    private static NodeConfig.Builder pool(int maxTransactions) {
        return NodeConfig.builder().mempool(MempoolConfig.builder().maxTransactions(maxTransactions).build());
    }

    @Test
    void aSubmittedTransactionReachesEveryPoolOfTenNodes() {
        List<P2pNode> net = nodes.random(10, 4, 6);
        List<PeerMessage> delivered = new CopyOnWriteArrayList<>();
        for (P2pNode node : net.subList(1, net.size())) {
            node.messages(MsgTx).subscribe(delivered::add);
        }
        Transaction tx = tx(1, 0, 50);
        StepVerifier.create(net.get(0).submit(tx)).expectNext(AddResult.ADDED).verifyComplete();
        await().atMost(WAIT).until(() -> net.stream().allMatch(n -> n.mempool().contains(tx.id())));
        await().atMost(WAIT).until(() -> delivered.size() == net.size() - 1);
        assertThat(delivered).extracting(pm -> Transaction.decode(pm.message())).containsOnly(tx);
        StepVerifier.create(net.get(3).submit(tx)).expectNext(AddResult.DUPLICATE).verifyComplete();
        for (P2pNode node : net) {
            assertThat(node.mempool().size()).isEqualTo(1);
            assertThat(node.gossip().rejected()).isZero();
        }
    }

    @Test
    void aBetterPayerEvictsTheCheapestFromEveryFullPool() {
        List<P2pNode> net = nodes.random(10, 4, 7, () -> pool(5));
        List<List<MempoolEvent<Transaction>>> events = net.stream()
                .map(n -> {
                    List<MempoolEvent<Transaction>> list = new CopyOnWriteArrayList<>();
                    n.mempool().events().subscribe(list::add);
                    return list;
                })
                .toList();
        for (int i = 0; i < 5; i++) {
            assertThat(net.get(i * 2).submit(tx(i, 0, 10 + i)).block()).isEqualTo(AddResult.ADDED);
        }
        await().atMost(WAIT).until(() -> net.stream().allMatch(n -> n.mempool().size() == 5));

        Transaction cheaper = tx(7, 0, 10);
        assertThat(net.get(1).submit(cheaper).block()).as("no better than the cheapest").isEqualTo(AddResult.UNDERPRICED);
        Transaction better = tx(8, 0, 20);
        Transaction cheapest = tx(0, 0, 10);
        assertThat(net.get(9).submit(better).block()).isEqualTo(AddResult.ADDED);
        await().atMost(WAIT).until(() -> net.stream().allMatch(n -> n.mempool().contains(better.id())));
        for (int i = 0; i < net.size(); i++) {
            P2pNode node = net.get(i);
            assertThat(node.mempool().contains(cheapest.id())).isFalse();
            assertThat(node.mempool().contains(cheaper.id())).isFalse();
            assertThat(node.mempool().top(5)).extracting(Transaction::gasPrice).containsExactly(20L, 14L, 13L, 12L, 11L);
            assertThat(events.get(i)).filteredOn(e -> e.kind() == MempoolEvent.Kind.EVICTED)
                    .extracting(MempoolEvent::transaction).containsExactly(cheapest);
        }
    }

    @Test
    void aTransactionAPoolRefusesIsIgnoredNotRelayedAndNotScored() {
        // b takes nothing under 100: what a sends at 50 stops at b, and a is not blamed for it.
        List<P2pNode> line = nodes.line(NodeConfig.builder(),
                NodeConfig.builder().mempool(MempoolConfig.builder().minFeeRate(100).build()),
                NodeConfig.builder());
        P2pNode a = line.get(0);
        P2pNode b = line.get(1);
        P2pNode c = line.get(2);
        Transaction cheap = tx(1, 0, 50);
        Transaction paying = tx(2, 0, 150);
        a.submit(cheap).block();
        a.submit(paying).block();
        await().atMost(WAIT).until(() -> c.mempool().contains(paying.id()));
        assertThat(b.mempool().count(AddResult.BELOW_MIN_FEE)).isEqualTo(1);
        assertThat(b.gossip().ignored()).isEqualTo(1);
        assertThat(b.peerManager().score(a.id())).isZero();
        assertThat(c.mempool().contains(cheap.id())).isFalse();
        assertThat(a.mempool().size()).isEqualTo(2);
    }

    @Test
    void theApplicationsValidatorRunsBeforeThePool() {
        List<P2pNode> line = nodes.line();
        P2pNode b = line.get(1);
        Transaction forged = tx(666, 0, 500);
        Transaction fine = tx(1, 0, 5);
        // e.g. a signature check: sender 666 never signs correctly; asynchronous on purpose.
        b.validator(MsgTx, pm -> Mono.fromCallable(() -> Transaction.decode(pm.message()).from())
                .map(from -> from.equals(TestTransactions.address(666)) ? Validation.REJECT : Validation.ACCEPT)
                .delayElement(Duration.ofMillis(1)));
        line.get(0).submit(forged).block();
        line.get(0).submit(fine).block();
        await().atMost(WAIT).until(() -> line.get(2).mempool().contains(fine.id()));
        assertThat(b.mempool().contains(forged.id())).isFalse();
        assertThat(line.get(2).mempool().contains(forged.id())).isFalse();
        assertThat(b.peerManager().score(line.get(0).id())).isEqualTo(Gossip.INVALID_MESSAGE_SCORE);
    }

    @Test
    void aMalformedTransactionIsRejectedAndScored() throws IOException {
        P2pNode node = nodes.start();
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            raw.send(Message.of(MsgTx, new byte[] {1, 2, 3}));
            raw.send(tx(1, 0, 9).toMessage());
            await().atMost(WAIT).until(() -> node.mempool().size() == 1);
            assertThat(node.malformedTransactions()).isEqualTo(1);
            assertThat(node.gossip().rejected()).isEqualTo(1);
            assertThat(node.peerManager().score(raw.id())).isEqualTo(Gossip.INVALID_MESSAGE_SCORE);
        }
    }

    @Test
    void submitNeedsAStartedNodeAndTheEventsCompleteOnStop() {
        P2pNode node = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").build());
        StepVerifier.create(node.submit(tx(1, 0, 5))).expectError(IllegalStateException.class).verify();
        node.start().block(Duration.ofSeconds(5));
        StepVerifier.create(node.mempool().events())
                .then(() -> node.submit(tx(1, 0, 5)).block())
                .assertNext(e -> assertThat(e.kind()).isEqualTo(MempoolEvent.Kind.ADDED))
                .then(node::close)
                .expectComplete()
                .verify(Duration.ofSeconds(20));
        assertThat(node.mempool().size()).isEqualTo(1);
    }
}
