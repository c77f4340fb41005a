package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.perf.PerfClient;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PerfReportTest {

    private static final String NODE = "ab".repeat(32);

    @Test
    void latency_percentilesAreNearestRanks() {
        long[] hundred = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // 100..1, unsorted

        PerfReport.Latency l = PerfReport.Latency.of(hundred);

        assertThat(l).isEqualTo(new PerfReport.Latency(100, 50, 90, 99, 100, 100));
        assertThat(hundred[0]).isEqualTo(100); // the samples are not sorted in place
        long[] thousand = LongStream.rangeClosed(1, 1000).toArray();
        assertThat(PerfReport.Latency.of(thousand).p999()).isEqualTo(999);
        assertThat(PerfReport.Latency.of(new long[] {7})).isEqualTo(new PerfReport.Latency(1, 7, 7, 7, 7, 7));
    }

    @Test
    void throughput_inGigabitsAndMebibytesPerSecond() {
        PerfReport.Throughput t = new PerfReport.Throughput(125_000_000, 1_000_000_000);

        assertThat(t.gbitPerSecond()).isEqualTo(1.0);
        assertThat(t.mibPerSecond()).isCloseTo(119.209, org.assertj.core.data.Offset.offset(0.001));
        assertThat(new PerfReport.Throughput(1, 0).gbitPerSecond()).isZero();
    }

    @Test
    void json_isOneObjectWithNullForWhatWasNotMeasured_inAnyLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // a decimal comma, if anything used the default locale
        try {
            PerfReport r = new PerfReport("[::1]:4001", NODE, true, PerfClient.Data.ZEROS, 1 << 20, 0, 1,
                    List.of(new PerfReport.Run(new PerfReport.Throughput(1 << 20, 2_500_000), null, 2_500_000)), null,
                    new PerfReport.Connection(12_345_678, 456.75), null, 9000, 120);

            String json = r.json();

            assertThat(json).doesNotContain("\n").doesNotContain(",5");
            assertThat(Json.parse(json)).isEqualTo(Json.parse("""
                    {"server":"[::1]:4001","serverNode":"%s",
                     "upload":{"bytes":1048576,"seconds":0.0025,"gbitPerSecond":3.3554,"mibPerSecond":400.0},
                     "download":null,"latency":null,"wire":{"bytesSent":9000,"bytesReceived":120},
                     "lz4":true,"data":"zeros","chunk":1048576,"warmup":0,"repeat":1,
                     "setupMillis":12.346,"processStartToFirstByteMillis":456.8,
                     "runs":[{"upload":{"bytes":1048576,"seconds":0.0025,"gbitPerSecond":3.3554,"mibPerSecond":400.0},
                              "download":null,"ttfbMillis":2.500}],
                     "setup":null}
                    """.formatted(NODE)));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void rounds_theMedianRunIsReportedBesideEveryRun_andTheSetups() {
        List<PerfReport.Run> runs = List.of(
                new PerfReport.Run(new PerfReport.Throughput(1_000_000_000, 2_000_000_000), null, 2_000_000_000),
                new PerfReport.Run(new PerfReport.Throughput(1_000_000_000, 1_000_000_000), null, 1_000_000_000),
                new PerfReport.Run(new PerfReport.Throughput(1_000_000_000, 4_000_000_000L), null, 4_000_000_000L));
        PerfReport r = new PerfReport("h:1", NODE, false, PerfClient.Data.RANDOM, 1 << 20, 2, 3, runs, null,
                new PerfReport.Connection(1_000_000, 250), PerfReport.Setup.of(new long[] {3_000_000, 1_000_000, 2_000_000}, 4),
                5_000_000_000L, 100);

        assertThat(r.upload()).isEqualTo(runs.get(0).upload()); // 4, 8 and 2 Gbit/s: the median is 4
        assertThat(r.download()).isNull();
        assertThat(r.human().lines().toList()).contains(
                "h:1 (node abababababababab), lz4 off, data random, chunk 1.0 MiB, 2 warm-up rounds not reported",
                "  upload    1000000000 bytes in 2.000 s  4.000 Gbit/s  476.8 MiB/s  (median of 3 runs: 4.000, 8.000, 2.000 Gbit/s)",
                "  setups    3 connections: p50 2.000 ms  p90 3.000 ms  p99 3.000 ms  max 3.000 ms (4 dials retried)",
                "  wire      sent 5000000000 bytes (100.0 % of the upload), received 100 bytes");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(r.json());
        assertThat(json).containsEntry("warmup", 2.0).containsEntry("repeat", 3.0);
        assertThat((List<?>) json.get("runs")).hasSize(3);
        assertThat(json.get("setup")).isEqualTo(Json.parse(
                "{\"samples\":3,\"p50Millis\":2.0,\"p90Millis\":3.0,\"p99Millis\":3.0,\"maxMillis\":3.0,\"retries\":4}"));
    }

    @Test
    void json_escapesStrings() {
        assertThat(PerfReport.string("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
        assertThat(Json.parse(PerfReport.string("a\"b\\c\n\u0001"))).isEqualTo("a\"b\\c\n\u0001");
    }

    @Test
    void human_saysWhatWasNotMeasured() {
        PerfReport r = new PerfReport("h:1", NODE, false, PerfClient.Data.RANDOM, 4096, 0, 1,
                List.of(new PerfReport.Run(null, new PerfReport.Throughput(1 << 20, 1_000_000_000), 1_000_000)), null,
                new PerfReport.Connection(2_000_000, 300), null, 100, (1 << 20) + 2048);

        String text = r.human();

        assertThat(text.lines().toList()).containsExactly(
                "h:1 (node abababababababab), lz4 off, data random, chunk 4.0 KiB, no warm-up",
                "  setup     2.000 ms (dial to handshake done), first byte 300.0 ms after the JVM started",
                "  upload    none (--upload 0)",
                "  download  1048576 bytes in 1.000 s  0.008 Gbit/s  1.0 MiB/s",
                "  latency   not measured (--latency-samples 0)",
                "  wire      sent 100 bytes, received 1050624 bytes (100.2 % of the download)");
    }

    @Test
    void json_parserRefusesWhatIsNotJson() {
        for (String bad : new String[] {"{", "{\"a\":1,}", "{\"a\":1}{}", "[1 2]", "{'a':1}", "{\"a\":01}", "nul"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Json.parse(bad)).as(bad)
                    .isInstanceOf(RuntimeException.class);
        }
        assertThat(Json.parse(" {\"a\":[1,-2.5e3,true,null,\"x\"]} ")).isEqualTo(
                Map.of("a", java.util.Arrays.asList(1.0, -2500.0, true, null, "x")));
    }
}
