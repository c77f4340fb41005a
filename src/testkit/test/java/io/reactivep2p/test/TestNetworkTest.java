package io.reactivep2p.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.P2pNode;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.sim.Latency;
import io.reactivep2p.sim.Links;
import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.List;
import io.reactivep2p.testing.LeakDetectionExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The test kit, as an application's tests use it; leak reports fail the class. */
@ExtendWith(LeakDetectionExtension.class)
class TestNetworkTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");
    private static final Links FIFTY_MS = Links.builder().latency(Latency.fixed(Duration.ofMillis(50))).build();

    @Test
    void stepVerifiersVirtualTimeIsTheNetworks() {
        try (TestNetwork net = TestNetwork.builder().nodes(3).model(FIFTY_MS).seed(1).start()) {
            // A line 0 - 1 - 2: two hops of 50 ms.
            StepVerifier.withVirtualTime(() -> net.node(2).messages(APP).next(), net::time, Long.MAX_VALUE)
                    .expectSubscription()
                    .then(() -> net.node(0).broadcast(Message.of(APP, new byte[] {7})).subscribe())
                    .expectNoEvent(Duration.ofMillis(99))
                    .thenAwait(Duration.ofMillis(1))
                    .assertNext(m -> {
                        assertThat(m.message().payloadBytes()).containsExactly(7);
                        assertThat(m.peer().id()).isEqualTo(net.node(1).id());
                    })
                    .verifyComplete();
            assertThat(net.received(1, APP)).hasSize(1);
            assertThat(net.received(2)).extracting(m -> m.message().type()).containsExactly(APP);
        }
    }

    @Test
    void theTestsOwnDelaysRunOnTheNetworksClock() {
        try (TestNetwork net = TestNetwork.builder().nodes(2).model(FIFTY_MS).seed(2).start()) {
            // Mono.delay without a scheduler: Reactor's parallel(), which withVirtualTime makes the network's time.
            StepVerifier.withVirtualTime(() -> Mono.delay(Duration.ofSeconds(1))
                            .then(net.node(0).broadcast(Message.of(APP, new byte[] {1})))
                            .then(net.node(1).messages(APP).next()), net::time, Long.MAX_VALUE)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(1_049))
                    .thenAwait(Duration.ofMillis(1))
                    .assertNext(m -> assertThat(m.message().payloadBytes()).containsExactly(1))
                    .verifyComplete();
        }
    }

    @Test
    void aCrashedNodeRestartsWithItsIdentity_andIsReachedAgain() {
        try (TestNetwork net = TestNetwork.builder().nodes(2).model(FIFTY_MS).seed(3).start()) {
            P2pNode before = net.node(1);
            net.crash(1);
            net.runFor(Duration.ofSeconds(1));
            assertThat(net.node(0).peers()).isEmpty(); // it saw the connection close
            P2pNode after = net.restart(1);
            assertThat(after).isNotSameAs(before);
            assertThat(after.id()).isEqualTo(before.id());
            assertThat(after.address()).isEqualTo(before.address());
            net.await(net.node(0).connect(after.address(), after.id()), Duration.ofSeconds(5));
            net.await(net.node(0).broadcast(Message.of(APP, new byte[] {9})), Duration.ofSeconds(1));
            net.runFor(Duration.ofMillis(100));
            assertThat(net.received(1, APP)).extracting(m -> m.message().payloadBytes()[0]).containsExactly((byte) 9);
        }
    }

    @Test
    void linksGivenExplicitlyAreTheTopology() {
        try (TestNetwork net = TestNetwork.builder().nodes(3)
                .links(List.of(new Topology.Link(0, 1), new Topology.Link(0, 2))).start()) {
            assertThat(net.node(0).peers()).hasSize(2);
            assertThat(net.node(1).peers()).hasSize(1);
            assertThat(net.simulation().elapsed()).isZero(); // ideal links: handshakes take no simulated time
        }
    }
}
