package io.reactivep2p.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.protocol.Message;
import io.reactivep2p.sim.Latency;
import io.reactivep2p.sim.Links;
import io.reactivep2p.test.TestNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * "My validator rejects a bad block and the sender is scored": on a simulated network
 * ({@code reactive-p2p-test}), driven by {@code StepVerifier} on the network's virtual time.
 */
class BlockValidatorTest {

    @Test
    void aBadBlockIsRejected_notRelayed_andItsSenderScored() {
        try (TestNetwork net = TestNetwork.builder().nodes(3).seed(1)   // a line: 0 - 1 - 2
                .model(Links.builder().latency(Latency.fixed(Duration.ofMillis(40))).build()).start()) {
            net.nodes().forEach(BlockValidator::install);
            byte[] good = BlockValidator.block("block 1".getBytes(StandardCharsets.UTF_8));
            byte[] bad = Arrays.copyOf(good, good.length);
            bad[0] ^= 1; // the body no longer matches its checksum

            StepVerifier.withVirtualTime(() -> net.node(2).messages(BlockValidator.TYPE).take(1), net::time,
                            Long.MAX_VALUE)
                    .expectSubscription()
                    .then(() -> net.node(0).broadcast(Message.of(BlockValidator.TYPE, bad)).subscribe())
                    .expectNoEvent(Duration.ofSeconds(1))               // never relayed past node 1
                    .then(() -> net.node(0).broadcast(Message.of(BlockValidator.TYPE, good)).subscribe())
                    .thenAwait(Duration.ofMillis(80))                   // two hops
                    .assertNext(m -> assertThat(m.message().payloadBytes()).isEqualTo(good))
                    .verifyComplete();

            assertThat(net.received(1, BlockValidator.TYPE)).hasSize(1);   // the good one only
            assertThat(net.node(1).peerManager().score(net.node(0).id())).isPositive(); // the sender, scored
            assertThat(net.node(1).gossip().rejected()).isEqualTo(1);
        }
    }
}
