package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.Transaction;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final HttpClient http = HttpClient.newHttpClient();
    private RunningNode node;
    private P2pNode other;

    @BeforeEach
    void start() {
        node = RunningNode.start(new RunningNode.Settings("127.0.0.1", 0, List.of(), null, null, 0, false, false));
        other = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").eventLoopThreads(1).outboundTarget(0)
                .seenCacheSize(1 << 16).build());
        other.start().block(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (other != null) {
            other.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void metrics_servesTheNodesMetersAsPrometheusText_withoutPeerIdsOrAddresses() throws Exception {
        other.connect(node.node().address()).block(Duration.ofSeconds(10));
        Transaction tx = Transaction.builder().from(Address.fromHex("11".repeat(20))).to(Address.fromHex("22".repeat(20)))
                .gasPrice(5).gasLimit(21_000).timestamp(1).build();
        assertThat(other.submit(tx).block()).isEqualTo(AddResult.ADDED);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.node().mempool().contains(tx.id()));

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsServer.CONTENT_TYPE);
        String text = response.body();
        List<String> lines = text.lines().toList();
        assertThat(lines).contains( // counters are doubles, timer counts integers
                "p2p_messages_received_total{type=\"TX\"} 1.0",
                "p2p_messages_received_total{type=\"PING\"} 1.0", // the HELLOs are the secure handshake's
                "p2p_gossip_duplicates_total 0.0",
                "p2p_gossip_validations_total{result=\"accept\"} 1.0",
                "p2p_gossip_validations_total{result=\"ignore\"} 0.0",
                "p2p_gossip_validations_total{result=\"reject\"} 0.0",
                "p2p_gossip_relayed_total 0.0",
                "p2p_dropped_total{reason=\"peer_queue_full\"} 0.0",
                "p2p_dropped_total{reason=\"rate_limited\"} 0.0",
                "p2p_dropped_total{reason=\"subscriber_full\"} 0.0",
                "p2p_mempool_added_total{result=\"added\"} 1.0",
                "p2p_mempool_added_total{result=\"replaced\"} 0.0",
                "p2p_mempool_refused_total{reason=\"duplicate\"} 0.0",
                "p2p_mempool_refused_total{reason=\"sender_limit\"} 0.0",
                "p2p_mempool_evicted_total 0.0",
                "p2p_mempool_expired_total 0.0",
                "p2p_mempool_removed_total 0.0",
                "p2p_transactions_malformed_total 0.0",
                "p2p_peers{direction=\"inbound\"} 1.0",
                "p2p_peers{direction=\"outbound\"} 0.0",
                "p2p_seen_cache_size 1.0",
                "p2p_mempool_size 1.0",
                "p2p_mempool_bytes " + (double) tx.size(),
                "p2p_handshake_seconds_count{direction=\"inbound\"} 1",
                "p2p_handshake_seconds_count{direction=\"outbound\"} 0");
        assertThat(text).doesNotContain("type=\"HELLO\"");
        assertThat(text).contains(
                "\np2p_bytes_received_total{type=\"TX\"} ",
                "\np2p_bytes_sent_total{type=\"PING\"} ",
                "\np2p_frames_rejected_total{reason=\"bad_checksum\"} 0.0",
                "\np2p_handshake_seconds_sum{direction=\"inbound\"} ",
                "\np2p_handshake_seconds_max{direction=\"inbound\"} ",
                "\np2p_ping_rtt_seconds_bucket{le=\"",
                "\np2p_ping_rtt_seconds_bucket{le=\"+Inf\"} ",
                "\n# TYPE p2p_ping_rtt_seconds histogram");

        String[] forbidden = {
            node.node().id().toHex(), node.node().id().shortHex(), other.id().toHex(), other.id().shortHex(),
            "127.0.0.1", String.valueOf(node.node().address().getPort()), String.valueOf(other.address().getPort()),
        };
        for (String value : labelValues(text)) {
            assertThat(value).as("a label value").doesNotContain(forbidden);
        }
    }

    @Test
    void otherPaths_are404() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/x").statusCode()).isEqualTo(404);
        assertThat(get("/metrics?name=p2p_peers").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        InetSocketAddress at = node.metricsAddress().orElseThrow();
        assertThat(at.getPort()).isPositive();
        URI uri = URI.create("http://127.0.0.1:" + at.getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> labelValues(String text) {
        List<String> values = new ArrayList<>();
        text.lines().filter(l -> !l.startsWith("#")).forEach(line -> {
            Matcher m = LABEL.matcher(line);
            while (m.find()) {
                values.add(m.group(2));
            }
        });
        return values;
    }
}
