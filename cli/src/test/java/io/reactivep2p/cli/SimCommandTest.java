package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.sim.Latency;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class SimCommandTest {

    @Test
    void sim_json_printsOneObjectWithTheDeliveryPropagationAndCosts() {
        Cli cli = new Cli();

        int code = cli.run("sim", "--nodes", "20", "--degree", "4", "--latency", "20ms..60ms", "--bandwidth", "10Mbit",
                "--tx-rate", "20", "--duration", "3s", "--seed", "5", "--json");

        assertThat(code).isZero();
        assertThat(cli.err()).isEmpty();
        assertThat(cli.out().lines()).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(cli.out());
        assertThat(json).containsEntry("nodes", 20.0).containsEntry("transactions", 60.0)
                .containsEntry("expectedDeliveries", 60.0 * 19).containsEntry("deliveries", 60.0 * 19)
                .containsEntry("deliveryPercent", 100.0);
        assertThat((Double) json.get("duplicatesPerDelivery")).isPositive();
        @SuppressWarnings("unchecked")
        Map<String, Double> propagation = (Map<String, Double>) json.get("propagationMillis");
        assertThat(propagation.get("p50")).isGreaterThanOrEqualTo(20.0); // one hop at least
        assertThat(propagation.get("p50")).isLessThanOrEqualTo(propagation.get("p90"));
        assertThat(propagation.get("p99")).isLessThanOrEqualTo(propagation.get("max"));
        assertThat(json).containsKeys("bytesPerNode", "simulatedSeconds", "wallSeconds", "wallPerSimulatedSecond",
                "events", "heapPerNodeBytes");
        assertThat((Double) json.get("simulatedSeconds")).isBetween(3.0, 13.0);

        // The same seed: the same run, whatever the wall clock did.
        Cli again = new Cli();
        again.run("sim", "--nodes", "20", "--degree", "4", "--latency", "20ms..60ms", "--bandwidth", "10Mbit",
                "--tx-rate", "20", "--duration", "3s", "--seed", "5", "--json");
        @SuppressWarnings("unchecked")
        Map<String, Object> second = (Map<String, Object>) Json.parse(again.out());
        for (String key : new String[] {"deliveries", "duplicatesPerDelivery", "propagationMillis", "bytesPerNode",
                "writesPerNode", "simulatedSeconds"}) {
            assertThat(second.get(key)).as(key).isEqualTo(json.get(key));
        }
    }

    @Test
    void sim_aPartitionShorterThanTheKeepaliveDelaysWhatCrossesIt_butLosesNothing() {
        Cli cli = new Cli();

        int code = cli.run("sim", "--nodes", "16", "--degree", "4", "--latency", "10ms", "--tx-rate", "50",
                "--duration", "4s", "--partition", "1s:50%", "--heal", "3s", "--seed", "3", "--json");

        assertThat(code).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(cli.out());
        // The connections outlive 2 s without traffic: what waited at the cut crosses when it heals.
        assertThat(json).containsEntry("deliveryPercent", 100.0);
        @SuppressWarnings("unchecked")
        Map<String, Double> propagation = (Map<String, Double>) json.get("propagationMillis");
        assertThat(propagation.get("p50")).isLessThan(100.0);          // most never crossed the cut
        assertThat(propagation.get("max")).isBetween(1_900.0, 2_100.0); // submitted as it fell, in at the heal

        Cli plain = new Cli();
        plain.run("sim", "--nodes", "16", "--degree", "4", "--latency", "10ms", "--tx-rate", "50",
                "--duration", "4s", "--partition", "1s:50%", "--heal", "3s", "--seed", "3", "--plain");
        assertThat(plain.out()).contains("PARTITIONED", "Summary", "delivery           100.00 %");
    }

    @Test
    void sim_latencyWorld_placesTheNodesInFiveRegions() {
        Cli cli = new Cli();

        int code = cli.run("sim", "--nodes", "20", "--degree", "4", "--latency", "world", "--tx-rate", "20",
                "--duration", "2s", "--seed", "4", "--json");

        assertThat(code).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(cli.out());
        assertThat(json).containsEntry("latencyRegions", 5.0).containsEntry("latencyMillis", List.of(5.0, 170.0))
                .containsEntry("deliveryPercent", 100.0);
        @SuppressWarnings("unchecked")
        Map<String, Double> propagation = (Map<String, Double>) json.get("propagationMillis");
        assertThat(propagation.get("p50")).isGreaterThanOrEqualTo(5.0);

        Cli plain = new Cli();
        plain.run("sim", "--nodes", "20", "--degree", "4", "--latency", "world", "--tx-rate", "20",
                "--duration", "1s", "--seed", "4", "--plain");
        assertThat(plain.out()).contains("latency 5 regions, 5.0 ms..170.0 ms");
    }

    @Test
    void sim_crashedNodesRestartAndReceiveWhatIsSubmittedOnceTheyAreConnected() {
        Cli cli = new Cli();

        int code = cli.run("sim", "--nodes", "20", "--degree", "4", "--latency", "10ms", "--tx-rate", "50",
                "--duration", "4s", "--crash", "1s:20%", "--restart", "2s", "--seed", "5", "--json");

        assertThat(code).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(cli.out());
        assertThat(json).containsEntry("crashed", 4.0).containsEntry("restarted", 4.0)
                .containsEntry("deliveryPercent", 100.0);
        double transactions = (Double) json.get("transactions");
        double expected = (Double) json.get("expectedDeliveries");
        // Less than to all 19 others: 4 nodes were down for a second and more of the four.
        assertThat(expected).isLessThan(transactions * 19).isGreaterThan(transactions * 15);
        @SuppressWarnings("unchecked")
        Map<String, Double> mempool = (Map<String, Double>) json.get("mempool");
        assertThat(mempool.get("min")).isLessThan(mempool.get("max")); // restarted with empty pools

        Cli plain = new Cli();
        plain.run("sim", "--nodes", "20", "--degree", "4", "--latency", "10ms", "--tx-rate", "50",
                "--duration", "4s", "--crash", "1s:20%", "--restart", "2s", "--seed", "5", "--plain");
        assertThat(plain.out()).contains("DOWN 4", "crashed            4 nodes, 4 restarted", "delivery           100.00 %");
    }

    @Test
    void sim_refusesARestartWithoutACrash_andOneBeforeIt() {
        Cli cli = new Cli();
        assertThat(cli.run("sim", "--restart", "5s")).isEqualTo(2);
        assertThat(cli.err()).contains("--restart needs a --crash");
        Cli before = new Cli();
        assertThat(before.run("sim", "--crash", "10s:10%", "--restart", "5s")).isEqualTo(2);
        assertThat(before.err()).contains("after the crash");
    }

    @Test
    void sim_refusesAHealWithoutAPartition_andOneBeforeIt() {
        Cli cli = new Cli();
        assertThat(cli.run("sim", "--heal", "5s")).isEqualTo(2);
        assertThat(cli.err()).contains("--heal needs a --partition");
        Cli before = new Cli();
        assertThat(before.run("sim", "--partition", "10s:50%", "--heal", "5s")).isEqualTo(2);
        assertThat(before.err()).contains("after the partition");
    }

    @Test
    void converters_readLatenciesBandwidthsAndPartitions() {
        Latency range = new Converters.LatencyRange().convert("50ms..150ms");
        assertThat(range.min()).isEqualTo(Duration.ofMillis(50));
        assertThat(range.max()).isEqualTo(Duration.ofMillis(150));
        assertThat(new Converters.LatencyRange().convert("0").max()).isZero();
        assertThatThrownBy(() -> new Converters.LatencyRange().convert("150ms..50ms"))
                .isInstanceOf(TypeConversionException.class);
        assertThat(new Converters.LatencyRange().convert("World")).isSameAs(Latency.world());
        assertThat(new Converters.Bandwidth().convert("100Mbit")).isEqualTo(100_000_000L);
        assertThat(new Converters.Bandwidth().convert("1.5gbit/s")).isEqualTo(1_500_000_000L);
        assertThat(new Converters.Bandwidth().convert("0")).isZero();
        assertThatThrownBy(() -> new Converters.Bandwidth().convert("fast")).isInstanceOf(TypeConversionException.class);
        SimScenario.Share p = new Converters.AtShare().convert("30s:50%");
        assertThat(p.at()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.share()).isEqualTo(0.5);
        assertThatThrownBy(() -> new Converters.AtShare().convert("30s:100%"))
                .isInstanceOf(TypeConversionException.class);
    }
}
