package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.perf.PerfClient;
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
            PerfReport r = new PerfReport("[::1]:4001", NODE, true, PerfClient.Data.ZEROS, 1 << 20,
                    new PerfReport.Throughput(1 << 20, 2_500_000), null, null, 9000, 120);

            String json = r.json();

            assertThat(json).doesNotContain("\n").doesNotContain(",5");
            assertThat(Json.parse(json)).isEqualTo(Json.parse("""
                    {"server":"[::1]:4001","serverNode":"%s",
                     "upload":{"bytes":1048576,"seconds":0.0025,"gbitPerSecond":3.3554,"mibPerSecond":400.0},
                     "download":null,"latency":null,"wire":{"bytesSent":9000,"bytesReceived":120},
                     "lz4":true,"data":"zeros","chunk":1048576}
                    """.formatted(NODE)));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void json_escapesStrings() {
        assertThat(PerfReport.string("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
        assertThat(Json.parse(PerfReport.string("a\"b\\c\n\u0001"))).isEqualTo("a\"b\\c\n\u0001");
    }

    @Test
    void human_saysWhatWasNotMeasured() {
        PerfReport r = new PerfReport("h:1", NODE, false, PerfClient.Data.RANDOM, 4096, null,
                new PerfReport.Throughput(1 << 20, 1_000_000_000), null, 100, (1 << 20) + 2048);

        String text = r.human();

        assertThat(text.lines().toList()).containsExactly(
                "h:1 (node abababababababab), lz4 off, data random, chunk 4.0 KiB",
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
