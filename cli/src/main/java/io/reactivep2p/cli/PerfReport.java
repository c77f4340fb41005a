package io.reactivep2p.cli;

import io.reactivep2p.perf.PerfClient;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code p2p perf client} measured: printed as a table for people ({@link #human()}) or
 * as one JSON object ({@link #json()}).
 *
 * @param server the server as given, {@code host:port}
 * @param serverNode the server's node id, hex
 * @param lz4 whether LZ4 was in use: both ends offered it
 * @param data what the upload was made of
 * @param chunk data bytes per PERF_DATA message of the upload
 * @param upload the upload, or {@code null} if there was none
 * @param download the download, or {@code null} if there was none
 * @param latency the round trips of empty runs, or {@code null} if none were asked for
 * @param wireSent bytes the client wrote to the connection, all of it (handshake to the end)
 * @param wireReceived bytes the client read from the connection, all of it
 */
record PerfReport(String server, String serverNode, boolean lz4, PerfClient.Data data, int chunk,
                  Throughput upload, Throughput download, Latency latency, long wireSent, long wireReceived) {

    PerfReport {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(serverNode, "serverNode");
        Objects.requireNonNull(data, "data");
    }

    /**
     * One direction of the throughput run.
     *
     * @param bytes data bytes moved (the server counted every one)
     * @param nanos how long it took, as {@link io.reactivep2p.perf.PerfResult} defines it
     */
    record Throughput(long bytes, long nanos) {

        double seconds() {
            return nanos / 1e9;
        }

        /** Bits per nanosecond are gigabits per second. */
        double gbitPerSecond() {
            return nanos <= 0 ? 0 : bytes * 8.0 / nanos;
        }

        double mibPerSecond() {
            return nanos <= 0 ? 0 : bytes / (double) (1 << 20) / seconds();
        }
    }

    /**
     * Round trips of empty runs, in nanoseconds; percentiles by nearest rank (the smallest sample
     * that at least that share of the samples do not exceed).
     */
    record Latency(int samples, long p50, long p90, long p99, long p999, long max) {

        /** The percentiles of {@code roundTrips} (not modified); at least one sample. */
        static Latency of(long[] roundTrips) {
            if (roundTrips.length == 0) {
                throw new IllegalArgumentException("no samples");
            }
            long[] sorted = roundTrips.clone();
            Arrays.sort(sorted);
            return new Latency(sorted.length, rank(sorted, 500), rank(sorted, 900), rank(sorted, 990),
                    rank(sorted, 999), sorted[sorted.length - 1]);
        }

        /** The nearest-rank percentile {@code perMille}/10 of {@code sorted}: integer arithmetic, no rounding drift. */
        static long rank(long[] sorted, int perMille) {
            long rank = ((long) perMille * sorted.length + 999) / 1000; // ceil(n * p), 1-based
            return sorted[(int) Math.max(0, rank - 1)];
        }
    }

    /** The table, one row per measurement, each line ending with a line separator. */
    String human() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s (node %s), lz4 %s, data %s, chunk %s%n", server,
                serverNode.substring(0, Math.min(16, serverNode.length())), lz4 ? "on" : "off",
                data.name().toLowerCase(Locale.ROOT), DemoCommand.bytes(chunk)));
        row(b, "upload", upload == null ? "none (--upload 0)" : throughput(upload));
        row(b, "download", download == null ? "none (--download 0)" : throughput(download));
        row(b, "latency", latency == null ? "not measured (--latency-samples 0)" : String.format(Locale.ROOT,
                "%d round trips: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s", latency.samples(),
                micros(latency.p50()), micros(latency.p90()), micros(latency.p99()), micros(latency.p999()),
                micros(latency.max())));
        row(b, "wire", "sent " + wireSent + " bytes" + share(wireSent, upload, "upload")
                + ", received " + wireReceived + " bytes" + share(wireReceived, download, "download"));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "  %-9s %s%n", name, value));
    }

    private static String throughput(Throughput t) {
        return String.format(Locale.ROOT, "%d bytes in %.3f s  %.3f Gbit/s  %.1f MiB/s", t.bytes(), t.seconds(),
                t.gbitPerSecond(), t.mibPerSecond());
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    /** {@code " (100.1 % of the upload)"}: the wire against the data, where LZ4 shows. */
    private static String share(long wire, Throughput data, String what) {
        if (data == null || data.bytes() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (%.1f %% of the %s)", 100.0 * wire / data.bytes(), what);
    }

    /**
     * One JSON object on one line, without a line separator. A direction not measured, or the
     * latency, is {@code null}. Durations in seconds, latencies in microseconds.
     */
    String json() {
        StringBuilder b = new StringBuilder(512).append('{');
        b.append("\"server\":").append(string(server));
        b.append(",\"serverNode\":").append(string(serverNode));
        b.append(",\"upload\":");
        throughput(b, upload);
        b.append(",\"download\":");
        throughput(b, download);
        b.append(",\"latency\":");
        if (latency == null) {
            b.append("null");
        } else {
            b.append("{\"samples\":").append(latency.samples())
                    .append(",\"p50Micros\":").append(number(latency.p50() / 1e3, 1))
                    .append(",\"p90Micros\":").append(number(latency.p90() / 1e3, 1))
                    .append(",\"p99Micros\":").append(number(latency.p99() / 1e3, 1))
                    .append(",\"p999Micros\":").append(number(latency.p999() / 1e3, 1))
                    .append(",\"maxMicros\":").append(number(latency.max() / 1e3, 1))
                    .append('}');
        }
        b.append(",\"wire\":{\"bytesSent\":").append(wireSent).append(",\"bytesReceived\":").append(wireReceived)
                .append('}');
        b.append(",\"lz4\":").append(lz4);
        b.append(",\"data\":").append(string(data.name().toLowerCase(Locale.ROOT)));
        b.append(",\"chunk\":").append(chunk);
        return b.append('}').toString();
    }

    private static void throughput(StringBuilder b, Throughput t) {
        if (t == null) {
            b.append("null");
            return;
        }
        b.append("{\"bytes\":").append(t.bytes())
                .append(",\"seconds\":").append(number(t.seconds(), 6))
                .append(",\"gbitPerSecond\":").append(number(t.gbitPerSecond(), 4))
                .append(",\"mibPerSecond\":").append(number(t.mibPerSecond(), 1))
                .append('}');
    }

    private static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
