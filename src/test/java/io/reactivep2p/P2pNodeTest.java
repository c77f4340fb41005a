package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerEvent;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class P2pNodeTest {

    /** An application type: gossiped like any data type, with payloads the node does not parse (unlike TX). */
    static final MessageType APP = MessageType.of(0x80, "APP");

    private final List<P2pNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(P2pNode::close);
    }

    P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.listenHost("127.0.0.1").eventLoopThreads(1).build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(5));
    }

    P2pNode start() {
        return start(NodeConfig.builder());
    }

    static Message tx(String text) {
        return Message.of(APP, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void twoNodesConnectAndExchangeMessagesBothWays() {
        P2pNode a = start();
        P2pNode b = start();
        ConcurrentLinkedQueue<PeerMessage> atA = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<PeerMessage> atB = new ConcurrentLinkedQueue<>();
        a.messages(APP).subscribe(atA::add);
        b.messages(APP).subscribe(atB::add);

        Peer bFromA = a.connect(b.address()).block(Duration.ofSeconds(5));
        assertThat(bFromA.id()).isEqualTo(b.id());
        assertThat(bFromA.direction()).isEqualTo(Direction.OUTBOUND);
        await().until(() -> b.peers().size() == 1);
        Peer aFromB = b.peers().iterator().next();
        assertThat(aFromB.id()).isEqualTo(a.id());
        assertThat(aFromB.direction()).isEqualTo(Direction.INBOUND);
        assertThat(aFromB.listenAddress()).hasValueSatisfying(addr -> assertThat(addr.getPort()).isEqualTo(a.address().getPort()));

        for (int i = 0; i < 100; i++) {
            a.send(bFromA, tx("a" + i)).block();
            b.send(aFromB, tx("b" + i)).block();
        }
        await().until(() -> atA.size() == 100 && atB.size() == 100);
        assertThat(atB).extracting(PeerMessage::message).startsWith(tx("a0"), tx("a1")).endsWith(tx("a99"));
        assertThat(atA).extracting(pm -> pm.peer().id()).containsOnly(b.id());
        assertThat(atB).extracting(pm -> pm.peer().id()).containsOnly(a.id());
    }

    @Test
    void largeMessagesTravelCompressed() {
        P2pNode a = start();
        P2pNode b = start();
        Message block = Message.of(MessageType.MsgBlock, "block data ".repeat(100_000).getBytes(StandardCharsets.US_ASCII));
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        StepVerifier.create(b.messages(MessageType.MsgBlock).map(PeerMessage::message).take(1))
                .then(() -> peer.send(block).subscribe())
                .expectNext(block)
                .verifyComplete();
    }

    @Test
    void aSubscriberThatDoesNotRequestLosesOnlyItsOwnMessages() {
        P2pNode a = start();
        P2pNode b = start(NodeConfig.builder().subscriberBufferSize(16));
        ConcurrentLinkedQueue<PeerMessage> fast = new ConcurrentLinkedQueue<>();
        b.messages(APP).subscribe(fast::add);
        reactor.core.publisher.BaseSubscriber<PeerMessage> stalled = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                // requests nothing
            }
        };
        b.messages(APP).subscribe(stalled);
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            peer.send(tx("m" + i)).block();
        }
        await().until(() -> fast.size() == 200);
        assertThat(b.droppedDeliveries()).isEqualTo(200 - 16);
        stalled.request(100);
        stalled.dispose();
    }

    @Test
    void aSubscriberBufferIsBoundedInBytesToo() {
        P2pNode a = start();
        P2pNode b = start(NodeConfig.builder()
                .frameSettings(io.reactivep2p.protocol.FrameSettings.defaults().withMaxMessageLength(1000))
                .subscriberBufferBytes(1000));
        ConcurrentLinkedQueue<PeerMessage> fast = new ConcurrentLinkedQueue<>();
        b.messages(APP).subscribe(fast::add);
        b.messages(APP).subscribe(new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                // requests nothing
            }
        });
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        for (int i = 0; i < 10; i++) {
            byte[] payload = new byte[400];
            payload[0] = (byte) i; // distinct: gossip delivers each distinct message once
            peer.send(Message.of(APP, payload)).block();
        }
        await().until(() -> fast.size() == 10);
        assertThat(b.droppedDeliveries()).isEqualTo(8); // the stalled one holds 2 × 400 bytes
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> peer.offer(Message.of(APP, new byte[5_000_000])))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> peer.disconnect(DisconnectReason.UNKNOWN, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fiveNodesInAFullMeshExchangeDirectMessages() {
        List<P2pNode> mesh = new ArrayList<>();
        List<ConcurrentLinkedQueue<PeerMessage>> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            P2pNode node = start(NodeConfig.builder().directTypes(APP)); // point to point, not gossip
            ConcurrentLinkedQueue<PeerMessage> q = new ConcurrentLinkedQueue<>();
            node.messages(APP).subscribe(q::add);
            mesh.add(node);
            received.add(q);
        }
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < i; j++) {
                mesh.get(i).connect(mesh.get(j).address()).block(Duration.ofSeconds(5));
            }
        }
        await().until(() -> mesh.stream().allMatch(n -> n.peers().size() == 4));
        for (P2pNode node : mesh) {
            for (Peer p : node.peers()) {
                p.send(tx("from " + node.id().shortHex() + " to " + p.id().shortHex())).block();
            }
        }
        await().until(() -> received.stream().allMatch(q -> q.size() == 4));
        for (int i = 0; i < 5; i++) {
            Set<Object> senders = received.get(i).stream().map(pm -> pm.peer().id()).collect(Collectors.toSet());
            assertThat(senders).hasSize(4).doesNotContain(mesh.get(i).id());
        }
    }

    @Test
    void simultaneousDialsEndWithExactlyOneConnection() {
        for (int round = 0; round < 5; round++) {
            P2pNode a = start();
            P2pNode b = start();
            Mono.when(a.connect(b.address()).onErrorResume(e -> Mono.empty()),
                    b.connect(a.address()).onErrorResume(e -> Mono.empty())).block(Duration.ofSeconds(5));
            await().until(() -> a.peers().size() == 1 && b.peers().size() == 1
                    && a.peers().iterator().next().isActive() && b.peers().iterator().next().isActive());
            // Both kept the connection dialled by the lower id.
            P2pNode lower = a.id().compareTo(b.id()) < 0 ? a : b;
            P2pNode higher = lower == a ? b : a;
            await().untilAsserted(() -> {
                assertThat(lower.peers()).singleElement().extracting(Peer::direction).isEqualTo(Direction.OUTBOUND);
                assertThat(higher.peers()).singleElement().extracting(Peer::direction).isEqualTo(Direction.INBOUND);
            });
        }
    }

    @Test
    void aNodeDiallingItselfIsRefused() {
        P2pNode a = start();
        StepVerifier.create(a.connect(a.address()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(PeerException.class,
                        pe -> assertThat(pe.reason()).isEqualTo(DisconnectReason.SELF_CONNECTION)))
                .verify(Duration.ofSeconds(5));
        await().until(() -> a.peers().isEmpty());
    }

    @Test
    void aHostNameIsResolvedWhenDialled_anIpLiteralIsDialledAsItIs() {
        P2pNode a = start();
        P2pNode byName = start();
        P2pNode byLiteral = start();

        Peer named = a.connect("localhost:" + byName.address().getPort()).block(Duration.ofSeconds(5));
        Peer literal = a.connect("127.0.0.1:" + byLiteral.address().getPort()).block(Duration.ofSeconds(5));

        assertThat(named.id()).isEqualTo(byName.config().nodeId());
        assertThat(named.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(literal.id()).isEqualTo(byLiteral.config().nodeId());
        assertThat(a.peers()).hasSize(2);
    }

    @Test
    void aSecondConnectionToTheSameNodeIsRefusedAsDuplicate() {
        P2pNode a = start();
        P2pNode b = start();
        a.connect(b.address()).block(Duration.ofSeconds(5));
        StepVerifier.create(a.connect(b.address()))
                .expectErrorSatisfies(e -> assertThat(((PeerException) e).reason()).isEqualTo(DisconnectReason.DUPLICATE_CONNECTION))
                .verify(Duration.ofSeconds(5));
        assertThat(a.peers()).hasSize(1);
    }

    @Test
    void inboundLimitRefusesWithTooManyPeers() {
        P2pNode server = start(NodeConfig.builder().maxInbound(1).plaintext(true));
        start(NodeConfig.builder().plaintext(true)).connect(server.address()).block(Duration.ofSeconds(5));
        await().until(() -> server.peers().size() == 1);
        StepVerifier.create(start(NodeConfig.builder().plaintext(true)).connect(server.address()))
                .expectErrorSatisfies(e -> assertThat(((PeerException) e).reason()).isEqualTo(DisconnectReason.TOO_MANY_PEERS))
                .verify(Duration.ofSeconds(5));
        assertThat(server.peers()).hasSize(1);
    }

    /** With the secure channel there is no channel to say why before the handshake: the refusal is a close. */
    @Test
    void overTheInboundLimitASecureNodeClosesBeforeTheHandshake() {
        P2pNode server = start(NodeConfig.builder().maxInbound(1));
        start().connect(server.address()).block(Duration.ofSeconds(5));
        await().until(() -> server.peers().size() == 1);
        StepVerifier.create(start().connect(server.address()))
                // a close, or a reset when the preamble was still unread: either way before the channel was up
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(PeerException.class,
                        pe -> assertThat(pe.secureHandshakeFailed()).isTrue()))
                .verify(Duration.ofSeconds(5));
        assertThat(server.peers()).hasSize(1);
    }

    @Test
    void peersMeasureRoundTripTime() {
        P2pNode a = start();
        P2pNode b = start();
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        await().until(() -> peer.lastRtt().isPresent());
        assertThat(peer.lastRtt().get()).isPositive().isLessThan(Duration.ofSeconds(1));
        assertThat(peer.averageRtt()).isPresent();
    }

    @Test
    void peerEventsReportConnectAndDisconnectWithReasonAndSide() {
        P2pNode a = start();
        P2pNode b = start();
        StepVerifier.create(b.peerEvents().take(2))
                .then(() -> {
                    Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
                    // Once both first PINGs are answered nothing is in flight from b, so b reads
                    // the DISCONNECT before the connection closes (a write into a closed socket
                    // can otherwise end it first, with an I/O error).
                    await().until(() -> peer.lastRtt().isPresent()
                            && b.peers().stream().allMatch(p -> p.lastRtt().isPresent()));
                    peer.disconnect(DisconnectReason.REQUESTED, "bye").block(Duration.ofSeconds(5));
                })
                .assertNext(e -> assertThat(e.type()).isEqualTo(PeerEvent.Type.CONNECTED))
                .assertNext(e -> {
                    assertThat(e.type()).isEqualTo(PeerEvent.Type.DISCONNECTED);
                    assertThat(e.reason()).isEqualTo(DisconnectReason.REQUESTED);
                    assertThat(e.side()).isEqualTo(PeerEvent.Side.REMOTE);
                    assertThat(e.detail()).isEqualTo("bye");
                })
                .verifyComplete();
    }

    @Test
    void stopDisconnectsEveryPeerAndCompletesTheStreams() {
        try (P2pNode idle = P2pNode.create(NodeConfig.builder().build())) {
            assertThat(idle.isRunning()).isFalse(); // not started
        }
        P2pNode a = start();
        P2pNode b = start();
        assertThat(b.isRunning()).isTrue();
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        StepVerifier.create(b.messages())
                .then(() -> b.stop().block(Duration.ofSeconds(10)))
                .verifyComplete();
        assertThat(b.isRunning()).isFalse();
        StepVerifier.create(peer.onClose())
                .assertNext(why -> {
                    assertThat(why.reason()).isEqualTo(DisconnectReason.REQUESTED);
                    assertThat(why.side()).isEqualTo(PeerEvent.Side.REMOTE);
                })
                .verifyComplete();
        await().until(() -> a.peers().isEmpty());
        assertThat(b.peers()).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneSatisfy(t -> {
            assertThat(t.getName()).contains("p2p-" + b.id().shortHex());
            assertThat(t.isAlive()).isTrue();
        });
    }

    @Test
    void configRejectsInvalidValuesWithClearMessages() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.builder().listenPort(70000).build())
                .hasMessageContaining("listenPort");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.builder().seeds("nope"))
                .hasMessageContaining("host:port");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.builder().pingInterval(Duration.ZERO).build())
                .hasMessageContaining("pingInterval");
        assertThat(NodeConfig.builder().seeds("[::1]:3000", "example.org:3001").build().discovery().seeds())
                .extracting(java.net.InetSocketAddress::getPort).containsExactly(3000, 3001);
        NodeConfig defaults = NodeConfig.builder().build();
        assertThat(defaults.peer().maxPeers()).isEqualTo(50);
        assertThat(defaults.peer().readIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.toBuilder().build().nodeId()).isEqualTo(defaults.nodeId());
        assertThat(InetAddress.getLoopbackAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void withAFlushDelayEveryMessageStillArrivesInOrder() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.builder().flushDelay(Duration.ofSeconds(2)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flushDelay");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.builder().flushDelay(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flushDelay");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeConfig.builder().writeBufferHighWaterMark(1023).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeBufferHighWaterMark");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> NodeConfig.builder().writeBufferHighWaterMark(16 * 1024 * 1024 + 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeBufferHighWaterMark");
        // A small mark with large messages: every message crosses it, and the queue moves on
        // each time the socket drains below half of it.
        P2pNode a = start(NodeConfig.builder().directTypes(APP).flushDelay(Duration.ofMillis(5))
                .writeBufferHighWaterMark(1024));
        P2pNode b = start(NodeConfig.builder().directTypes(APP).flushDelay(Duration.ofMillis(5)));
        assertThat(a.config().transport().writeBufferHighWaterMark()).isEqualTo(1024);
        assertThat(a.config().toBuilder().build().transport().flushDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(a.config().transport().flushDelay()).isEqualTo(Duration.ofMillis(5));
        ConcurrentLinkedQueue<PeerMessage> received = new ConcurrentLinkedQueue<>();
        b.messages(APP).subscribe(received::add);
        Peer peer = a.connect(b.address()).block(Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            byte[] payload = new byte[i % 2 == 0 ? 1 : 3000];
            payload[0] = (byte) i;
            assertThat(peer.offer(Message.of(APP, payload))).isTrue();
        }
        await().until(() -> received.size() == 200);
        int i = 0;
        for (PeerMessage m : received) {
            assertThat(m.message().payloadByte(0)).isEqualTo((byte) i++);
        }
        // PING and PONG bypass the delay: the round trip completes and is measured.
        await().until(() -> peer.lastRtt().isPresent());
    }
}
