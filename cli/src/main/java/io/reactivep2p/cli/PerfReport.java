package io.reactivep2p.cli;

import io.reactivep2p.perf.PerfClient;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@code p2p perf client} measured: printed as a table for people ({@link #human()}) or
 * as one JSON object ({@link #json()}).
 *
 * @param server the server as given, {@code host:port}
 * @param serverNode the server's node id, hex
 * @param lz4 whether LZ4 was in use: both ends offered it
 * @param data what the upload was made of
 * @param chunk data bytes per PERF_DATA message of the upload
 * @param warmup rounds run first and not reported
 * @param repeat rounds reported
 * @param runs the reported throughput runs, one per reported round, in order; empty if there
 *     was nothing to upload or download
 * @param latency the round trips of empty runs of every reported round, or {@code null} if none
 *     were asked for
 * @param connection how the first connection came up
 * @param setup connection setups timed after the runs, or {@code null} if none were asked for
 * @param wireSent bytes the client wrote to the perf connection, all of it (handshake to the end)
 * @param wireReceived bytes the client read from the perf connection, all of it
 */
record PerfReport(String server, String serverNode, boolean lz4, PerfClient.Data data, int chunk, int warmup,
                  int repeat, List<Run> runs, Latency latency, Connection connection, Setup setup, long wireSent,
                  long wireReceived) {

    PerfReport {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(serverNode, "serverNode");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(connection, "connection");
        runs = List.copyOf(runs);
    }

    /**
     * One throughput run.
     *
     * @param upload the upload, or {@code null} if there was none
     * @param download the download, or {@code null} if there was none
     * @param ttfbNanos from the run's request to the first byte of the server's answer, which it
     *     sends once the whole upload is in
     */
    record Run(Throughput upload, Throughput download, long ttfbNanos) {
    }

    /**
     * The first connection.
     *
     * @param setupNanos from the start of the dial to the handshake done: TCP connect and HELLO
     *     both ways
     * @param processStartToFirstByteMillis from the JVM's start (as the JVM records it, in
     *     milliseconds) to the first byte of the server's answer in the first run, warm-up
     *     included (the first empty run if there was no throughput run)
     */
    record Connection(long setupNanos, double processStartToFirstByteMillis) {
    }

    /**
     * Connection setups (dial to handshake done) timed one after the other once the runs are
     * done, each connection closed before the next; percentiles by nearest rank.
     *
     * @param retries dials refused because the server still held the previous connection of this
     *     client (its close not handled yet) and tried again, not timed
     */
    record Setup(int samples, long p50, long p90, long p99, long max, int retries) {

        static Setup of(long[] nanos, int retries) {
            Latency l = Latency.of(nanos);
            return new Setup(l.samples(), l.p50(), l.p90(), l.p99(), l.max(), retries);
        }
    }

    /** The reported run with the median upload throughput, or {@code null}. */
    Throughput upload() {
        return median(Run::upload);
    }

    /** The reported run with the median download throughput, or {@code null}. */
    Throughput download() {
        return median(Run::download);
    }

    /** The lower median by throughput: a figure one of the runs really had. */
    private Throughput median(Function<Run, Throughput> side) {
        List<Throughput> sorted = runs.stream().map(side).filter(Objects::nonNull)
                .sorted(java.util.Comparator.comparingDouble(Throughput::gbitPerSecond)).toList();
        return sorted.isEmpty() ? null : sorted.get((sorted.size() - 1) / 2);
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
        b.append(String.format(Locale.ROOT, "%s (node %s), lz4 %s, data %s, chunk %s, %s%n", server,
                serverNode.substring(0, Math.min(16, serverNode.length())), lz4 ? "on" : "off",
                data.name().toLowerCase(Locale.ROOT), Text.bytes(chunk),
                warmup == 0 ? "no warm-up" : warmup + " warm-up round" + (warmup == 1 ? "" : "s") + " not reported"));
        row(b, "setup", String.format(Locale.ROOT,
                "%s (dial to handshake done), first byte %.1f ms after the JVM started",
                millis(connection.setupNanos()), connection.processStartToFirstByteMillis()));
        Throughput up = upload();
        Throughput down = download();
        row(b, "upload", up == null ? "none (--upload 0)" : throughput(up) + rounds(Run::upload));
        row(b, "download", down == null ? "none (--download 0)" : throughput(down) + rounds(Run::download));
        row(b, "latency", latency == null ? "not measured (--latency-samples 0)" : String.format(Locale.ROOT,
                "%d round trips: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s", latency.samples(),
                micros(latency.p50()), micros(latency.p90()), micros(latency.p99()), micros(latency.p999()),
                micros(latency.max())));
        if (setup != null) {
            row(b, "setups", String.format(Locale.ROOT, "%d connections: p50 %s  p90 %s  p99 %s  max %s%s",
                    setup.samples(), millis(setup.p50()), millis(setup.p90()), millis(setup.p99()), millis(setup.max()),
                    setup.retries() == 0 ? "" : " (" + setup.retries() + " dials retried)"));
        }
        row(b, "wire", "sent " + wireSent + " bytes" + share(wireSent, total(Run::upload), "upload")
                + ", received " + wireReceived + " bytes" + share(wireReceived, total(Run::download), "download"));
        return b.toString();
    }

    /** One run on one line, as the client goes: {@code "upload 4.103 Gbit/s, download 3.992 Gbit/s"}. */
    static String describe(Run run) {
        StringBuilder b = new StringBuilder();
        if (run.upload() != null) {
            b.append(String.format(Locale.ROOT, "upload %.3f Gbit/s", run.upload().gbitPerSecond()));
        }
        if (run.download() != null) {
            b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "download %.3f Gbit/s",
                    run.download().gbitPerSecond()));
        }
        return b.toString();
    }

    /** {@code "  (median of 3 runs: 4.1, 4.3, 4.2 Gbit/s)"} when there was more than one run. */
    private String rounds(Function<Run, Throughput> side) {
        if (runs.size() < 2) {
            return "";
        }
        StringBuilder b = new StringBuilder("  (median of ").append(runs.size()).append(" runs: ");
        for (int i = 0; i < runs.size(); i++) {
            b.append(i == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%.3f", side.apply(runs.get(i)).gbitPerSecond()));
        }
        return b.append(" Gbit/s)").toString();
    }

    /** Data bytes one direction moved in every run, warm-up included: the share of the wire they took. */
    private long total(Function<Run, Throughput> side) {
        Throughput t = runs.isEmpty() ? null : side.apply(runs.get(0));
        return t == null ? 0 : t.bytes() * (runs.size() + warmup);
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
    private static String share(long wire, long data, String what) {
        if (data == 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (%.1f %% of the %s)", 100.0 * wire / data, what);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /**
     * One JSON object on one line, without a line separator. A direction not measured, the
     * latency or the setups when not asked for, are {@code null}. {@code upload} and
     * {@code download} are the median runs, {@code runs} every reported one. Durations in
     * seconds, latencies in microseconds, connection times in milliseconds.
     */
    String json() {
        StringBuilder b = new StringBuilder(512).append('{');
        b.append("\"server\":").append(string(server));
        b.append(",\"serverNode\":").append(string(serverNode));
        b.append(",\"upload\":");
        throughput(b, upload());
        b.append(",\"download\":");
        throughput(b, download());
        b.append(",\"latency\":");
        if (latency == null) {
            b.append("null");
        } else {
            b.append("{\"samples\":").append(latency.samples())
                    .append(",\"p50Micros\":").append(Text.number(latency.p50() / 1e3, 1))
                    .append(",\"p90Micros\":").append(Text.number(latency.p90() / 1e3, 1))
                    .append(",\"p99Micros\":").append(Text.number(latency.p99() / 1e3, 1))
                    .append(",\"p999Micros\":").append(Text.number(latency.p999() / 1e3, 1))
                    .append(",\"maxMicros\":").append(Text.number(latency.max() / 1e3, 1))
                    .append('}');
        }
        b.append(",\"wire\":{\"bytesSent\":").append(wireSent).append(",\"bytesReceived\":").append(wireReceived)
                .append('}');
        b.append(",\"lz4\":").append(lz4);
        b.append(",\"data\":").append(string(data.name().toLowerCase(Locale.ROOT)));
        b.append(",\"chunk\":").append(chunk);
        b.append(",\"warmup\":").append(warmup);
        b.append(",\"repeat\":").append(repeat);
        b.append(",\"setupMillis\":").append(Text.number(connection.setupNanos() / 1e6, 3));
        b.append(",\"processStartToFirstByteMillis\":").append(Text.number(connection.processStartToFirstByteMillis(), 1));
        b.append(",\"runs\":[");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            b.append(i == 0 ? "{" : ",{").append("\"upload\":");
            throughput(b, r.upload());
            b.append(",\"download\":");
            throughput(b, r.download());
            b.append(",\"ttfbMillis\":").append(Text.number(r.ttfbNanos() / 1e6, 3)).append('}');
        }
        b.append("],\"setup\":");
        if (setup == null) {
            b.append("null");
        } else {
            b.append("{\"samples\":").append(setup.samples())
                    .append(",\"p50Millis\":").append(Text.number(setup.p50() / 1e6, 3))
                    .append(",\"p90Millis\":").append(Text.number(setup.p90() / 1e6, 3))
                    .append(",\"p99Millis\":").append(Text.number(setup.p99() / 1e6, 3))
                    .append(",\"maxMillis\":").append(Text.number(setup.max() / 1e6, 3))
                    .append(",\"retries\":").append(setup.retries())
                    .append('}');
        }
        return b.append('}').toString();
    }

    private static void throughput(StringBuilder b, Throughput t) {
        if (t == null) {
            b.append("null");
            return;
        }
        b.append("{\"bytes\":").append(t.bytes())
                .append(",\"seconds\":").append(Text.number(t.seconds(), 6))
                .append(",\"gbitPerSecond\":").append(Text.number(t.gbitPerSecond(), 4))
                .append(",\"mibPerSecond\":").append(Text.number(t.mibPerSecond(), 1))
                .append('}');
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
