package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.testing.LeakDetectionExtension;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keeps the soak working: a few seconds of three nodes, every message delivered once to every
 * node but its origin, the heap sampled. In this JVM the buffers report to the test jar's
 * detector, so the soak does not count leaks itself; LeakDetectionExtension fails the class on
 * a leak instead.
 */
@ExtendWith(LeakDetectionExtension.class)
class SoakSmokeTest {

    private static final long SEED = 42;

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    @SuppressWarnings("unchecked")
    void shortSoakDeliversEveryMessageOnceToEveryOtherNodeAndSamplesTheHeap() throws Exception {
        Soak.Settings settings = new Soak.Settings(3, 200, Duration.ofSeconds(2), 2, SEED, Duration.ofMillis(500),
                Duration.ofSeconds(1), Duration.ofSeconds(10));

        Map<String, Object> report = Soak.run(settings, "smoke");

        Map<String, Object> totals = (Map<String, Object>) report.get("totals");
        assertThat(totals).containsEntry("published", 400L).containsEntry("expected_deliveries", 800L)
                .containsEntry("delivered", 800L).containsEntry("lost", 0L).containsEntry("duplicate_deliveries", 0L)
                .containsEntry("self_deliveries", 0L).containsEntry("corrupt", 0L).containsEntry("publish_errors", 0L)
                .containsEntry("drain_end", "every delivery arrived");
        assertThat(totals.get("leak_reports")).isNull();
        assertThat(report).containsEntry("pass", true);
        List<Map<String, Object>> samples = (List<Map<String, Object>>) report.get("samples");
        assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
        assertThat(samples).allSatisfy(s -> assertThat((Long) s.get("heap_used")).isPositive());
        assertThat(samples.get(samples.size() - 1)).containsEntry("phase", "end").containsKey("live_heap");
        Map<String, Object> heap = (Map<String, Object>) report.get("heap");
        assertThat((List<?>) heap.get("live_over_time")).hasSizeGreaterThanOrEqualTo(2);
        Map<String, Long> sums = (Map<String, Long>) ((Map<String, Object>) report.get("nodes")).get("sum");
        assertThat(sums).containsEntry("received_unique", 800L).containsEntry("gossip_accepted", 800L)
                .containsEntry("dropped_deliveries", 0L);
        assertThat(Json.write(report)).startsWith("{").contains("\"samples\": [").endsWith("}\n");
    }

    @Test
    void payloadOfAMessageIsDecidedByItsSequenceNumberAndChecked() {
        for (long seq = 0; seq < 1_000; seq++) {
            byte[] payload = Soak.payload(seq, SEED);
            assertThat(payload.length).isBetween(Soak.MIN_PAYLOAD, Soak.MAX_PAYLOAD);
            assertThat(payload.length % Long.BYTES).isZero();
            assertThat(ByteBuffer.wrap(payload).getLong(0)).isEqualTo(seq);
            assertThat(Soak.payload(seq, SEED)).isEqualTo(payload);
            assertThat(Soak.matches(ByteBuffer.wrap(payload), seq, SEED)).isTrue();
            assertThat(Soak.matches(ByteBuffer.wrap(payload), seq, SEED + 1)).isFalse();
            payload[payload.length - 1] ^= 1;
            assertThat(Soak.matches(ByteBuffer.wrap(payload), seq, SEED)).isFalse();
            assertThat(Soak.origin(seq, SEED, 20)).isBetween(0, 19);
        }
    }

    @Test
    void optionsAndDurationsParse() {
        Soak.Settings s = Soak.parse(new String[] {"--nodes", "7", "--rate", "300", "--duration", "90s", "--seed", "3",
                "--live-heap-every", "0", "--json", "x.json"});
        assertThat(s.nodes()).isEqualTo(7);
        assertThat(s.messages()).isEqualTo(27_000);
        assertThat(s.liveHeapEvery()).isZero();
        assertThat(Soak.parse(new String[0]).duration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(Soak.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Soak.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> Soak.duration("5")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Soak.parse(new String[] {"--nodes", "1"})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Soak.parse(new String[] {"--rate"})).hasMessageContaining("needs a value");
    }
}
