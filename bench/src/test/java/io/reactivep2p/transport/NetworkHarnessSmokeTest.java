package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.testing.LeakDetectionExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the network harness working: its quick mode runs the short sections end to end, and
 * every result must be a real measurement with its baseline. The figures of a quick run mean
 * nothing (cold JIT, tiny counts, paranoid leak detection); none is compared to a target here.
 * A leaked buffer fails the class.
 */
@ExtendWith(LeakDetectionExtension.class)
class NetworkHarnessSmokeTest {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @SuppressWarnings("unchecked")
    void quickRunOfTheShortSectionsReportsEveryMeasurementBesideItsBaseline(@TempDir Path dir) throws Exception {
        Map<String, Object> report = NetworkHarness.report(true, Set.of("reqresp", "rpc", "rtt", "setup", "idle"), "--quick");

        List<Map<String, Object>> results = (List<Map<String, Object>>) report.get("results");
        assertThat(results.stream().map(r -> r.get("section")).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("reqresp", "rpc", "rtt", "setup", "idle");
        for (Map<String, Object> r : results) {
            assertThat((Double) r.get("value")).as("%s", r).isPositive().isFinite();
            if (r.get("baseline") != null) {
                assertThat((Double) r.get("ratio")).as("%s", r).isPositive().isFinite();
            }
        }
        assertThat(results).filteredOn(r -> r.get("baseline") == null).isNotEmpty();
        // 100 idle peers held by the node, measured in a JVM of its own.
        assertThat(results).filteredOn(r -> "p2p admitted idle peer".equals(r.get("variant"))).hasSize(1);
        List<Map<String, Object>> latency = (List<Map<String, Object>>) report.get("latency");
        assertThat(latency).extracting(l -> l.get("variant")).contains("p2p (coalesce)",
                "p2p dial to first message delivered", "p2p, 256-byte peer.request");
        assertThat(results).filteredOn(r -> "rpc".equals(r.get("section"))).hasSize(6); // 3 variants, 2 sizes

        Path json = dir.resolve("report.json");
        Files.writeString(json, Json.write(report));
        assertThat(Files.readString(json)).startsWith("{").contains("\"section\": \"idle\"").endsWith("}\n");
    }

    @Test
    void jsonWritesNumbersStringsAndNestingAsJson() {
        assertThat(Json.write(Map.of("a", List.of(1.5, 100000.0, 12345678.9, "x\"y\n")))).isEqualTo(
                "{\n  \"a\": [\n    1.5,\n    100000,\n    12345700,\n    \"x\\\"y\\n\"\n  ]\n}\n");
    }
}
