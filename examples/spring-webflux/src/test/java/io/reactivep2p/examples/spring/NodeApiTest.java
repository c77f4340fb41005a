package io.reactivep2p.examples.spring;

import static io.reactivep2p.examples.spring.TestPeer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.Transaction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** {@code POST /tx}, {@code GET /peers}, {@code GET /mempool/top} over HTTP, with a peer on loopback. */
class NodeApiTest extends AppTestBase {

    private WebTestClient.ResponseSpec post(Object body) {
        return client.post().uri("/tx").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    /** Posts a transaction the pool takes as new. (Every test reads each body: an unread one is never released.) */
    private void postAdded(Map<String, Object> body) {
        post(body).expectStatus().isAccepted().expectBody().jsonPath("$.result").isEqualTo("ADDED");
    }

    @Test
    void postTx_answers202WithTheIdAndGossipsTheTransactionToPeers() {
        peer = TestPeer.connected(app);
        String from = TestTransactions.newSender();
        Transaction tx = TestTransactions.tx(from, 0, 50);

        post(TestTransactions.body(from, 0, 50))
                .expectStatus().isAccepted()
                .expectBody()
                .jsonPath("$.id").isEqualTo(tx.id().toHex())
                .jsonPath("$.result").isEqualTo("ADDED");

        assertThat(app.mempool().contains(tx.id())).isTrue();
        await().atMost(WAIT).until(() -> peer.node().mempool().contains(tx.id()));
    }

    @Test
    void postTx_refusesTheSameTransactionAgainAsDuplicateWith409() {
        String from = TestTransactions.newSender();
        Map<String, Object> body = TestTransactions.body(from, 0, 50);
        postAdded(body);

        post(body).expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectBody()
                .jsonPath("$.id").isEqualTo(TestTransactions.tx(from, 0, 50).id().toHex())
                .jsonPath("$.result").isEqualTo("DUPLICATE");
    }

    @Test
    void postTx_refusesAReplacementWithoutTheFeeBumpWith409() {
        String from = TestTransactions.newSender();
        postAdded(TestTransactions.body(from, 0, 100));
        Map<String, Object> sameNonce = TestTransactions.body(from, 0, 105);

        post(sameNonce).expectStatus().isEqualTo(HttpStatus.CONFLICT)
                .expectBody().jsonPath("$.result").isEqualTo("REPLACEMENT_UNDERPRICED");
        sameNonce.put("gasPrice", 110);
        post(sameNonce).expectStatus().isAccepted()
                .expectBody().jsonPath("$.result").isEqualTo("REPLACED");
    }

    @Test
    void postTx_takesNumbersUpTo2To64Minus1AsDecimalStrings() {
        String from = TestTransactions.newSender();
        Map<String, Object> body = TestTransactions.body(from, 0, 1);
        body.put("value", "18446744073709551615");

        postAdded(body);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                                        | Failed to read HTTP message",
            "[1, 2]                                          | Failed to read HTTP message",
            "{\"from\": \"0x1234\"}                          | from must be 40 hex digits, got 4",
            "{\"from\": \"zz22222222222222222222222222222222222222\"} | from is not hex",
            "{\"from\": \"1111111111111111111111111111111111111111\", \"to\": \"2222222222222222222222222222222222222222\", \"nonce\": 0, \"gasPrice\": -5, \"gasLimit\": 1} | gasPrice must not be negative",
            "{\"from\": \"1111111111111111111111111111111111111111\", \"to\": \"2222222222222222222222222222222222222222\", \"nonce\": 0.5, \"gasPrice\": 5, \"gasLimit\": 1} | nonce must be an integer",
            "{\"from\": \"1111111111111111111111111111111111111111\", \"to\": \"2222222222222222222222222222222222222222\", \"nonce\": 0, \"gasPrice\": 5} | gasLimit is required",
    })
    void postTx_answers400WithOneLineForAMalformedBody(String body, String message) {
        post(body).expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.error").value(String.class, error -> assertThat(error).startsWith(message).doesNotContain("\n"));
    }

    @Test
    void postTx_answers400ForAnEmptyBody() {
        client.post().uri("/tx").contentType(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error").isNotEmpty();
    }

    @Test
    void postTx_answers503WhileTheNodeIsNotRunning() {
        P2pNode notStarted = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").eventLoopThreads(1).build());
        try {
            WebTestClient.bindToController(new NodeController(notStarted)).controllerAdvice(new ApiErrors()).build()
                    .post().uri("/tx").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(TestTransactions.body(TestTransactions.newSender(), 0, 5))
                    .exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectBody().jsonPath("$.error").isEqualTo("node is not started");
        } finally {
            notStarted.close();
        }
    }

    @Test
    void getPeers_listsAConnectedPeer() {
        assertThat(client.get().uri("/peers").exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() { })
                .returnResult().getResponseBody()).isEmpty();
        peer = TestPeer.connected(app);

        client.get().uri("/peers").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.length()").isEqualTo(1)
                .jsonPath("$[0].id").isEqualTo(peer.idHex())
                .jsonPath("$[0].direction").isEqualTo("INBOUND")
                .jsonPath("$[0].address").value(String.class, a -> assertThat(a).contains("127.0.0.1"))
                .jsonPath("$[0].listenAddress").isEqualTo("/127.0.0.1:" + peer.node().address().getPort())
                .jsonPath("$[0].userAgent").isEqualTo("reactive-p2p/0.1.0");
    }

    @Test
    void getMempoolTop_listsTheBestPayingFirst() {
        String cheap = TestTransactions.newSender();
        String dear = TestTransactions.newSender();
        postAdded(TestTransactions.body(cheap, 0, 1_000));
        postAdded(TestTransactions.body(dear, 0, 2_000));

        List<Map<String, Object>> top = client.get().uri("/mempool/top?n={n}", NodeController.MAX_TOP).exchange()
                .expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() { })
                .returnResult().getResponseBody();

        List<Object> ids = top.stream().map(t -> t.get("id")).toList();
        String cheapId = TestTransactions.tx(cheap, 0, 1_000).id().toHex();
        String dearId = TestTransactions.tx(dear, 0, 2_000).id().toHex();
        assertThat(ids).contains(cheapId, dearId);
        assertThat(ids.indexOf(dearId)).isLessThan(ids.indexOf(cheapId));
        assertThat(top.get(ids.indexOf(dearId)))
                .containsEntry("from", dear)
                .containsEntry("nonce", 0)
                .containsEntry("gasPrice", 2_000)
                .containsEntry("size", Transaction.FIXED_LENGTH + 2);
    }

    @Test
    void getMempoolTop_defaultsToTwenty() {
        for (int i = 0; i < 21; i++) {
            postAdded(TestTransactions.body(TestTransactions.newSender(), 0, 10));
        }
        client.get().uri("/mempool/top").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(20);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0     | n must be in 1..1000, got 0",
            "1001  | n must be in 1..1000, got 1001",
            "-1    | n must be in 1..1000, got -1",
            "many  | Type mismatch",
    })
    void getMempoolTop_answers400ForNOutOfBounds(String n, String message) {
        client.get().uri("/mempool/top?n={n}", n).exchange()
                .expectStatus().isBadRequest()
                .expectBody()
                .jsonPath("$.error").value(String.class, error -> assertThat(error).startsWith(message).doesNotContain("\n"));
    }
}
