package io.reactivep2p.examples.spring;

import static io.reactivep2p.examples.spring.TestPeer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Actuator: the node's health indicator and its meters. */
class ActuatorTest extends AppTestBase {

    @Test
    void health_isDownWithoutPeersAndUpWithOne() {
        client.get().uri("/actuator/health").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody()
                .jsonPath("$.status").isEqualTo("DOWN")
                .jsonPath("$.components.p2p.status").isEqualTo("DOWN")
                .jsonPath("$.components.p2p.details.peers").isEqualTo(0)
                .jsonPath("$.components.p2p.details.listenAddress").isEqualTo(app.address().toString());

        peer = TestPeer.connected(app);

        client.get().uri("/actuator/health/p2p").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.details.peers").isEqualTo(1)
                .jsonPath("$.details.inbound").isEqualTo(1)
                .jsonPath("$.details.nodeId").isEqualTo(app.id().toHex());
        client.get().uri("/actuator/health").exchange().expectStatus().isOk().expectBody(Void.class);

        peer.close();
        peer = null;
        client.get().uri("/actuator/health/p2p").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody().jsonPath("$.details.peers").isEqualTo(0);
    }

    @Test
    void health_readinessGroupIncludesTheNode() {
        client.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                .expectBody().jsonPath("$.components.p2p.status").isEqualTo("DOWN");
        client.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void prometheus_exposesTheNodesMeters() {
        peer = TestPeer.connected(app);
        // The application's node counts the peer's frames as it reads them: the PING that follows
        // the handshake at least (the HELLOs travel in the secure channel's handshake, not as frames).
        await().atMost(WAIT).untilAsserted(() -> assertThat(scrape())
                .contains("p2p_peers{direction=\"inbound\"} 1")
                .contains("p2p_messages_received_total{type=\"PING\"}"));
        assertThat(scrape())
                .contains("p2p_mempool_size ")
                .contains("p2p_handshake_seconds_count{direction=\"inbound\"}");
    }

    private String scrape() {
        return client.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }

    @Test
    void metrics_hasTheMempoolSize() {
        client.get().uri("/actuator/metrics/p2p.mempool.size").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.name").isEqualTo("p2p.mempool.size")
                .jsonPath("$.measurements[0].statistic").isEqualTo("VALUE")
                .jsonPath("$.measurements[0].value").isEqualTo((double) app.mempool().size());
    }

    @Test
    void info_isExposed() {
        client.get().uri("/actuator/info").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.app.description").isNotEmpty();
    }
}
