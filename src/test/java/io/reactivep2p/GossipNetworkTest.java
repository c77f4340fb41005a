package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.gossip.BroadcastResult;
import io.reactivep2p.gossip.Gossip;
import io.reactivep2p.gossip.Validation;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.InvItem;
import io.reactivep2p.protocol.Inventory;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Gossip over real loopback sockets in one JVM: what involves sockets or other threads (a peer
 * that stops reading, raw peers, validators off the event loop). Whole-network behaviour
 * (bursts, announcement and fetch of large messages) is tested in the simulator,
 * {@link GossipSimulationTest}.
 */
class GossipNetworkTest {

    /** An application type: gossiped like any data type, with payloads the node does not parse (unlike TX). */
    static final MessageType APP = MessageType.of(0x80, "APP");

    private final TestNetwork nodes = new TestNetwork();

    @AfterEach
    void stopAll() {
        nodes.close();
    }

    static Message numbered(int seq, int size) {
        ByteBuffer payload = ByteBuffer.allocate(Math.max(4, size));
        payload.putInt(0, seq);
        return Message.of(APP, payload.array());
    }

    @Test
    void aRejectingValidatorStopsPropagationAndScoresTheSender() {
        List<P2pNode> line = nodes.line();
        P2pNode a = line.get(0);
        P2pNode b = line.get(1);
        P2pNode c = line.get(2);
        b.validator(APP, pm -> Mono.just(pm.message().payloadByte(0) == 'b' ? Validation.REJECT : Validation.ACCEPT));
        List<String> atC = new CopyOnWriteArrayList<>();
        c.messages(APP).subscribe(pm -> atC.add(new String(pm.message().payloadBytes())));

        a.broadcast(Message.of(APP, "bad".getBytes())).block();
        a.broadcast(Message.of(APP, "good".getBytes())).block();
        await().atMost(Duration.ofSeconds(5)).until(() -> atC.contains("good"));
        assertThat(atC).containsExactly("good"); // in order on one path: "bad" would have come first
        assertThat(b.gossip().rejected()).isEqualTo(1);
        assertThat(b.peerManager().score(a.id())).isEqualTo(Gossip.INVALID_MESSAGE_SCORE);
    }

    @Test
    void anAsynchronousValidatorDecidesOffTheEventLoopAndAFailingOneIgnores() {
        List<P2pNode> line = nodes.line();
        P2pNode a = line.get(0);
        P2pNode b = line.get(1);
        P2pNode c = line.get(2);
        b.validator(APP, pm -> Mono.fromCallable(() -> {
            if (pm.message().payloadByte(0) == 'x') {
                throw new IllegalStateException("validator bug");
            }
            return Validation.ACCEPT;
        }).subscribeOn(Schedulers.boundedElastic()));
        List<String> atC = new CopyOnWriteArrayList<>();
        c.messages(APP).subscribe(pm -> atC.add(new String(pm.message().payloadBytes())));

        a.broadcast(Message.of(APP, "x".getBytes())).block();
        a.broadcast(Message.of(APP, "ok".getBytes())).block();
        await().atMost(Duration.ofSeconds(5)).until(() -> atC.contains("ok"));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.gossip().ignored() == 1);
        assertThat(atC).containsExactly("ok");
        assertThat(b.peerManager().score(a.id())).isZero();
    }

    @Test
    void aPeerThatStopsReadingDelaysNoOneAndHoldsABoundedQueue() throws IOException {
        int queueBytes = 2 * 1024 * 1024; // room for the bursts one read of the source relays at once
        P2pNode relay = nodes.start(NodeConfig.builder().outboundQueueBytes(queueBytes).slowPeerTimeout(Duration.ofMinutes(5))
                .frameSettings(FrameSettings.defaults().withMaxMessageLength(64 * 1024)));
        P2pNode source = nodes.start();
        P2pNode honest = nodes.start();
        TestNetwork.connect(source, relay);
        TestNetwork.connect(honest, relay);
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(relay.address());
            RawPeer.connectSecure(stalled); // reads the handshake's message 2, then never reads again
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.peers().size() == 3);
            Peer stalledPeer = relay.peers().stream()
                    .filter(p -> !p.id().equals(source.id()) && !p.id().equals(honest.id()))
                    .findFirst().orElseThrow();

            int messages = 10_000; // 10 MB: more than the stalled peer's queue and socket buffers hold
            AtomicIntegerArray got = new AtomicIntegerArray(messages);
            AtomicLong maxQueued = new AtomicLong();
            honest.messages(APP).subscribe(pm -> {
                got.incrementAndGet(pm.message().payload().getInt(0));
                maxQueued.accumulateAndGet(stalledPeer.outboundQueue().bytes(), Math::max);
            });
            LongAdder delivered = new LongAdder();
            honest.messages(APP).subscribe(pm -> delivered.increment());
            for (int seq = 0; seq < messages; seq++) {
                // Paced by the honest node (at most 500 in flight): were the stalled peer to hold
                // up the relay, this would stop.
                long atLeast = seq - 500;
                if (delivered.sum() < atLeast) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> delivered.sum() >= atLeast);
                }
                source.broadcast(numbered(seq, 1024)).block();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                int missing = 0;
                for (int i = 0; i < messages; i++) {
                    missing += got.get(i) == 1 ? 0 : 1;
                }
                assertThat(missing).as("missing at the honest node; relay accepted %d, relayed %d, dropped %d, source relayed %d"
                                + " dropped %d", relay.gossip().accepted(), relay.gossip().relayed(), relay.gossip().relayDrops(),
                        source.gossip().relayed(), source.gossip().relayDrops()).isZero();
            });
            assertThat(maxQueued.get()).isLessThanOrEqualTo(queueBytes);
            assertThat(stalledPeer.outboundQueue().bytes()).isLessThanOrEqualTo(queueBytes);
            assertThat(relay.gossip().relayDrops()).isPositive(); // dropped for the stalled peer only
            assertThat(stalledPeer.isActive()).isTrue();
        }
    }

    @Test
    void unknownGetDataIsCountedAndAnsweredWithNothingAndAnInvFloodIsCutAndScored() throws IOException {
        P2pNode node = nodes.start();
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.peers().size() == 1);
            byte[] unknownBytes = new byte[32];
            unknownBytes[0] = 1;
            ContentHash unknown = ContentHash.of(unknownBytes);
            raw.send(new Inventory(List.of(new InvItem(APP, unknown))).toGetData());
            await().atMost(Duration.ofSeconds(5)).until(() -> node.gossip().unknownRequests() == 1);

            Random random = new Random(9);
            for (int i = 0; i < 3; i++) { // 3,000 items: over the burst of 2,000
                List<InvItem> items = new ArrayList<>();
                for (int j = 0; j < Inventory.MAX_ITEMS; j++) {
                    byte[] h = new byte[32];
                    random.nextBytes(h);
                    items.add(new InvItem(APP, ContentHash.of(h)));
                }
                raw.send(new Inventory(items).toInv());
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> node.gossip().overLimitItems() == Inventory.MAX_ITEMS);
            // Asked the announcer for as many as one peer may have pending; the rest of the burst is not asked.
            assertThat(node.gossip().fetched()).isEqualTo(1024);
            assertThat(node.gossip().fetchesOverPeerCap()).isEqualTo(2 * Inventory.MAX_ITEMS - 1024);
            assertThat(node.peerManager().score(raw.id())).isEqualTo(5);
        }
    }

    @Test
    void aMalformedInvIsAProtocolError() throws IOException {
        P2pNode node = nodes.start();
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            raw.send(Message.of(MessageType.MsgInv, new byte[] {0, 1})); // one item announced, none there
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            await().atMost(Duration.ofSeconds(5)).until(() -> node.peerManager().score(raw.id()) == 50);
        }
    }

    @Test
    void relayFanoutLimitsThePeersAMessageGoesTo() {
        P2pNode hub = nodes.start(NodeConfig.builder().relayFanout(2));
        for (int i = 0; i < 5; i++) {
            TestNetwork.connect(nodes.start(), hub);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.peers().size() == 5);
        assertThat(hub.broadcast(numbered(1, 8)).block()).isEqualTo(new BroadcastResult(2, 0));
        assertThat(hub.broadcast(numbered(1, 8)).block()).isEqualTo(new BroadcastResult(0, 0)); // already seen
    }

    @Test
    void broadcastOfAPublisherEmitsOneResultPerMessage() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        TestNetwork.connect(a, b);
        AtomicLong atB = new AtomicLong();
        b.messages(APP).subscribe(pm -> atB.incrementAndGet());
        StepVerifier.create(a.broadcast(Flux.range(0, 100).map(i -> numbered(i, 16))))
                .expectNextCount(100)
                .verifyComplete();
        await().atMost(Duration.ofSeconds(5)).until(() -> atB.get() == 100);
    }
}
