package io.reactivep2p.examples;

import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.MempoolEvent;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.sim.Latency;
import io.reactivep2p.sim.Links;
import io.reactivep2p.test.TestNetwork;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * "A transaction reaches every pool within 2 s of simulated time although the network
 * splits": 20 nodes over 50..150 ms links; a transaction is submitted, the network splits in
 * two for a second while it spreads, heals, and the transaction is in every pool by 2 s. (A
 * split is a cut, not a loss: what crossed it waits, as TCP retransmits, and arrives when it
 * heals, provided the connections outlive it. Flooding has no repair for what is submitted on
 * one side while it lasts; see {@code p2p sim --partition}.)
 */
class SplitNetworkTest {

    @Test
    void aTransactionReachesEveryPoolWithin2sAlthoughTheNetworkSplits() {
        Links wan = Links.builder().latency(Latency.uniform(Duration.ofMillis(50), Duration.ofMillis(150)))
                .bandwidth(10_000_000).build();
        try (TestNetwork net = TestNetwork.builder().nodes(20).degree(3).model(wan).seed(7).start()) {
            Transaction tx = Transaction.builder().from(Address.of(new byte[20])).to(Address.of(new byte[20]))
                    .nonce(0).gasPrice(10).gasLimit(21_000).build();

            StepVerifier.withVirtualTime(() -> Flux.merge(IntStream.range(1, 20).mapToObj(i -> net.pooled(i).events()
                                    .filter(e -> e.kind() == MempoolEvent.Kind.ADDED && e.transaction().id().equals(tx.id()))
                                    .next()).toList()),
                            net::time, Long.MAX_VALUE)
                    .expectSubscription()
                    .then(() -> net.node(0).submit(tx).subscribe())
                    .thenAwait(Duration.ofMillis(100))
                    .then(() -> net.partition(IntStream.range(10, 20).toArray()))  // nodes 10..19 cut off
                    .thenAwait(Duration.ofSeconds(1))
                    .then(net::heal)
                    .thenAwait(Duration.ofMillis(900))                               // 2 s in all
                    .expectNextCount(19)
                    .verifyComplete();
        }
    }
}
