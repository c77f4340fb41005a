package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class DemoTest {

    @Test
    void demo_deliversEveryTransactionToEveryOtherNode_andReportsPropagation() {
        List<Demo.Progress> progress = new CopyOnWriteArrayList<>();
        List<Integer> links = new CopyOnWriteArrayList<>();
        List<Demo.Progress> last = new CopyOnWriteArrayList<>();
        Demo demo = new Demo(new Demo.Settings(5, Duration.ofSeconds(3), 100, 3, 42, false));

        Demo.Report report = demo.run(Duration.ofSeconds(1), new Demo.Listener() {
            @Override
            public void networkUp(int nodes, int n, Duration took) {
                links.add(n);
            }

            @Override
            public void progress(Demo.Progress p) {
                progress.add(p);
            }

            @Override
            public void done(Demo.Progress p) {
                last.add(p);
            }
        });

        assertThat(report.nodes()).isEqualTo(5);
        assertThat(report.links()).isBetween(4, 10).isEqualTo(links.get(0));
        assertThat(report.refused()).isZero();
        assertThat(report.transactions()).isEqualTo(300); // 100 tx/s for 3 s, paced exactly
        assertThat(report.expectedDeliveries()).isEqualTo(report.transactions() * 4);
        assertThat(report.deliveries()).isEqualTo(report.expectedDeliveries());
        assertThat(report.deliveryRatio()).isEqualTo(1.0);
        assertThat(report.p50Micros()).isPositive();
        assertThat(report.p50Micros()).isLessThanOrEqualTo(report.p90Micros());
        assertThat(report.p90Micros()).isLessThanOrEqualTo(report.p99Micros());
        assertThat(report.p99Micros()).isLessThanOrEqualTo(report.maxMicros());
        assertThat(report.mempoolMin()).isEqualTo(300);
        assertThat(report.mempoolMax()).isEqualTo(300);
        assertThat(report.bytesSentPerNode()).isPositive();
        assertThat(report.bytesReceivedPerNode()).isPositive();
        assertThat(report.duration()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));
        assertThat(progress).isNotEmpty();
        assertThat(last).singleElement().satisfies(p -> {
            assertThat(p.deliveries()).isEqualTo(report.deliveries());
            assertThat(p.deliveryRatio()).isEqualTo(1.0);
        });

        String summary = DemoCommand.summary(report);
        assertThat(summary.lines()).contains(
                "Summary",
                "  nodes              5",
                "  transactions       300",
                "  deliveries         1200 of 1200",
                "  delivery           100.00 %",
                "  mempool size       300 per node");
        assertThat(summary).contains("links", "tx/s", "propagation p50", "propagation p90", "propagation p99",
                "propagation max", "bytes sent", "bytes received", "gossip duplicates");
    }

    @Test
    void demoCommand_plain_printsProgressLinesAndTheSummary() {
        Cli cli = new Cli();

        int code = cli.run("demo", "--nodes", "3", "--duration", "1s", "--tx-rate", "50", "--seed", "7", "--plain");

        assertThat(code).isZero();
        assertThat(cli.err()).isEmpty();
        assertThat(cli.out())
                .startsWith("demo: 3 nodes on 127.0.0.1 (degree 3, seed 7), 50 tx/s for 1.0 s")
                .contains("network up: 3 nodes, ", "Summary", "  deliveries         100 of 100")
                .doesNotContain("\r", "\033");
    }

    @Test
    void demoCommand_json_printsTheFieldsOfSimJson() {
        Cli cli = new Cli();

        int code = cli.run("demo", "--nodes", "3", "--duration", "1s", "--tx-rate", "50", "--seed", "7", "--json");

        assertThat(code).isZero();
        assertThat(cli.out().lines()).hasSize(1);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> json = (java.util.Map<String, Object>) Json.parse(cli.out());
        assertThat(json).containsEntry("nodes", 3.0).containsEntry("deliveryPercent", 100.0)
                .containsKeys("duplicatesPerDelivery", "propagationMillis", "bytesPerNode", "simulatedSeconds",
                        "wallSeconds");
        @SuppressWarnings("unchecked")
        java.util.Map<String, Double> propagation = (java.util.Map<String, Double>) json.get("propagationMillis");
        assertThat(propagation).containsKeys("p50", "p90", "p99", "max");
    }

    @Test
    void demoCommand_onShutdown_stopsSubmittingAndStillPrintsTheSummary() {
        Cli cli = new Cli();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
                () -> cli.run("demo", "--nodes", "3", "--duration", "1h", "--plain"));

        await().atMost(Duration.ofSeconds(20)).until(() -> cli.out().contains("network up"));
        cli.signal(); // what Ctrl-C does; returns once the summary is printed

        assertThat(code).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(0);
        assertThat(cli.out()).contains("Summary", "  delivery           100.00 %");
    }

    @Test
    void seenCacheSize_fitsTwoTtlsOfTransactions_withinBounds() {
        assertThat(Demo.seenCacheSize(1)).isEqualTo(1 << 16);
        assertThat(Demo.seenCacheSize(200)).isEqualTo(1 << 16);
        assertThat(Demo.seenCacheSize(1000)).isEqualTo(1 << 18);
        assertThat(Demo.seenCacheSize(1_000_000)).isEqualTo(1 << 20);
    }
}
