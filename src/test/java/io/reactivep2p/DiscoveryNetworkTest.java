package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.discovery.AddressBook;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.GetPeers;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.PeerAddress;
import io.reactivep2p.protocol.Peers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeds, peer exchange, the dialer and the persisted address book, on real loopback sockets. */
class DiscoveryNetworkTest {

    /** An application type: gossiped like any data type, with payloads the node does not parse (unlike TX). */
    static final MessageType APP = MessageType.of(0x80, "APP");

    private final List<P2pNode> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(P2pNode::close);
    }

    /** A local-network node with fast discovery timers. */
    static NodeConfig.Builder local() {
        return NodeConfig.builder()
                .listenHost("127.0.0.1")
                .eventLoopThreads(1)
                .allowLocalAddresses(true)
                .seenCacheSize(1 << 12) // 20 nodes share this JVM's heap; no gossip here
                .dialInterval(Duration.ofMillis(100))
                .peerExchangeInterval(Duration.ofMillis(500))
                .addressBook(AddressBook.Settings.defaults().withAllowLocal(true));
    }

    P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(5));
    }

    static String hostPort(P2pNode node) {
        return "127.0.0.1:" + node.address().getPort();
    }

    static int outbound(P2pNode node) {
        return node.peerManager().outboundCount();
    }

    @Test
    void twentyNodesThatEachKnowOneSeedAllReachTheirOutboundTarget() {
        int target = 4;
        P2pNode first = start(local().outboundTarget(target));
        P2pNode previous = first;
        for (int i = 1; i < 20; i++) {
            previous = start(local().outboundTarget(target).seeds(hostPort(previous)));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nodes)
                .allSatisfy(n -> assertThat(outbound(n)).as("outbound peers of %s", n).isGreaterThanOrEqualTo(target)));
        // Every node learnt of most of the network, not only its seed.
        assertThat(nodes).allSatisfy(n -> assertThat(n.discovery().addressBook().size()).isGreaterThan(target));
    }

    /**
     * With every outbound slot taken and other addresses in its book, the node lets one
     * outbound peer go about every rotation interval and dials another: over a few intervals
     * it has had outbound peers beyond its target, and its slots are full again after each.
     */
    @Test
    void outboundRotationLetsAPeerGoAndDialsAnother() {
        P2pNode hub = start(local().outboundTarget(0));
        for (int i = 0; i < 4; i++) {
            start(local().outboundTarget(1).seeds(hostPort(hub)));
        }
        P2pNode rotating = start(local().outboundTarget(2).seeds(hostPort(hub)).outboundRotation(Duration.ofMillis(300)));
        Set<NodeId> dialled = java.util.concurrent.ConcurrentHashMap.newKeySet();
        rotating.peerEvents().subscribe(e -> {
            if (e.type() == io.reactivep2p.peer.PeerEvent.Type.CONNECTED && e.peer().direction() == Direction.OUTBOUND) {
                dialled.add(e.peer().id());
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> dialled.size() >= 4 && rotating.discovery().rotations() >= 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> outbound(rotating) == 2);
        // The rotated peers heard REQUESTED ("outbound rotation"); the hub never rotates (no slots).
        assertThat(hub.discovery().rotations()).isZero();
    }

    /** Seeds and the application's own dials are never rotated out, and a dialer turned off rotates nothing. */
    @Test
    void rotationLeavesSeedsAndTheApplicationsOwnPeersAlone() {
        P2pNode hub = start(local().outboundTarget(0));
        List<P2pNode> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(start(local().outboundTarget(1).seeds(hostPort(hub))));
        }
        // Its only outbound peers: a seed, and a peer it was told to dial; the book fills from them.
        P2pNode seeded = start(local().outboundTarget(2).seeds(hostPort(hub)).outboundRotation(Duration.ofMillis(200)));
        seeded.connect(others.get(0).address()).block(Duration.ofSeconds(5));
        P2pNode off = start(local().outboundTarget(0).outboundRotation(Duration.ofMillis(200)));
        off.connect(hub.address()).block(Duration.ofSeconds(5));
        off.connect(others.get(1).address()).block(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> seeded.discovery().addressBook().size() >= 3);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() ->
                seeded.discovery().rotations() == 0 && outbound(seeded) == 2
                        && off.discovery().rotations() == 0 && outbound(off) == 2);
    }

    @Test
    void aNodeWhoseFirstSeedIsDownJoinsThroughTheNext() throws Exception {
        P2pNode live = start(local());
        int deadPort = freePort();
        P2pNode joiner = start(local().seeds("127.0.0.1:" + deadPort, hostPort(live)));
        await().atMost(Duration.ofSeconds(10)).until(() -> joiner.peerManager().peer(live.id()) != null);
    }

    @Test
    void aSeedThatIsDownAtStartIsRetriedUntilItComesUp() throws Exception {
        int port = freePort();
        P2pNode joiner = start(local().seeds("127.0.0.1:" + port)
                .addressBook(AddressBook.Settings.defaults().withAllowLocal(true)));
        // The seed comes up after the first attempts failed (backoff 1 s, 2 s, ... with jitter).
        await().atMost(Duration.ofSeconds(5)).until(() -> joiner.peers().isEmpty());
        P2pNode seed = start(local().listenPort(port));
        await().atMost(Duration.ofSeconds(20)).until(() -> joiner.peerManager().peer(seed.id()) != null);
    }

    @Test
    void answersGetPeersWithASampleWithoutTheAskerAndAtMostOncePerHalfInterval() throws Exception {
        P2pNode node = start(local().outboundTarget(0));
        for (int i = 0; i < 3; i++) {
            P2pNode other = start(local());
            node.connect(other.address()).block(Duration.ofSeconds(5));
        }
        try (RawPeer raw = RawPeer.connectSecure(node.address(), 4444)) {
            raw.send(new GetPeers(2).toMessage());
            raw.send(new GetPeers(2).toMessage());
            raw.send(new GetPeers(2).toMessage());
            Peers answer = null;
            while (answer == null) {
                Message m = raw.read();
                if (m.type().equals(MessageType.MsgPeers)) {
                    answer = Peers.decode(m);
                }
            }
            assertThat(answer.peers()).hasSize(2).noneMatch(p -> p.nodeId().equals(raw.id()));
            await().atMost(Duration.ofSeconds(5)).until(() -> node.discovery().ignoredRequests() == 2);
            // The raw peer's listen address was learnt from its HELLO (in the handshake), with its id.
            InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4444);
            await().atMost(Duration.ofSeconds(5)).until(() -> node.discovery().addressBook().entry(listen)
                    .map(e -> raw.id().equals(e.nodeId())).orElse(false));
        }
    }

    @Test
    void unsolicitedPeersAreScoredUntilTheSenderIsBanned() throws Exception {
        P2pNode node = start(local().outboundTarget(0)); // asks no inbound peer
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            Message flood = bogusPeers(new Random(3), 1000).toMessage();
            for (int i = 0; i < 5; i++) {
                raw.send(flood);
            }
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.MISBEHAVIOUR);
            assertThat(node.peerManager().isBanned(raw.id())).isTrue();
            assertThat(node.discovery().badAnswers()).isEqualTo(5);
            assertThat(node.discovery().addressBook().size()).isZero(); // never decoded, never learnt
        }
    }

    @Test
    void aFloodOfTenThousandBogusAddressesNeitherEvictsTriedEntriesNorGrowsPastTheSourceBound() throws Exception {
        P2pNode node = start(local().outboundTarget(0));
        List<P2pNode> honest = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            P2pNode other = start(local());
            honest.add(other);
            node.connect(other.address()).block(Duration.ofSeconds(5));
        }
        AddressBook book = node.discovery().addressBook();
        await().atMost(Duration.ofSeconds(5)).until(() -> book.triedCount() == 3);
        Set<AddressBook.Entry> triedBefore = book.entries().stream().filter(AddressBook.Entry::tried)
                .collect(Collectors.toSet());

        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            node.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort())).subscribe();
            try (Socket socket = listener.accept(); RawPeer raw = RawPeer.acceptedSecure(socket)) {
                Message m;
                do {
                    m = raw.read();
                } while (!m.type().equals(MessageType.MsgGetPeers));
                assertThat(GetPeers.decode(m).max()).isEqualTo(Peers.MAX_PEERS);
                Random random = new Random(7);
                try {
                    for (int i = 0; i < 10; i++) { // one answer, then nine unsolicited
                        raw.send(bogusPeers(random, 1000).toMessage());
                    }
                } catch (SocketException e) {
                    // banned and closed before the last ones were sent
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> node.peerManager().isBanned(raw.id()));
                assertThat(raw.closedByRemote()).isTrue();
            }
        }
        AddressBook.Settings s = book.settings();
        int bound = s.bucketsPerSourceGroup() * s.bucketSize(); // what one source group can reach
        await().atMost(Duration.ofSeconds(5)).until(() -> book.size() > 4);
        // The three honest peers and the flooder (dialled, so tried), plus at most one source's share.
        assertThat(book.size()).isLessThanOrEqualTo(4 + bound).isLessThanOrEqualTo(s.capacity());
        assertThat(book.entries().stream().filter(AddressBook.Entry::tried).map(AddressBook.Entry::address).toList())
                .hasSize(4)
                .containsAll(triedBefore.stream().map(AddressBook.Entry::address).toList());
        // The honest peers were not disturbed.
        assertThat(honest).allSatisfy(h -> assertThat(node.peerManager().peer(h.id())).isNotNull());
    }

    @Test
    void aRestartedNodeRejoinsFromItsSavedBookWithoutSeeds(@TempDir Path dir) {
        Path file = dir.resolve("peers.txt");
        P2pNode b = start(local());
        P2pNode c = start(local().seeds(hostPort(b)));
        await().atMost(Duration.ofSeconds(10)).until(() -> outbound(c) >= 1);
        P2pNode a = start(local().outboundTarget(2).addressBookFile(file).seeds(hostPort(b)));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.peerManager().peer(b.id()) != null
                && a.peerManager().peer(c.id()) != null);
        a.close();
        assertThat(file).exists();

        P2pNode restarted = start(local().outboundTarget(2).addressBookFile(file).identity(a.config().identity()));
        assertThat(restarted.config().discovery().seeds()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> restarted.peerManager().peer(b.id()) != null
                && restarted.peerManager().peer(c.id()) != null);
        assertThat(restarted.peerManager().peer(b.id()).direction()).isEqualTo(Direction.OUTBOUND);
        assertThat(restarted.peerManager().peer(c.id()).direction()).isEqualTo(Direction.OUTBOUND);
    }

    @Test
    void aCorruptBookFileIsIgnoredAndReplacedOnStop(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("peers.txt");
        Files.writeString(file, "garbage\n\u0000\u0001");
        P2pNode seed = start(local());
        P2pNode node = start(local().addressBookFile(file).seeds(hostPort(seed)));
        await().atMost(Duration.ofSeconds(10)).until(() -> node.peerManager().peer(seed.id()) != null);
        node.close();
        AddressBook reloaded = new AddressBook(AddressBook.Settings.defaults().withAllowLocal(true));
        assertThat(reloaded.load(file)).isEqualTo(1);
        assertThat(reloaded.entries()).singleElement().satisfies(e -> {
            assertThat(e.tried()).isTrue();
            assertThat(e.nodeId()).isEqualTo(seed.id());
        });
    }

    @Test
    void peerExchangeMessagesAreHandledByTheNodeAndNotDeliveredToSubscribers() throws Exception {
        P2pNode node = start(local()); // below its outbound target: asks inbound peers too
        List<Message> seen = new CopyOnWriteArrayList<>();
        node.messages().subscribe(pm -> seen.add(pm.message()));
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            Message m;
            do {
                m = raw.read();
            } while (!m.type().equals(MessageType.MsgGetPeers));
            raw.send(new GetPeers(10).toMessage());
            raw.send(new Peers(List.of()).toMessage()); // answers the node's request
            raw.send(Message.of(APP, new byte[] {1}));
            do {
                m = raw.read();
            } while (!m.type().equals(MessageType.MsgPeers));
            await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
            assertThat(seen).extracting(Message::type).containsExactly(APP);
            assertThat(node.discovery().badAnswers()).isZero();
        }
    }

    @Test
    void malformedPeerExchangeMessagesAreProtocolErrors() throws Exception {
        P2pNode node = start(local());
        byte[][] payloads = {{0, 5}, {0, 1, 2}}; // PEERS of 5 entries without them; GET_PEERS of 3 bytes
        MessageType[] types = {MessageType.MsgPeers, MessageType.MsgGetPeers};
        for (int i = 0; i < 2; i++) {
            try (RawPeer raw = RawPeer.connectSecure(node.address())) {
                Message m;
                do {
                    m = raw.read();
                } while (!m.type().equals(MessageType.MsgGetPeers)); // the node asked: a PEERS is due
                raw.send(Message.of(types[i], payloads[i]));
                assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
                await().atMost(Duration.ofSeconds(5)).until(() -> node.peerManager().score(raw.id()) == 50);
            }
        }
    }

    private static Peers bogusPeers(Random random, int count) {
        List<PeerAddress> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] ip = {(byte) (1 + random.nextInt(100)), (byte) random.nextInt(256), (byte) random.nextInt(256),
                    (byte) (1 + random.nextInt(254))};
            try {
                list.add(new PeerAddress(InetAddress.getByAddress(ip), 1 + random.nextInt(65_535), NodeId.random()));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return new Peers(list);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
