package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Nodes over the secure channel (wire protocol v2), on loopback sockets: ids are proven keys,
 * IK dials reach only the node they name, the two versions never connect, and the wire
 * carries no plaintext.
 */
class SecureChannelNetworkTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final TestNetwork nodes = new TestNetwork();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void aPeersIdIsTheKeyItProvedInTheHandshake() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        Peer atA = a.connect(b.address()).block(WAIT);
        assertThat(atA.id()).isEqualTo(b.config().identity().id());
        assertThat(atA.id().toBytes()).isEqualTo(b.config().identity().keyPair().publicKey());
        await().until(() -> b.peers().size() == 1);
        assertThat(b.peers().iterator().next().id()).isEqualTo(a.id());
    }

    @Test
    void anIkDialReachesTheNodeItNamesAndNoOther() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        Peer peer = a.connect(b.address(), b.id()).block(WAIT);
        assertThat(peer.id()).isEqualTo(b.id());

        // an id X25519 refuses (a low-order point): the dial fails at once, typed
        StepVerifier.create(a.connect(b.address(), NodeId.of(new byte[32])))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(PeerException.class,
                        pe -> assertThat(pe.secureHandshakeFailed()).isTrue()))
                .verify(WAIT);

        P2pNode c = nodes.start();
        NodeId someoneElse = NodeId.random();
        StepVerifier.create(c.connect(b.address(), someoneElse))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(PeerException.class,
                        pe -> assertThat(pe.secureHandshakeFailed()).isTrue()))
                .verify(WAIT);
        assertThat(b.peers()).extracting(Peer::id).containsExactly(a.id());
        // a stale id is not misbehaviour: the dialer's address is not scored
        assertThat(b.peerManager().score(InetAddress.getLoopbackAddress())).isZero();
    }

    /**
     * The dialer dials a book entry with the id the book holds: IK. When that id is stale (the
     * node's key changed, or peer exchange brought a wrong one), the IK handshake fails, the
     * dial is retried once with XX, and the book learns the key the node proved.
     */
    @Test
    void theDialerTriesTheBooksIdAndLearnsTheKeyANodeProvesInstead() throws Exception {
        P2pNode b = nodes.start();
        P2pNode a = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").eventLoopThreads(1)
                .outboundTarget(1).dialInterval(Duration.ofMillis(50))
                .addressBook(io.reactivep2p.discovery.AddressBook.Settings.defaults().withAllowLocal(true)).build());
        try {
            a.start().block(WAIT);
            NodeId stale = NodeId.random();
            assertThat(a.discovery().addressBook().add(b.address(), stale, InetAddress.getByName("127.0.0.9"),
                    System.currentTimeMillis())).isTrue();
            await().atMost(WAIT).until(() -> a.peers().size() == 1);
            assertThat(a.peers().iterator().next().id()).isEqualTo(b.id());
            assertThat(a.discovery().addressBook().entry(b.address()).orElseThrow().nodeId()).isEqualTo(b.id());
        } finally {
            a.close();
        }
    }

    @Test
    void aSeedPinnedToItsIdIsReachedAndOnePinnedToAnotherIdNever() {
        P2pNode b = nodes.start();
        P2pNode pinnedRight = seeded(b.id().toHex() + "@127.0.0.1:" + b.address().getPort());
        P2pNode pinnedWrong = seeded(NodeId.random().toHex() + "@127.0.0.1:" + b.address().getPort());
        try {
            await().atMost(WAIT).until(() -> pinnedRight.peers().size() == 1);
            assertThat(pinnedRight.peers().iterator().next().id()).isEqualTo(b.id());
            // IK under the wrong key fails, and so does the retry with XX: b proves another key
            await().atMost(WAIT).until(() -> b.peers().size() == 1);
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> pinnedWrong.peers().isEmpty()
                    && b.peers().size() == 1); // its first dial, IK then XX, happens as it starts
            assertThat(pinnedWrong.discovery().addressBook().entry(b.address())).isEmpty();
        } finally {
            pinnedRight.close();
            pinnedWrong.close();
        }
        assertThat(nodes.start().connect(b.id().toHex() + "@127.0.0.1:" + b.address().getPort()).block(WAIT).id())
                .isEqualTo(b.id());
        StepVerifier.create(nodes.start().connect(NodeId.random().toHex() + "@127.0.0.1:" + b.address().getPort()))
                .expectError(PeerException.class).verify(WAIT);
    }

    private static P2pNode seeded(String seed) {
        P2pNode node = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").eventLoopThreads(1)
                .seeds(seed).allowLocalAddresses(true).build());
        return node.start().block(WAIT);
    }

    /**
     * A peer whose HELLO v2 says another version: once the secure channel is up the node can
     * say why, and does, with a DISCONNECT inner frame in a record, then closes.
     */
    @Test
    void aHelloOfAnotherVersionIsRefusedWithIncompatibleVersionOverTheSecureChannel() throws Exception {
        P2pNode node = nodes.start();
        java.security.SecureRandom random = new java.security.SecureRandom();
        io.reactivep2p.noise.HandshakeState hs = io.reactivep2p.noise.HandshakeState
                .builder(io.reactivep2p.noise.HandshakePattern.XX, true)
                .prologue(io.reactivep2p.transport.SecureChannelHandler.prologue(
                        io.reactivep2p.protocol.FrameSettings.DEFAULT_MAGIC))
                .localStatic(io.reactivep2p.noise.Dh.X25519.generateKeyPair(random)).random(random).build();
        try (Socket s = new Socket(node.address().getAddress(), node.address().getPort())) {
            s.setSoTimeout(5_000);
            java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            byte[] m1 = hs.writeMessage(new byte[0]);
            out.writeInt(io.reactivep2p.protocol.FrameSettings.DEFAULT_MAGIC);
            out.writeByte(io.reactivep2p.transport.SecureChannelHandler.MODE_XX);
            out.writeShort(m1.length);
            out.write(m1);
            byte[] m2 = new byte[in.readUnsignedShort()];
            in.readFully(m2);
            hs.readMessage(m2);
            byte[] hello = new io.reactivep2p.protocol.Hello(3, NodeId.random(), 0, 0, 0, 0, "from the future",
                    new byte[0]).toV2Payload();
            byte[] m3 = hs.writeMessage(hello);
            out.writeShort(m3.length);
            out.write(m3);
            io.reactivep2p.noise.TransportState keys = hs.split();
            byte[] record = new byte[in.readUnsignedShort()];
            in.readFully(record);
            java.nio.ByteBuffer inner = java.nio.ByteBuffer.wrap(keys.readMessage(record));
            assertThat(inner.get()).as("DISCONNECT").isEqualTo((byte) 0x04);
            assertThat(inner.get()).as("flags").isZero();
            inner.getInt(); // length
            assertThat(io.reactivep2p.protocol.DisconnectReason.fromCode(inner.get() & 0xFF))
                    .isEqualTo(io.reactivep2p.protocol.DisconnectReason.INCOMPATIBLE_VERSION);
            assertThat(in.read()).as("then the node closes").isEqualTo(-1);
        }
        assertThat(node.peers()).isEmpty();
    }

    @Test
    void plaintextAndSecureNodesNeverConnectEitherWay() {
        P2pNode secure = nodes.start();
        P2pNode plain = nodes.start(NodeConfig.builder().plaintext(true));
        StepVerifier.create(plain.connect(secure.address())).expectError(PeerException.class).verify(WAIT);
        StepVerifier.create(secure.connect(plain.address())).expectError(PeerException.class).verify(WAIT);
        await().until(() -> secure.peers().isEmpty() && plain.peers().isEmpty());
    }

    @Test
    void theWireCarriesNoPlaintextUnlessThePlaintextProtocolIsAskedFor() throws Exception {
        byte[] secret = "attack at dawn, attack at dawn".getBytes(StandardCharsets.US_ASCII);
        assertThat(contains(capturedBetween(true, secret), secret))
                .as("the capture sees a plaintext node's payload").isTrue();
        assertThat(contains(capturedBetween(false, secret), secret))
                .as("the secure channel's wire").isFalse();
    }

    /** Sends {@code secret} from one node to another through a relay that records what it carries. */
    private byte[] capturedBetween(boolean plaintext, byte[] secret) throws Exception {
        P2pNode sender = nodes.start(NodeConfig.builder().plaintext(plaintext).directTypes(APP));
        P2pNode receiver = nodes.start(NodeConfig.builder().plaintext(plaintext).directTypes(APP));
        ConcurrentLinkedQueue<PeerMessage> got = new ConcurrentLinkedQueue<>();
        receiver.messages(APP).subscribe(got::add);
        try (Relay relay = new Relay(receiver.address())) {
            Peer peer = sender.connect(relay.address()).block(WAIT);
            peer.send(Message.of(APP, secret)).block(WAIT);
            await().atMost(WAIT).until(() -> got.size() == 1);
            return relay.carried();
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** A TCP relay on loopback that forwards both ways and records every byte it carries. */
    static final class Relay implements AutoCloseable {
        private final ServerSocket server;
        private final ByteArrayOutputStream carried = new ByteArrayOutputStream();
        private final Thread acceptor;

        Relay(InetSocketAddress target) throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try (Socket in = server.accept(); Socket out = new Socket(target.getAddress(), target.getPort())) {
                    Thread back = pump(out.getInputStream(), in.getOutputStream());
                    pump(in.getInputStream(), out.getOutputStream()).join();
                    back.join();
                } catch (IOException | InterruptedException e) {
                    // closed by the test
                }
            }, "relay");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private Thread pump(InputStream from, OutputStream to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = from.read(buf)) > 0; ) {
                        synchronized (carried) {
                            carried.write(buf, 0, n);
                        }
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the other side closed
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        byte[] carried() {
            synchronized (carried) {
                return carried.toByteArray();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
