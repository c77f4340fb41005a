package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.util.ResourceLeakDetector;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.InvItem;
import io.reactivep2p.protocol.Inventory;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.PeerAddress;
import io.reactivep2p.protocol.Peers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Attacks from raw sockets against a live node while two honest peers gossip through it. Each
 * case asserts its documented outcome (docs/security.md §4: DISCONNECT reason, score) and that
 * every honest message sent during the attack reached the other honest peer. The honest
 * nodes listen on 127.0.0.2 and 127.0.0.3 and the node dials them, so that what the attacker
 * earns on 127.0.0.1 (scores, bans: {@code limitLoopback} is on) never touches them.
 *
 * <p>The attacks after admission are frames, the same in both versions of the protocol: this
 * class holds them, and runs them over the secure channel ({@link AttackSuiteTest}, the
 * attacker's frames inside records it encrypts) and over plaintext
 * ({@link AttackSuitePlaintextTest}); each subclass adds the attacks on its own layer below
 * the frames (the preamble, the handshake and records; version 1's magic and checksum).
 */
abstract class AttackSuite {

    static final MessageType APP = MessageType.of(0x80, "APP");
    static final int HONEST_MESSAGES = 100;
    static final InetAddress ATTACKER = InetAddress.getLoopbackAddress();

    final List<P2pNode> nodes = new ArrayList<>();
    private static final ResourceLeakDetector.Level LEAK_LEVEL = ResourceLeakDetector.getLevel();
    private final Set<Integer> received = ConcurrentHashMap.newKeySet();
    P2pNode node;
    private P2pNode sender;

    /** The node's gossip rate limit in these tests: the honest sender stays under it (about 300 messages/s). */
    static final int GOSSIP_RATE = 1000;

    @BeforeEach
    void network(TestInfo test) {
        NodeConfig.Builder config = NodeConfig.builder().listenHost("127.0.0.1").limitLoopback(true).outboundTarget(0)
                .handshakeTimeout(Duration.ofMillis(500)).gossipRate(GOSSIP_RATE);
        switch (test.getTestMethod().orElseThrow().getName()) {
            // Keepalive out of the way: a peer that never reads never answers a PING either, and
            // the slow-peer timeout is checked at each PING tick.
            case "aPeerThatNeverReadsIsDisconnectedAsSlow" ->
                    config.pingInterval(Duration.ofMillis(250)).maxMissedPongs(20).slowPeerTimeout(Duration.ofMillis(500));
            // A flooding peer's PONGs wait behind its flood, read at the gossip rate: seconds here.
            case "gossipAtTenTimesTheRateIsSlowedToTheRateAndNotLost" ->
                    config.pingInterval(Duration.ofSeconds(1)).maxMissedPongs(10);
            // Silence is what this one tests: 2 PINGs of 200 ms unanswered.
            case "aTruncatedFrameFollowedBySilenceTimesOutOnUnansweredPings" ->
                    config.pingInterval(Duration.ofMillis(200)).maxMissedPongs(2);
            // The others: the honest peers' PONGs may wait behind an attack the node's one event
            // loop reads first.
            default -> config.pingInterval(Duration.ofMillis(200)).maxMissedPongs(10);
        }
        if (test.getTestMethod().orElseThrow().getName().equals("aFloodOfUndefinedTypesIsCountedAndIgnored")) {
            // 10,000 frames, each tracked at paranoid with a stack trace per touch, held the
            // node's one event loop for seconds on a loaded machine, and the honest traffic
            // behind it timed out: sampled here (one buffer in 128: a leak of the ignored
            // frames, systematic, is still reported and fails the class).
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        }
        node = start(config);
        sender = start(NodeConfig.builder().listenHost("127.0.0.2").outboundTarget(0));
        P2pNode receiver = start(NodeConfig.builder().listenHost("127.0.0.3").outboundTarget(0));
        receiver.messages(APP).subscribe((PeerMessage m) -> received.add(m.message().payload().getInt(0)));
        node.connect(sender.address()).block(Duration.ofSeconds(5));
        node.connect(receiver.address()).block(Duration.ofSeconds(5));
        // A dial completes when the dialer's handshake does; the listener admits the dialer a
        // moment later (over the secure channel, half a round trip: it waits for message 3). A
        // broadcast by the sender before then reaches no peer and is lost to the test.
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.peers().size() == 1 && receiver.peers().size() == 1);
    }

    @AfterEach
    void stopAll() {
        try {
            nodes.forEach(P2pNode::close);
        } finally {
            ResourceLeakDetector.setLevel(LEAK_LEVEL);
        }
    }

    @AfterAll
    static void heapStayedBounded() throws InterruptedException {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        assertThat(used).as("heap in use after the suite").isLessThan(256L << 20);
    }

    /** Whether the nodes and the attacker speak the secure channel (version 2) or plaintext (version 1). */
    abstract boolean secure();

    /** A node of this suite's version; the honest peers speak the same. */
    private P2pNode start(NodeConfig.Builder config) {
        P2pNode n = P2pNode.create(config.eventLoopThreads(1).plaintext(!secure()).build());
        nodes.add(n);
        return n.start().block(Duration.ofSeconds(5));
    }

    @FunctionalInterface
    interface Attack {
        void run() throws Exception;
    }

    /** Runs {@code attack} while the honest sender gossips 100 messages, then checks every one arrived. */
    void duringHonestTraffic(Attack attack) throws Exception {
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < HONEST_MESSAGES; i++) {
                byte[] payload = ByteBuffer.allocate(64).putInt(i).array();
                sender.broadcast(Message.of(APP, payload)).block(Duration.ofSeconds(5));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3)); // paced across the attack
            }
        });
        attack.run();
        traffic.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == HONEST_MESSAGES);
        assertThat(node.peers()).hasSizeGreaterThanOrEqualTo(2);
    }

    /** A raw peer of this suite's version that the node admitted (the node then holds 3 peers). */
    RawPeer admitted(P2pNode target) throws Exception {
        RawPeer raw;
        if (secure()) {
            raw = RawPeer.connectSecure(target.address());
        } else {
            raw = RawPeer.connect(target.address());
            raw.send(RawPeer.hello(Hello.VERSION).toMessage());
        }
        await().until(() -> target.peers().size() == 3);
        return raw;
    }

    /**
     * A frame header as given: version 1's (the default magic, a checksum of 0) or an inner
     * frame's (version 2).
     */
    byte[] header(int type, int flags, long length, int crc) {
        if (secure()) {
            return ByteBuffer.allocate(FrameFormat.INNER.headerLength()).put((byte) type).put((byte) flags)
                    .putInt((int) length).array();
        }
        return ByteBuffer.allocate(FrameCodec.HEADER_LENGTH).putInt(FrameSettings.DEFAULT_MAGIC).put((byte) type)
                .put((byte) flags).putInt((int) length).putInt(crc).array();
    }

    /** A frame of this suite's version: header and payload as given, with a correct CRC32C in version 1. */
    byte[] frame(int type, int flags, long length, byte[] payload, Integer crc) {
        CRC32C c = new CRC32C();
        c.update(payload);
        byte[] header = header(type, flags, length, crc != null ? crc : (int) c.getValue());
        return ByteBuffer.allocate(header.length + payload.length).put(header).put(payload).array();
    }

    void expectProtocolErrorScored50(RawPeer raw) throws Exception {
        Disconnect d = raw.readDisconnect();
        assertThat(d.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        assertThat(raw.closedByRemote()).isTrue();
        await().until(() -> node.peerManager().score(ATTACKER) == 50);
    }

    /**
     * A new connection from the attacker's address is refused for {@code reason}: with that
     * DISCONNECT in version 1; in version 2 before the handshake, so with a close and nothing
     * sent (the dial's handshake fails).
     */
    void expectRefusedAtConnect(DisconnectReason reason) throws Exception {
        if (secure()) {
            assertThatThrownBy(() -> RawPeer.connectSecure(node.address()).close()).isInstanceOf(IOException.class);
        } else {
            try (RawPeer again = RawPeer.connect(node.address())) {
                assertThat(again.readDisconnect().reason()).isEqualTo(reason);
            }
        }
    }

    @Test
    void aLengthOfTwoGibibytesIsAProtocolErrorBeforeAnyByteIsBuffered() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                raw.sendBytes(header(0x80, 0, 0x8000_0000, 0));
                expectProtocolErrorScored50(raw);
            }
        });
    }

    @Test
    void reservedFlagsAreAProtocolError() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                raw.sendBytes(frame(0x80, 0b1000_0000, 4, new byte[] {1, 2, 3, 4}, null));
                expectProtocolErrorScored50(raw);
            }
        });
    }

    @Test
    void anLz4BombIsRefusedBeforeDecompressing() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                // Declares 2 GiB - 1 of output for a 16-byte block: refused on the declared length.
                byte[] payload = ByteBuffer.allocate(20).putInt(Integer.MAX_VALUE).array();
                raw.sendBytes(frame(0x80, FrameCodec.FLAG_LZ4, payload.length, payload, null));
                expectProtocolErrorScored50(raw);
            }
        });
    }

    @Test
    void aRepeatedHelloIsAProtocolError() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                raw.send(RawPeer.hello(Hello.VERSION).toMessage());
                expectProtocolErrorScored50(raw);
            }
        });
    }

    @Test
    void aTruncatedFrameFollowedBySilenceTimesOutOnUnansweredPings() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                byte[] whole = frame(0x80, 0, 100, new byte[100], null);
                raw.sendBytes(java.util.Arrays.copyOf(whole, 60));
                Disconnect d = raw.readDisconnect(); // 2 PINGs of 200 ms unanswered
                assertThat(d.reason()).isEqualTo(DisconnectReason.TIMEOUT);
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    @Test
    void aFloodOfUndefinedTypesIsCountedAndIgnored() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                byte[] one = frame(0x7E, 0, 8, new byte[8], null);
                ByteBuffer flood = ByteBuffer.allocate(one.length * 10_000);
                for (int i = 0; i < 10_000; i++) {
                    flood.put(one);
                }
                raw.sendBytes(flood.array());
                await().until(() -> node.unknownFrames() == 10_000);
                assertThat(node.peers()).hasSize(3); // still connected
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    @Test
    void aFloodOfUnsolicitedPeersIsScoredUntilTheSenderIsBanned() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                Message peers = new Peers(List.of(new PeerAddress(InetAddress.getByName("203.0.113.7"), 3000,
                        io.reactivep2p.protocol.NodeId.random()))).toMessage();
                for (int i = 0; i < 50; i++) {
                    raw.send(peers);
                }
                Disconnect d = raw.readDisconnect();
                assertThat(d.reason()).isEqualTo(DisconnectReason.MISBEHAVIOUR); // +20 each: banned on the fifth
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().isBanned(ATTACKER)).isTrue();
        expectRefusedAtConnect(DisconnectReason.BANNED);
    }

    /**
     * 1,000 items per INV: the first two take the burst of 2,000 items, of which the first
     * 1,024 are asked for with GET_DATA (never answered) and the rest not, that peer having as
     * many requests pending as one peer may; every INV over the rate costs 5 points, so the
     * twentieth over it bans the sender.
     */
    @Test
    void anInvFloodIsCutAtTheRateAndScoredUntilTheSenderIsBanned() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                for (int i = 0; i < 40; i++) {
                    raw.send(inventory(true, Inventory.MAX_ITEMS));
                }
                Disconnect d = raw.readDisconnect();
                assertThat(d.reason()).isEqualTo(DisconnectReason.MISBEHAVIOUR);
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().isBanned(ATTACKER)).isTrue();
        // Asked for: as many as one peer may have pending (a quarter of the node's fetch table),
        // out of the burst and what the rate refilled while the flood was read.
        assertThat(node.gossip().fetched()).isEqualTo(1024);
        assertThat(node.gossip().fetchesOverPeerCap()).isGreaterThanOrEqualTo(2000L - 1024);
        assertThat(node.gossip().overLimitItems()).isGreaterThanOrEqualTo(20L * Inventory.MAX_ITEMS);
    }

    @Test
    void aGetDataFloodIsCutAtTheRateAndScoredUntilTheSenderIsBanned() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                for (int i = 0; i < 40; i++) {
                    raw.send(inventory(false, Inventory.MAX_ITEMS));
                }
                Disconnect d = raw.readDisconnect();
                assertThat(d.reason()).isEqualTo(DisconnectReason.MISBEHAVIOUR);
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().isBanned(ATTACKER)).isTrue();
        assertThat(node.gossip().served()).isZero();
        assertThat(node.gossip().unknownRequests()).isBetween(2000L, 3000L); // answered with nothing
    }

    /**
     * Ten times the gossip rate for half a second: the node handles the burst at once and the
     * rest at the rate, reading the flood no faster than that, and loses none of it. Nothing
     * is scored: a fast peer is slowed down, not punished.
     */
    @Test
    void gossipAtTenTimesTheRateIsSlowedToTheRateAndNotLost() throws Exception {
        MessageType flood = MessageType.of(0x81, "FLOOD");
        int count = GOSSIP_RATE * 10 / 2;
        Set<Integer> relayed = ConcurrentHashMap.newKeySet();
        P2pNode receiver = nodes.get(2);
        receiver.messages(flood).subscribe((PeerMessage m) -> relayed.add(m.message().payload().getInt(0)));
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                raw.answerPings();
                long start = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    raw.send(Message.of(flood, ByteBuffer.allocate(32).putInt(i).array()));
                    if (i % 100 == 99) { // 10 x GOSSIP_RATE messages per second
                        LockSupport.parkNanos(start + (i + 1) * 1_000_000_000L / (10L * GOSSIP_RATE) - System.nanoTime());
                    }
                }
                // At most the burst, plus the rate since the flood began (and one message of slack).
                for (int check = 0; check < 4; check++) {
                    long handled = node.gossip().accepted();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertThat(handled).isLessThanOrEqualTo(
                            (long) (2 * GOSSIP_RATE + GOSSIP_RATE * seconds) + HONEST_MESSAGES + 1);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> relayed.size() == count);
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(seconds).as("time to relay the flood").isGreaterThanOrEqualTo(
                        (count - 2.0 * GOSSIP_RATE) / GOSSIP_RATE * 0.9);
                assertThat(node.gossip().throttled()).isGreaterThan(0);
                assertThat(node.peers()).hasSize(3); // still connected
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    /**
     * A peer that reads nothing while the node has plenty to send it: its queue fills and
     * refuses (the drops are counted), the node never holds more than the queue's budget for
     * it, and after the slow-peer timeout it is disconnected with SLOW_PEER. It cannot read
     * the DISCONNECT behind what it left unread: the node's record of the close says why.
     */
    @Test
    void aPeerThatNeverReadsIsDisconnectedAsSlow() throws Exception {
        MessageType bulk = MessageType.of(0x82, "BULK");
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                io.reactivep2p.peer.Peer attacker = node.peers().stream()
                        .filter(p -> p.remoteAddress().getAddress().equals(ATTACKER)).findFirst().orElseThrow();
                byte[] payload = new byte[12 * 1024]; // pushed, not announced: below largeMessageThreshold
                int i = 0;
                while (attacker.isActive() && i < 20_000) {
                    ByteBuffer.wrap(payload).putInt(i++);
                    node.broadcast(Message.of(bulk, payload)).block();
                    assertThat(attacker.outboundQueue().bytes())
                            .isLessThanOrEqualTo(NodeConfig.builder().build().transport().outboundQueueBytes());
                }
                assertThat(attacker.onClose().block(Duration.ofSeconds(5)).reason())
                        .isEqualTo(DisconnectReason.SLOW_PEER);
                assertThat(node.gossip().relayDrops()).isGreaterThan(0);
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    private static Message inventory(boolean inv, int items) {
        List<InvItem> list = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            byte[] hash = new byte[32];
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(hash);
            list.add(new InvItem(APP, ContentHash.of(hash)));
        }
        Inventory inventory = new Inventory(list);
        return inv ? inventory.toInv() : inventory.toGetData();
    }
}
