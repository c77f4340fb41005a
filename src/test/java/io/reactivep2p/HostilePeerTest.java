package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Raw sockets that break the protocol against live nodes on loopback. */
class HostilePeerTest {

    /** An application type: gossiped like any data type, with payloads the node does not parse (unlike TX). */
    static final MessageType APP = MessageType.of(0x80, "APP");

    private final List<P2pNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(P2pNode::close);
    }

    /** A plaintext node: the raw peers here speak version 1's frames (the secure channel's refusals: SecureChannelHandlerTest). */
    private P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.listenHost("127.0.0.1").eventLoopThreads(1).plaintext(true).build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(5));
    }

    @Test
    void garbageAfterTheHandshakeIsAProtocolErrorThatIsScoredWhileOtherPeersCarryOn() throws Exception {
        P2pNode node = start(NodeConfig.builder().limitLoopback(true).maxInboundPerIp(10));
        P2pNode honest = start(NodeConfig.builder());
        ConcurrentLinkedQueue<PeerMessage> received = new ConcurrentLinkedQueue<>();
        node.messages(APP).subscribe(received::add);
        Peer toNode = honest.connect(node.address()).block(Duration.ofSeconds(5));

        try (RawPeer raw = RawPeer.connect(node.address())) {
            raw.send(RawPeer.hello(Hello.VERSION).toMessage());
            byte[] garbage = new byte[200];
            new Random(1).nextBytes(garbage);
            ByteBuffer.wrap(garbage).putInt(0, FrameSettings.DEFAULT_MAGIC).put(5, (byte) 0); // valid magic and flags
            raw.sendBytes(garbage);
            Disconnect d = raw.readDisconnect();
            assertThat(d.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            assertThat(raw.closedByRemote()).isTrue();
        }
        assertThat(node.peerManager().score(InetAddress.getLoopbackAddress())).isEqualTo(50);

        for (int i = 0; i < 50; i++) {
            toNode.send(Message.of(APP, new byte[] {(byte) i})).block();
        }
        await().until(() -> received.size() == 50);
        assertThat(toNode.isActive()).isTrue();
    }

    @Test
    void bytesOfAnotherNetworkCloseTheConnectionWithoutDisconnect() throws Exception {
        P2pNode node = start(NodeConfig.builder());
        try (RawPeer raw = RawPeer.connect(node.address())) {
            byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            raw.sendBytes(garbage);
            assertThat(raw.read().type()).isEqualTo(MessageType.MsgHello);
            assertThat(raw.closedByRemote()).isTrue();
        }
    }

    @Test
    void aSocketThatNeverSendsHelloIsClosedAtTheHandshakeTimeout() throws Exception {
        P2pNode node = start(NodeConfig.builder().handshakeTimeout(Duration.ofMillis(300)));
        try (RawPeer raw = RawPeer.connect(node.address())) {
            assertThat(raw.read().type()).isEqualTo(MessageType.MsgHello);
            Disconnect d = raw.readDisconnect();
            assertThat(d.reason()).isEqualTo(DisconnectReason.TIMEOUT);
            assertThat(raw.closedByRemote()).isTrue();
        }
    }

    @Test
    void anotherVersionIsRefusedWithIncompatibleVersion() throws Exception {
        P2pNode node = start(NodeConfig.builder());
        try (RawPeer raw = RawPeer.connect(node.address())) {
            raw.send(RawPeer.hello(2).toMessage());
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.INCOMPATIBLE_VERSION);
            assertThat(raw.closedByRemote()).isTrue();
        }
        // A future version may extend its HELLO: still INCOMPATIBLE_VERSION, not a protocol error.
        try (RawPeer raw = RawPeer.connect(node.address())) {
            byte[] v2 = RawPeer.hello(2).toMessage().payloadBytes();
            raw.send(Message.of(MessageType.MsgHello, java.util.Arrays.copyOf(v2, v2.length + 10)));
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.INCOMPATIBLE_VERSION);
        }
        assertThat(node.peers()).isEmpty();
        assertThat(node.peerManager().score(InetAddress.getLoopbackAddress())).isZero();
    }

    @Test
    void dialingANodeOfAnotherVersionFailsWithTheReason() throws Exception {
        P2pNode node = start(NodeConfig.builder());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Disconnect> seenByRemote = CompletableFuture.supplyAsync(() -> {
                try (RawPeer raw = RawPeer.accepted(server.accept())) {
                    raw.send(RawPeer.hello(2).toMessage());
                    return raw.readDisconnect();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            StepVerifier.create(node.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort())))
                    .expectErrorSatisfies(e -> assertThat(((PeerException) e).reason())
                            .isEqualTo(DisconnectReason.INCOMPATIBLE_VERSION))
                    .verify(Duration.ofSeconds(5));
            assertThat(seenByRemote.get().reason()).isEqualTo(DisconnectReason.INCOMPATIBLE_VERSION);
        }
    }

    @Test
    void inboundConnectionsPerIpAreLimited() throws Exception {
        P2pNode node = start(NodeConfig.builder().limitLoopback(true).maxInboundPerIp(2));
        try (RawPeer first = RawPeer.connect(node.address()); RawPeer second = RawPeer.connect(node.address());
             RawPeer third = RawPeer.connect(node.address())) {
            assertThat(first.read().type()).isEqualTo(MessageType.MsgHello);
            assertThat(second.read().type()).isEqualTo(MessageType.MsgHello);
            Message refusal = third.read();
            assertThat(Disconnect.decode(refusal).reason()).isEqualTo(DisconnectReason.TOO_MANY_PEERS);
            assertThat(third.closedByRemote()).isTrue();
        }
    }

    @Test
    void twoProtocolErrorsBanTheAddress() throws Exception {
        P2pNode node = start(NodeConfig.builder().limitLoopback(true).maxInboundPerIp(10));
        for (int i = 0; i < 2; i++) {
            try (RawPeer raw = RawPeer.connect(node.address())) {
                raw.sendBytes(ByteBuffer.allocate(14).putInt(FrameSettings.DEFAULT_MAGIC).put((byte) 0).put((byte) 0x80).array());
                assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            }
        }
        assertThat(node.peerManager().isBanned(InetAddress.getLoopbackAddress())).isTrue();
        try (RawPeer raw = RawPeer.connect(node.address())) {
            assertThat(Disconnect.decode(raw.read()).reason()).isEqualTo(DisconnectReason.BANNED);
        }
    }

    @Test
    void unknownTypesAreCountedAndIgnored() throws Exception {
        P2pNode node = start(NodeConfig.builder());
        ConcurrentLinkedQueue<PeerMessage> received = new ConcurrentLinkedQueue<>();
        node.messages().subscribe(received::add);
        try (RawPeer raw = RawPeer.connect(node.address())) {
            raw.send(RawPeer.hello(Hello.VERSION).toMessage());
            for (int i = 0; i < 10; i++) {
                raw.send(Message.of(MessageType.fromCode(0x7E), new byte[] {1, 2, 3}));
            }
            raw.send(Message.of(MessageType.fromCode(0x90), new byte[] {4}));
            await().until(() -> received.size() == 1);
            assertThat(node.unknownFrames()).isEqualTo(10);
            assertThat(received.peek().message().type().code()).isEqualTo(0x90);
        }
    }
}
