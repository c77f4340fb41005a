package io.reactivep2p.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.P2pNode;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");

    private static Latency euUs() {
        return Latency.regions().region("eu", 2).region("us", 1)
                .between("eu", "eu", Duration.ofMillis(5))
                .between("us", "us", Duration.ofMillis(10), Duration.ofMillis(30))
                .between("us", "eu", Duration.ofMillis(40))
                .build();
    }

    @Test
    void regionsTakeTheIndicesInTurnByWeight() {
        Latency l = euUs();
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            first.add(l.regionOf(i));
        }
        assertThat(first).containsExactly("eu", "us", "eu", "eu", "us", "eu");
        assertThat(l.regionNames()).containsExactly("eu", "us");
        assertThat(l.min()).isEqualTo(Duration.ofMillis(5));
        assertThat(l.max()).isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void eachPairDrawsFromItsRegionsRangeTheSameBothWays() {
        Latency l = euUs();
        for (int a = 0; a < 60; a++) {
            for (int b = 0; b < 60; b++) {
                long nanos = l.nanos(3, a, b);
                assertThat(l.nanos(3, b, a)).isEqualTo(nanos);
                String ra = l.regionOf(a);
                String rb = l.regionOf(b);
                if (!ra.equals(rb)) {
                    assertThat(nanos).isEqualTo(Duration.ofMillis(40).toNanos());
                } else if (ra.equals("eu")) {
                    assertThat(nanos).isEqualTo(Duration.ofMillis(5).toNanos());
                } else {
                    assertThat(nanos).isBetween(Duration.ofMillis(10).toNanos(), Duration.ofMillis(30).toNanos());
                }
            }
        }
    }

    @Test
    void theWorldHasFiveRegionsInTheirShares() {
        Latency world = Latency.world();
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            count.merge(world.regionOf(i), 1, Integer::sum);
        }
        assertThat(count).containsExactlyInAnyOrderEntriesOf(Map.of("north-america", 350, "europe", 400, "asia", 150,
                "south-america", 50, "oceania", 50));
        assertThat(world.min()).isEqualTo(Duration.ofMillis(5));
        assertThat(world.max()).isEqualTo(Duration.ofMillis(170));
        int europe = first(world, "europe");
        int asia = first(world, "asia");
        assertThat(world.nanos(9, europe, asia)).isBetween(Duration.ofMillis(90).toNanos(), Duration.ofMillis(130).toNanos());
    }

    private static int first(Latency latency, String region) {
        int i = 0;
        while (!latency.regionOf(i).equals(region)) {
            i++;
        }
        return i;
    }

    @Test
    void aMissingPairUnknownRegionOrBadWeightIsRefused() {
        assertThatThrownBy(() -> Latency.regions().region("a", 1).region("b", 1).between("a", "a", Duration.ZERO)
                .between("a", "b", Duration.ZERO).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'b' and 'b'");
        assertThatThrownBy(() -> Latency.regions().region("a", 1).between("a", "x", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown region 'x'");
        assertThatThrownBy(() -> Latency.regions().region("a", 1).region("a", 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Latency.regions().region("a", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Latency.regions().region("a", 1 << 16).region("b", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Latency.regions().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Latency.regions().region("a", 1)
                .between("a", "a", Duration.ofMillis(2), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Latency.uniform(Duration.ZERO, Duration.ZERO).regionOf(0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMessageBetweenRegionsTakesTheirLatency() {
        try (Simulation sim = Simulation.builder().seed(1).links(Links.builder().latency(euUs()).build()).build()) {
            List<P2pNode> nodes = sim.addNodes(3, c -> c.outboundTarget(0)); // eu, us, eu
            sim.startAll();
            sim.connect(Topology.of(3, List.of(new Topology.Link(0, 1), new Topology.Link(0, 2))));
            Map<Integer, Duration> at = new HashMap<>();
            for (int i = 1; i < 3; i++) {
                int node = i;
                nodes.get(i).messages(APP).subscribe(m -> at.put(node, sim.elapsed()));
            }
            Duration sent = sim.elapsed();
            sim.await(nodes.get(0).broadcast(Message.of(APP, new byte[] {1})), Duration.ofSeconds(1));
            assertThat(sim.runUntil(() -> at.size() == 2, Duration.ofSeconds(1))).isTrue();
            assertThat(at.get(1).minus(sent)).isEqualTo(Duration.ofMillis(40)); // eu -> us
            assertThat(at.get(2).minus(sent)).isEqualTo(Duration.ofMillis(5)); // eu -> eu
        }
    }
}
