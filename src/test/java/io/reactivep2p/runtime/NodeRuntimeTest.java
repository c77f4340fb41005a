package io.reactivep2p.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.local.LocalAddress;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.testing.TestClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

/** What a node takes from its runtime: channels, time, randomness and timers. */
class NodeRuntimeTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");
    private final List<P2pNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(P2pNode::close);
    }

    private P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.eventLoopThreads(1).outboundTarget(0).build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(5));
    }

    @Test
    void nodesOnTheInMemoryTransportConnectByTheirIpAddressesAndGossipWithoutSockets() {
        NodeRuntime memory = NodeRuntime.builder().transport(Transport.inMemory()).build();
        P2pNode a = start(NodeConfig.builder().runtime(memory).listenHost("10.0.0.1").listenPort(3000));
        P2pNode b = start(NodeConfig.builder().runtime(memory).listenHost("10.0.0.2").listenPort(3000));
        P2pNode c = start(NodeConfig.builder().runtime(memory).listenHost("10.0.0.3"));
        assertThat(a.address()).isEqualTo(new InetSocketAddress("10.0.0.1", 3000));
        assertThat(c.address().getPort()).isBetween(49152, 65535); // port 0: one of the network's own

        Peer bSeenByA = a.connect("10.0.0.2:3000").block(Duration.ofSeconds(5));
        c.connect(b.address()).block(Duration.ofSeconds(5));
        assertThat(bSeenByA.remoteAddress()).isEqualTo(new InetSocketAddress("10.0.0.2", 3000));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.peers().size() == 2);
        Peer aSeenByB = b.peerManager().peer(a.id());
        assertThat(aSeenByB.direction()).isEqualTo(Direction.INBOUND);
        assertThat(aSeenByB.remoteAddress().getAddress().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(aSeenByB.listenAddress()).contains(new InetSocketAddress("10.0.0.1", 3000));

        List<PeerMessage> atC = new CopyOnWriteArrayList<>();
        c.messages(APP).subscribe(atC::add);
        a.broadcast(Message.of(APP, new byte[] {1, 2, 3})).block(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> atC.size() == 1);
        assertThat(atC.get(0).message().payloadBytes()).containsExactly(1, 2, 3);
        assertThat(atC.get(0).peer().id()).isEqualTo(b.id()); // relayed by b
        assertThat(a.bytesSent()).isPositive();

        // One loop thread for the whole network, gone with its last node.
        String network = ((LocalTransport) memory.transport()).name();
        assertThat(threads(network)).hasSize(1);
        stop();
        nodes.clear();
        await().atMost(Duration.ofSeconds(10)).until(() -> threads(network).isEmpty());
    }

    private static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix + "-"))
                .map(Thread::getName)
                .toList();
    }

    @Test
    void inMemoryNetworksAreApartAndTakeOnlyIpAddresses() {
        NodeRuntime one = NodeRuntime.builder().transport(Transport.inMemory()).build();
        NodeRuntime other = NodeRuntime.builder().transport(Transport.inMemory()).build();
        start(NodeConfig.builder().runtime(one).listenHost("10.0.0.1").listenPort(3000));
        P2pNode stranger = start(NodeConfig.builder().runtime(other).listenHost("10.0.0.2").listenPort(3000));
        assertThat(stranger.connect("10.0.0.1:3000").onErrorResume(e -> reactor.core.publisher.Mono.empty())
                .block(Duration.ofSeconds(5))).isNull();

        Transport memory = Transport.inMemory();
        assertThatThrownBy(() -> memory.address(new LocalAddress("elsewhere")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> memory.listen(reactor.netty.tcp.TcpServer.create(), "example.org", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IP addresses");
    }

    @Test
    void theHelloCarriesTheRuntimesWallClock() {
        AtomicLong millis = new AtomicLong(1_234_567_890_123L);
        NodeRuntime frozen = NodeRuntime.builder().clock(TestClock.of(millis::get)).build();
        P2pNode a = start(NodeConfig.builder().runtime(frozen).listenHost("127.0.0.1"));
        P2pNode b = start(NodeConfig.builder().listenHost("127.0.0.1"));
        b.connect(a.address()).block(Duration.ofSeconds(5));
        assertThat(b.peerManager().peer(a.id()).hello().timestampMillis()).isEqualTo(1_234_567_890_123L);
    }

    @Test
    void aSeededRuntimeDrawsTheSameIdsAndChoicesEveryTime() throws Exception {
        NodeRuntime first = seeded(7);
        NodeRuntime second = seeded(7);
        assertThat(NodeConfig.builder().runtime(first).build().nodeId())
                .isEqualTo(NodeConfig.builder().runtime(second).build().nodeId());
        assertThat(first.random().nextLong()).isEqualTo(second.random().nextLong());
        assertThat(NodeConfig.builder().runtime(seeded(8)).build().nodeId())
                .isNotEqualTo(NodeConfig.builder().runtime(seeded(7)).build().nodeId());
    }

    private static NodeRuntime seeded(long seed) throws Exception {
        java.security.SecureRandom secure = java.security.SecureRandom.getInstance("SHA1PRNG");
        secure.setSeed(seed);
        return NodeRuntime.builder().random(new Random(seed)).secureRandom(secure).build();
    }

    @Test
    void theDialerRunsOnTheRuntimesTimers() {
        VirtualTimeScheduler timers = VirtualTimeScheduler.create();
        try {
            P2pNode target = start(NodeConfig.builder().listenHost("127.0.0.1"));
            NodeRuntime virtual = NodeRuntime.builder().timers(timers).build();
            P2pNode dialler = P2pNode.create(NodeConfig.builder().runtime(virtual).listenHost("127.0.0.1")
                    .eventLoopThreads(1).dialInterval(Duration.ofSeconds(1)).outboundTarget(1)
                    .allowLocalAddresses(true).build());
            nodes.add(dialler);
            dialler.start().block(Duration.ofSeconds(5));
            assertThat(dialler.discovery().addressBook()
                    .add(target.address(), target.id(), InetAddress.getLoopbackAddress(), 0)).isTrue();

            timers.advanceTimeBy(Duration.ofMillis(999));
            assertThat(dialler.peers()).isEmpty(); // its first tick is one dial interval away, in virtual time
            timers.advanceTimeBy(Duration.ofMillis(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> dialler.peers().size() == 1);
            assertThat(dialler.peers().iterator().next().id()).isEqualTo(target.id());
        } finally {
            nodes.forEach(P2pNode::close);
            nodes.clear();
            timers.dispose();
        }
    }

    @Test
    void theSystemRuntimeIsTheMachinesOwn() {
        NodeRuntime system = NodeRuntime.system();
        assertThat(system.transport()).isSameAs(Transport.tcp());
        assertThat(system.timers()).isSameAs(Schedulers.parallel());
        assertThat(system.blocking()).isSameAs(Schedulers.boundedElastic());
        assertThat(system.currentTimeMillis())
                .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5_000L));
        assertThat(NodeConfig.builder().build().runtime()).isSameAs(system);
        assertThat(system.toBuilder().build().transport()).isSameAs(Transport.tcp());
    }
}
