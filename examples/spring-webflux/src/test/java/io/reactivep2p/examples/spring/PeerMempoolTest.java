package io.reactivep2p.examples.spring;

import static io.reactivep2p.examples.spring.TestPeer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Transaction;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import reactor.test.StepVerifier;

/** {@code GET /peers/{id}/mempool}: the application asks a peer and streams its answer. */
class PeerMempoolTest extends AppTestBase {

    private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() { };

    @Test
    void peerMempool_streamsThePeersBestTransactionsAsNdjson() {
        peer = TestPeer.connected(app);
        PoolExchange.serve(peer.node());
        String from = TestTransactions.newSender();
        Transaction cheap = TestTransactions.tx(from, 0, 5_000_001);
        Transaction dear = TestTransactions.tx(TestTransactions.newSender(), 0, 9_000_001);
        assertThat(peer.node().submit(cheap).block(WAIT)).isEqualTo(AddResult.ADDED);
        assertThat(peer.node().submit(dear).block(WAIT)).isEqualTo(AddResult.ADDED);

        StepVerifier.create(client.get().uri("/peers/{id}/mempool?n=2", peer.idHex())
                        .accept(MediaType.APPLICATION_NDJSON).exchange()
                        .expectStatus().isOk()
                        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                        .returnResult(JSON).getResponseBody())
                .assertNext(tx -> assertThat(tx).containsEntry("id", dear.id().toHex()))   // best first
                .assertNext(tx -> assertThat(tx).containsEntry("id", cheap.id().toHex()))
                .verifyComplete();
    }

    @Test
    void peerMempool_answers404ForAPeerNotConnected_400ForABadN_and502WhenThePeerCannotAnswer() {
        client.get().uri("/peers/{id}/mempool", "ab".repeat(32)).exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.error").isEqualTo("no connected peer " + "ab".repeat(32));
        // Every body is read: an unread one is never released (a leak fails the class).
        client.get().uri("/peers/{id}/mempool?n=0", "ab".repeat(32)).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").isEqualTo("n must be in 1.." + NodeController.MAX_TOP + ", got 0");

        peer = TestPeer.connected(app); // it serves nothing: NO_HANDLER
        client.get().uri("/peers/{id}/mempool", peer.idHex()).exchange()
                .expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.error").value(e -> assertThat((String) e).startsWith("the peer answered NO_HANDLER"));
    }
}
