package io.reactivep2p.cli;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.discovery.DiscoverySettings;
import io.reactivep2p.perf.PerfClient;
import io.reactivep2p.sim.Latency;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The option types of the command line. Each converter throws a
 * {@link TypeConversionException} whose message quotes the value and says what was expected;
 * {@link P2pCli} prefixes it with the command and the option.
 */
final class Converters {

    private Converters() {
    }

    /** A TCP port, 0..65535 (0: any free port). */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            Integer port = parsePort(value);
            if (port == null) {
                throw new TypeConversionException("'" + value + "' is not a port (0..65535)");
            }
            return port;
        }
    }

    /**
     * A peer's {@code host:port}, or {@code [ipv6]:port}; port 1..65535. Returned unresolved:
     * the node resolves it when it dials.
     */
    /** A seed: {@code host:port}, or {@code <64 hex id>@host:port} pinned to the node of that id. */
    record Seed(InetSocketAddress address, NodeId id) {
        @Override
        public String toString() {
            String hostPort = RunningNode.hostPort(address.getHostString(), address.getPort());
            return id == null ? hostPort : id.toHex() + "@" + hostPort;
        }
    }

    /** {@link Seed}, parsed with {@link DiscoverySettings#parseSeedId} and {@link DiscoverySettings#parseSeedAddress}. */
    static final class SeedConverter implements ITypeConverter<Seed> {
        @Override
        public Seed convert(String value) {
            try {
                return new Seed(DiscoverySettings.parseSeedAddress(value), DiscoverySettings.parseSeedId(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class HostPort implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return NodeConfig.parseHostPort(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * A positive duration: a number and a unit ({@code 500ms}, {@code 30s}, {@code 1.5s},
     * {@code 2m}, {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT1M30S}).
     */
    static final class PositiveDuration implements ITypeConverter<Duration> {

        private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)");

        @Override
        public Duration convert(String value) {
            Duration d = parse(value.trim());
            if (d == null) {
                throw new TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 30s, 2m, 1h, PT1M30S)");
            }
            if (d.isZero() || d.isNegative()) {
                throw new TypeConversionException("'" + value + "' is not a positive duration");
            }
            return d;
        }

        static Duration parse(String s) {
            Matcher m = SIMPLE.matcher(s.toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long unitNanos = switch (m.group(2)) {
                    case "ns" -> 1L;
                    case "us" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> 86_400_000_000_000L;
                };
                BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos));
                if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    return null;
                }
                return Duration.ofNanos(nanos.longValue());
            }
            if (s.length() > 1 && (s.charAt(0) == 'P' || s.charAt(0) == 'p')) {
                try {
                    return Duration.parse(s);
                } catch (DateTimeParseException e) {
                    return null;
                }
            }
            return null;
        }
    }

    /** A duration of at least zero: {@code 0} or what {@link PositiveDuration} reads. */
    static Duration nonNegativeDuration(String value) {
        String v = value.trim();
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        Duration d = PositiveDuration.parse(v);
        if (d == null) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 0, 50ms, 1s)");
        }
        return d;
    }

    /**
     * A latency: one duration ({@code 50ms}), a range ({@code 50ms..150ms}), each link its own
     * from the range, or {@code world}: {@link Latency#world()}'s five regions.
     */
    static final class LatencyRange implements ITypeConverter<Latency> {
        @Override
        public Latency convert(String value) {
            if (value.trim().equalsIgnoreCase("world")) {
                return Latency.world();
            }
            int dots = value.indexOf("..");
            if (dots < 0) {
                return Latency.fixed(nonNegativeDuration(value));
            }
            Duration min = nonNegativeDuration(value.substring(0, dots));
            Duration max = nonNegativeDuration(value.substring(dots + 2));
            if (min.compareTo(max) > 0) {
                throw new TypeConversionException("'" + value + "': the least latency is above the largest");
            }
            return Latency.uniform(min, max);
        }
    }

    /**
     * A bandwidth in bits per second: a number and a unit, case-insensitive: {@code bit},
     * {@code kbit}, {@code Mbit}, {@code Gbit} (powers of 1000); {@code 0} for no limit.
     */
    static final class Bandwidth implements ITypeConverter<Long> {
        private static final Pattern BANDWIDTH = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(bit|kbit|mbit|gbit)?(?:/s)?");

        @Override
        public Long convert(String value) {
            Matcher m = BANDWIDTH.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a bandwidth (e.g. 100Mbit, 1Gbit, 0 for none)");
            }
            long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
                case "kbit" -> 1_000L;
                case "mbit" -> 1_000_000L;
                case "gbit" -> 1_000_000_000L;
                default -> 1L;
            };
            BigDecimal bits = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
            if (bits.compareTo(BigDecimal.valueOf(1_000_000_000_000L)) > 0) {
                throw new TypeConversionException("'" + value + "' is above 1 Tbit/s");
            }
            return bits.longValue();
        }
    }

    /** A time and a share of the nodes, for a partition or a crash: {@code 30s:50%}. */
    static final class AtShare implements ITypeConverter<SimScenario.Share> {
        private static final Pattern AT_SHARE = Pattern.compile("(.+):(\\d+(?:\\.\\d+)?)%");

        @Override
        public SimScenario.Share convert(String value) {
            Matcher m = AT_SHARE.matcher(value.trim());
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a time and a share of the nodes (e.g. 30s:50%)");
            }
            double percent = Double.parseDouble(m.group(2));
            if (percent <= 0 || percent >= 100) {
                throw new TypeConversionException("'" + value + "': the share of the nodes must be in 0..100 %, both excluded");
            }
            return new SimScenario.Share(nonNegativeDuration(m.group(1)), percent / 100);
        }
    }

    /** An integer of at least 1. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a positive whole number");
        }
    }

    /** Any 64-bit integer. */
    static final class WholeNumber implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
        }
    }

    /** An integer of at least 0. */
    static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a whole number >= 0");
        }
    }

    /**
     * A number of bytes: a whole or decimal number and an optional unit, case-insensitive —
     * {@code B}; binary {@code KiB MiB GiB TiB} (powers of 1024); decimal {@code KB MB GB TB}
     * (powers of 1000). {@code 4096}, {@code 512KiB}, {@code 1.5GiB}, {@code 10MB}. A fraction
     * of a byte is dropped.
     */
    static final class ByteSize implements ITypeConverter<Long> {

        private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b|b)?");

        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size (e.g. 100MiB, 1GiB, 4096)");
            }
            BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit(m.group(2))))
                    .setScale(0, RoundingMode.DOWN);
            if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw new TypeConversionException("'" + value + "' is too large (at most " + Long.MAX_VALUE + " bytes)");
            }
            return bytes.longValueExact();
        }

        private static long unit(String unit) {
            if (unit == null || unit.equals("b")) {
                return 1;
            }
            int power = "kmgt".indexOf(unit.charAt(0)) + 1;
            long base = unit.length() == 3 ? 1024 : 1000;
            long n = 1;
            for (int i = 0; i < power; i++) {
                n *= base;
            }
            return n;
        }
    }

    /** What the perf client uploads: {@code random} or {@code zeros}, case-insensitive. */
    static final class PerfData implements ITypeConverter<PerfClient.Data> {
        @Override
        public PerfClient.Data convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "random" -> PerfClient.Data.RANDOM;
                case "zeros" -> PerfClient.Data.ZEROS;
                default -> throw new TypeConversionException("'" + value + "' is not random or zeros");
            };
        }
    }

    /** A port number in 0..65535, or {@code null}. */
    private static Integer parsePort(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        int port = Integer.parseInt(t);
        return port <= 0xFFFF ? port : null;
    }
}
