package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.HandshakePattern;
import io.reactivep2p.noise.HandshakeState;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.transport.SecureChannelHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of secure-channel first messages (preamble and XX message 1, each costing the
 * listener an ephemeral key and two X25519 agreements) while two honest peers gossip through
 * the node: every honest message still arrives. From one address the node refuses what comes
 * over {@code inboundConnectRate} before any handshake work; from many addresses each stays
 * under its rate, and the node answers no more than {@code inboundHandshakeRate} of them a second
 * in all, while the bounds on connections in progress (per address and in total) hold.
 */
class HandshakeFloodTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<P2pNode> nodes = new ArrayList<>();
    private final Set<Integer> received = ConcurrentHashMap.newKeySet();
    private P2pNode node;
    private P2pNode sender;
    private byte[] firstWrite;

    @BeforeEach
    void network() {
        // limitLoopback: the attackers' 127.0.x.y addresses are limited and scored as remote ones.
        node = start(NodeConfig.builder().listenHost("127.0.0.1").limitLoopback(true).outboundTarget(0));
        sender = start(NodeConfig.builder().listenHost("127.0.0.2").outboundTarget(0));
        P2pNode receiver = start(NodeConfig.builder().listenHost("127.0.0.3").outboundTarget(0));
        receiver.messages(APP).subscribe(m -> received.add(m.message().payload().getInt(0)));
        node.connect(sender.address()).block(Duration.ofSeconds(5));
        node.connect(receiver.address()).block(Duration.ofSeconds(5));
        // The listeners admit the node half a round trip after its dials complete (message 3):
        // a broadcast before then would reach no peer.
        await().atMost(WAIT).until(() -> sender.peers().size() == 1 && receiver.peers().size() == 1);
        // One first write replayed by every attacking connection: the listener's work is the same.
        HandshakeState attacker = HandshakeState.builder(HandshakePattern.XX, true)
                .prologue(SecureChannelHandler.prologue(FrameSettings.DEFAULT_MAGIC)).localStatic(Dh.X25519.generateKeyPair(new SecureRandom()))
                .random(new SecureRandom()).build();
        byte[] m1 = attacker.writeMessage(new byte[0]);
        firstWrite = ByteBuffer.allocate(5 + 2 + m1.length).putInt(FrameSettings.DEFAULT_MAGIC)
                .put((byte) SecureChannelHandler.MODE_XX).putShort((short) m1.length).put(m1).array();
    }

    private P2pNode start(NodeConfig.Builder config) {
        P2pNode n = P2pNode.create(config.eventLoopThreads(1).gossipRate(1000).build());
        nodes.add(n);
        return n.start().block(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        nodes.forEach(P2pNode::close);
    }

    @Test
    void aThousandFirstMessagesASecondFromOneAddressAreCutAtItsRateAndHonestGossipGoesOn() throws Exception {
        int sent = 2_000;
        Flood flood = flood(sent, 1_000, i -> InetAddress.getByName("127.0.0.1"));
        int honest = gossipDuring(flood);
        await().atMost(WAIT).until(() -> received.size() == honest);
        // at 10 per second in bursts of 20, over about 2 s: at most some 40 got in
        assertThat(node.peerManager().connectsOverRate()).isGreaterThan(sent - 100L);
        assertThat(node.peers()).hasSize(2);
    }

    @Test
    void aThousandFirstMessagesASecondFromAHundredAddressesAreCutAtTheTotalRateAndDoNotStarveHonestGossip()
            throws Exception {
        int sent = 2_000;
        long start = System.nanoTime();
        Flood flood = flood(sent, 1_000, i -> InetAddress.getByName("127.0.1." + (1 + i % 100)));
        int honest = gossipDuring(flood);
        double seconds = (System.nanoTime() - start) / 1e9;
        await().atMost(WAIT).until(() -> received.size() == honest);
        // Each address stays under its own rate (10/s); all together are cut at inboundHandshakeRate
        // (200/s, bursts of 400) before any handshake work.
        int rate = node.config().peer().inboundHandshakeRate();
        assertThat(flood.answered.get()).as("handshakes the node answered").isPositive()
                .isLessThanOrEqualTo((int) (2 * rate + rate * seconds) + 1);
        assertThat(node.peerManager().handshakesOverRate()).isPositive();
        assertThat(node.peers()).hasSize(2);
    }

    /** The sender gossips one message per 3 ms until the flood is over; returns how many. */
    private int gossipDuring(Flood flood) throws Exception {
        int n = 0;
        while (!flood.pool.awaitTermination(3, TimeUnit.MILLISECONDS)) {
            sender.broadcast(Message.of(APP, ByteBuffer.allocate(4).putInt(n++).array())).block();
        }
        return n;
    }

    @FunctionalInterface
    interface Source {
        InetAddress of(int i) throws IOException;
    }

    /** Connections that send the first write, read the answer if it comes, and close. */
    static final class Flood {
        final ExecutorService pool = Executors.newFixedThreadPool(8);
        final AtomicInteger answered = new AtomicInteger();
    }

    private Flood flood(int connections, int perSecond, Source source) {
        Flood flood = new Flood();
        InetSocketAddress target = node.address();
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        for (int i = 0; i < connections; i++) {
            int index = i;
            flood.pool.execute(() -> {
                // paced: connection i is not opened before start + i × interval
                LockSupport.parkNanos(start + index * interval - System.nanoTime());
                try (Socket s = new Socket()) {
                    s.setSoTimeout(2_000);
                    s.bind(new InetSocketAddress(source.of(index), 0));
                    s.connect(target, 2_000);
                    s.getOutputStream().write(firstWrite);
                    InputStream in = s.getInputStream();
                    if (in.read() >= 0) { // message 2 (or nothing: refused)
                        flood.answered.incrementAndGet();
                    }
                } catch (IOException e) {
                    // refused, reset or timed out: what a flood gets
                }
            });
        }
        flood.pool.shutdown();
        return flood;
    }
}
