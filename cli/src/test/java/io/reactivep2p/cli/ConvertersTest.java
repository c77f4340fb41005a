package io.reactivep2p.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.perf.PerfClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "500ms, PT0.5S",
        "30s, PT30S",
        "1.5s, PT1.5S",
        "2m, PT2M",
        "1h, PT1H",
        "1d, PT24H",
        "250us, PT0.00025S",
        "PT1M30S, PT1M30S",
        "pt10s, PT10S",
        "' 5s ', PT5S",
    })
    void duration_acceptsUnitsAndIso8601(String text, String iso) {
        assertThat(new Converters.PositiveDuration().convert(text)).isEqualTo(Duration.parse(iso));
    }

    @Test
    void duration_refusesWhatIsNotAPositiveDuration() {
        Converters.PositiveDuration c = new Converters.PositiveDuration();
        for (String bad : new String[] {"", "30", "s", "3 weeks", "-1s", "P", "PT-1S", "1e3s", "99999999999999d"}) {
            assertThatThrownBy(() -> c.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageStartingWith("'" + bad + "'");
        }
    }

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "0, 0",
        "4096, 4096",
        "4096B, 4096",
        "512KiB, 524288",
        "100MiB, 104857600",
        "1GiB, 1073741824",
        "2TiB, 2199023255552",
        "64KB, 64000",
        "10MB, 10000000",
        "1GB, 1000000000",
        "1.5KiB, 1536",
        "0.5b, 0",
        "100mib, 104857600",
        "100MIB, 104857600",
        "' 8 MiB ', 8388608",
    })
    void byteSize_acceptsBinaryAndDecimalUnits_caseInsensitive(String text, long bytes) {
        assertThat(new Converters.ByteSize().convert(text)).isEqualTo(bytes);
    }

    @Test
    void byteSize_refusesWhatIsNotASize() {
        Converters.ByteSize c = new Converters.ByteSize();
        for (String bad : new String[] {"", "MiB", "12XB", "-1", "1e6", "1 M", "1KiBs", "1,5MiB", ".5MiB"}) {
            assertThatThrownBy(() -> c.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessage("'" + bad + "' is not a size (e.g. 100MiB, 1GiB, 4096)");
        }
        assertThatThrownBy(() -> c.convert("8388608TiB")).isInstanceOf(TypeConversionException.class)
                .hasMessage("'8388608TiB' is too large (at most 9223372036854775807 bytes)");
        assertThat(c.convert("8388607TiB")).isEqualTo(8388607L << 40);
    }

    @Test
    void nonNegativeInt_acceptsZero_refusesNegativesAndWords() {
        Converters.NonNegativeInt c = new Converters.NonNegativeInt();

        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("1000")).isEqualTo(1000);
        assertThatThrownBy(() -> c.convert("-1")).isInstanceOf(TypeConversionException.class)
                .hasMessage("'-1' is not a whole number >= 0");
        assertThatThrownBy(() -> c.convert("many")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void perfData_isRandomOrZeros_caseInsensitive() {
        Converters.PerfData c = new Converters.PerfData();

        assertThat(c.convert("random")).isEqualTo(PerfClient.Data.RANDOM);
        assertThat(c.convert("ZEROS")).isEqualTo(PerfClient.Data.ZEROS);
        assertThatThrownBy(() -> c.convert("ones")).isInstanceOf(TypeConversionException.class)
                .hasMessage("'ones' is not random or zeros");
    }

    @Test
    void hostPort_parsesNamesIpv4AndBracketedIpv6_unresolved() {
        Converters.HostPort c = new Converters.HostPort();

        assertThat(c.convert("seed.example:3000")).isEqualTo(InetSocketAddress.createUnresolved("seed.example", 3000));
        assertThat(c.convert("10.0.0.5:1")).isEqualTo(InetSocketAddress.createUnresolved("10.0.0.5", 1));
        assertThat(c.convert("[::1]:65535")).isEqualTo(InetSocketAddress.createUnresolved("::1", 65535));
        assertThat(c.convert("[::1]:65535").isUnresolved()).isTrue();
    }

    @Test
    void seed_takesAnOptionalIdBeforeTheAddress() {
        Converters.SeedConverter c = new Converters.SeedConverter();
        String id = "ab".repeat(32);

        assertThat(c.convert("10.0.0.5:3000"))
                .isEqualTo(new Converters.Seed(InetSocketAddress.createUnresolved("10.0.0.5", 3000), null));
        Converters.Seed pinned = c.convert(id + "@[::1]:3000");
        assertThat(pinned.address()).isEqualTo(InetSocketAddress.createUnresolved("::1", 3000));
        assertThat(pinned.id().toHex()).isEqualTo(id);
        assertThat(pinned).hasToString(id + "@[::1]:3000");
        assertThatThrownBy(() -> c.convert("abc@10.0.0.5:3000")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> c.convert(id + "@10.0.0.5")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void port_acceptsZeroToMax() {
        Converters.Port c = new Converters.Port();

        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("65535")).isEqualTo(65535);
        assertThatThrownBy(() -> c.convert("+80")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> c.convert("000065536")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void isLocal_tellsLoopbackAndPrivateFromPublicAndWildcard() {
        assertThat(RunningNode.isLocal("127.0.0.1")).isTrue();
        assertThat(RunningNode.isLocal("localhost")).isTrue();
        assertThat(RunningNode.isLocal("10.1.2.3")).isTrue();
        assertThat(RunningNode.isLocal("192.168.0.7")).isTrue();
        assertThat(RunningNode.isLocal("fd00::1")).isTrue();
        assertThat(RunningNode.isLocal("0.0.0.0")).isFalse();
        assertThat(RunningNode.isLocal("8.8.8.8")).isFalse();
    }
}
