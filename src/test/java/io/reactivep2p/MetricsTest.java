package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.TestTransactions;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.metrics.MetricsRecorder;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.RpcException;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.testing.WireBytes;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The node's meters in a Micrometer registry, fed by real connections on loopback. */
class MetricsTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");

    private final TestNetwork network = new TestNetwork();

    @AfterEach
    void stop() {
        network.close();
    }

    private static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private static double functionCount(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    private static double gauge(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void withoutARegistryNothingIsRecorded() {
        assertThat(NodeConfig.builder().build().metrics()).isSameAs(MetricsRecorder.NOOP);
    }

    @Test
    void framesPeersHandshakesRoundTripsAndThePoolAreMetered() {
        SimpleMeterRegistry ra = new SimpleMeterRegistry();
        SimpleMeterRegistry rb = new SimpleMeterRegistry();
        P2pNode a = network.start(NodeConfig.builder().meterRegistry(ra));
        P2pNode b = network.start(NodeConfig.builder().meterRegistry(rb));
        TestNetwork.connect(a, b);

        Transaction tx = TestTransactions.tx(1, 0, 10);
        assertThat(a.submit(tx).block()).isEqualTo(AddResult.ADDED);
        assertThat(a.submit(tx).block()).isEqualTo(AddResult.DUPLICATE);
        await().until(() -> b.mempool().contains(tx.id()));
        // small: never compressed; an inner frame (the HELLOs travel in the secure channel's handshake)
        int txFrame = FrameFormat.INNER.headerLength() + tx.toMessage().payloadLength();

        // no HELLO frame either way; the TX from a to b, exactly once
        assertThat(ra.find("p2p.messages.sent").tags("type", "HELLO").counter()).isNull();
        assertThat(rb.find("p2p.messages.received").tags("type", "HELLO").counter()).isNull();
        assertThat(count(ra, "p2p.messages.sent", "type", "TX")).isEqualTo(1);
        assertThat(count(ra, "p2p.bytes.sent", "type", "TX")).isEqualTo(txFrame);
        assertThat(count(rb, "p2p.messages.received", "type", "TX")).isEqualTo(1);
        assertThat(count(rb, "p2p.bytes.received", "type", "TX")).isEqualTo(txFrame);

        assertThat(gauge(ra, "p2p.peers", "direction", "outbound")).isEqualTo(1);
        assertThat(gauge(ra, "p2p.peers", "direction", "inbound")).isZero();
        assertThat(gauge(rb, "p2p.peers", "direction", "inbound")).isEqualTo(1);
        assertThat(ra.get("p2p.handshake").tags("direction", "outbound").timer().count()).isEqualTo(1);
        assertThat(rb.get("p2p.handshake").tags("direction", "inbound").timer().count()).isEqualTo(1);
        // a PING goes out right after the handshake
        await().until(() -> ra.get("p2p.ping.rtt").timer().count() >= 1 && rb.get("p2p.ping.rtt").timer().count() >= 1);
        assertThat(ra.get("p2p.ping.rtt").timer().max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();

        assertThat(gauge(ra, "p2p.mempool.size")).isEqualTo(1);
        assertThat(gauge(rb, "p2p.mempool.size")).isEqualTo(1);
        assertThat(gauge(rb, "p2p.mempool.bytes")).isEqualTo(tx.size());
        assertThat(functionCount(ra, "p2p.mempool.added", "result", "added")).isEqualTo(1);
        assertThat(functionCount(ra, "p2p.mempool.refused", "reason", "duplicate")).isEqualTo(1);
        assertThat(functionCount(rb, "p2p.gossip.validations", "result", "accept")).isEqualTo(1);
        assertThat(gauge(rb, "p2p.seen.cache.size")).isEqualTo(1);
        assertThat(gauge(ra, "p2p.seen.cache.size")).isEqualTo(1);
        for (String refusal : new String[] {"below_min_fee", "oversize", "underpriced", "replacement_underpriced",
                "sender_limit"}) {
            assertThat(functionCount(ra, "p2p.mempool.refused", "reason", refusal)).isZero();
        }
        assertThat(functionCount(ra, "p2p.mempool.evicted")).isZero();
        assertThat(functionCount(rb, "p2p.transactions.malformed")).isZero();
    }

    @Test
    void aRepeatIsCountedAsADuplicate() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        P2pNode node = network.start(NodeConfig.builder().meterRegistry(registry));
        Transaction tx = TestTransactions.tx(2, 0, 10);
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            raw.send(tx.toMessage());
            raw.send(tx.toMessage());
            await().until(() -> functionCount(registry, "p2p.gossip.duplicates") == 1);
        }
        assertThat(count(registry, "p2p.messages.received", "type", "TX")).isEqualTo(2);
        assertThat(functionCount(registry, "p2p.gossip.validations", "result", "accept")).isEqualTo(1);
    }

    @Test
    void requestsAreCountedBySideAndOnesWithoutAHandler() {
        SimpleMeterRegistry ra = new SimpleMeterRegistry();
        SimpleMeterRegistry rb = new SimpleMeterRegistry();
        P2pNode a = network.start(NodeConfig.builder().meterRegistry(ra));
        P2pNode b = network.start(NodeConfig.builder().meterRegistry(rb));
        a.handleRequests(APP, (peer, request) -> Mono.just(request));
        Peer toA = b.connect(a.address()).block(Duration.ofSeconds(5));
        assertThat(toA.request(Message.of(APP, new byte[] {1})).block(Duration.ofSeconds(5))).isNotNull();
        assertThatThrownBy(() -> toA.request(Message.of(MessageType.of(0x99, "NONE"), new byte[0]))
                .block(Duration.ofSeconds(5))).isInstanceOf(RpcException.class);
        assertThat(functionCount(rb, "p2p.rpc.requests", "side", "sent")).isEqualTo(2);
        assertThat(functionCount(ra, "p2p.rpc.requests", "side", "served")).isEqualTo(1);
        assertThat(functionCount(ra, "p2p.rpc.no.handler")).isEqualTo(1);
        assertThat(functionCount(ra, "p2p.rpc.refused")).isZero();
        assertThat(functionCount(ra, "p2p.rpc.unknown.stream.frames")).isZero();
    }

    @Test
    void aRejectedFrameIsCountedByItsFault() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        P2pNode node = network.start(NodeConfig.builder().meterRegistry(registry));
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            byte[] frame = WireBytes.innerFrame(Message.of(MessageType.MsgTx, new byte[] {1, 2, 3}));
            frame[1] |= (byte) 0b1000_0000; // a reserved flag, in a record that authenticates
            raw.sendBytes(frame);
            Disconnect d = raw.readDisconnect();
            assertThat(d.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        }
        assertThat(count(registry, "p2p.frames.rejected", "reason", "reserved_flags")).isEqualTo(1);
        assertThat(count(registry, "p2p.frames.rejected", "reason", "bad_record")).isZero();
        assertThat(registry.find("p2p.messages.received").tags("type", "HELLO").counter()).isNull(); // in the handshake
    }

    @Test
    void framesOfUndefinedTypesShareOneSeries() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        P2pNode node = network.start(NodeConfig.builder().meterRegistry(registry));
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            for (int code = 0x40; code < 0x50; code++) { // 16 codes of the protocol's range it does not define
                raw.send(Message.of(MessageType.fromCode(code), new byte[] {(byte) code}));
            }
            await().until(() -> node.unknownFrames() == 16);
        }
        assertThat(count(registry, "p2p.messages.received", "type", "unknown")).isEqualTo(16);
        assertThat(registry.find("p2p.messages.received").counters()).hasSize(1); // unknown (no HELLO frame in v2)
    }

    @Test
    void nodesSharingARegistryAreToldApartByACommonTagAndNoTagNamesAPeer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        P2pNode a = network.start(NodeConfig.builder().meterRegistry(registry, Tag.of("node", "a")));
        P2pNode b = network.start(NodeConfig.builder().meterRegistry(registry, Tag.of("node", "b")));
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        a.submit(TestTransactions.tx(3, 0, 10)).block();
        await().until(() -> b.mempool().size() == 1);

        assertThat(gauge(registry, "p2p.peers", "node", "a", "direction", "outbound")).isEqualTo(1);
        assertThat(gauge(registry, "p2p.peers", "node", "b", "direction", "inbound")).isEqualTo(1);
        assertThat(gauge(registry, "p2p.mempool.size", "node", "b")).isEqualTo(1);
        for (Meter meter : registry.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                String value = tag.getValue().toLowerCase(Locale.ROOT);
                assertThat(value).doesNotContain(a.id().shortHex()).doesNotContain(b.id().shortHex())
                        .doesNotContain("127.0.0.1").doesNotContain(String.valueOf(peer.remoteAddress().getPort()));
            }
        }
    }
}
