package io.reactivep2p.cli;

import io.reactivep2p.P2pNode;
import io.reactivep2p.perf.PerfServer;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code p2p perf server}: a node that answers perf runs until SIGINT or SIGTERM, printing a
 * line per status interval in which runs were served or data moved, and the totals on stop.
 */
@Command(name = "server",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        sortOptions = false,
        description = {
            "Answers perf clients until Ctrl-C.",
            "",
            "Starts a node that speaks the perf protocol and nothing else of note: no seeds, no dialer, it only "
                    + "answers the clients that connect. Each run uploads data, which the server counts, then "
                    + "downloads what it asked for (random bytes, in 1 MiB messages). Prints its id and address, "
                    + "then a line per status interval in which something happened, and the totals on Ctrl-C.",
            ""
        },
        footer = {
            "",
            "Status line: time, runs answered in full, data bytes received and sent in the interval, "
                    + "connected clients.",
            "",
            "Examples:",
            "  p2p perf server",
            "  p2p perf server --host 10.0.0.5 --port 4001 --max-download 1GiB"
        })
final class PerfServerCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** How long a shutdown hook waits for the node to stop (it sends DISCONNECT to its clients). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);

    @ParentCommand
    private PerfCommand perf;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (every interface).")
    private String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "4001", converter = Converters.Port.class,
            description = "Port to listen on; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--max-download", paramLabel = "SIZE", defaultValue = "64GiB", converter = Converters.ByteSize.class,
            description = "The most one run may ask to download (100MiB, 1GiB, 10GB, 4096...); a client asking "
                    + "for more is disconnected. Default: ${DEFAULT-VALUE}.")
    private long maxDownload;

    @Option(names = "--plaintext",
            description = "Speak the plaintext protocol (version 1): no encryption, no authentication; both ends "
                    + "must say it, as a node of one version closes the connections of the other. Default: the "
                    + "secure channel (Noise, AES-256-GCM).")
    private boolean plaintext;

    @Option(names = "--no-lz4",
            description = "Do not offer LZ4: every frame travels uncompressed. Default: offered, and used with "
                    + "clients that offer it too.")
    private boolean noLz4;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "5s",
            converter = Converters.PositiveDuration.class,
            description = "How often to print the status line, when something happened (500ms, 5s, 1m...). "
                    + "Default: ${DEFAULT-VALUE}.")
    private Duration statusInterval;

    @Override
    public Integer call() throws InterruptedException {
        P2pCli cli = perf.cli();
        PrintStream out = cli.out();
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            P2pNode node = PerfCommand.startNode(host, port, !noLz4, plaintext);
            try {
                PerfServer server = PerfServer.attach(node, maxDownload);
                cli.onShutdown(() -> {
                    stopRequested.countDown();
                    awaitQuietly(stopped, STOP_WAIT);
                });
                out.println("node " + node.id().toHex());
                // The host as given: a wildcard bind reads back as [0:0:0:0:0:0:0:0].
                out.println("listening on " + RunningNode.hostPort(host, node.address().getPort()));
                out.println("serving perf: lz4 " + (noLz4 ? "off" : "on") + ", downloads up to "
                        + Text.bytes(maxDownload) + " per run");
                out.flush();
                Totals last = Totals.of(server, node);
                while (!stopRequested.await(statusInterval.toNanos(), TimeUnit.NANOSECONDS)) {
                    Totals now = Totals.of(server, node);
                    if (now.runs() != last.runs() || now.received() != last.received() || now.sent() != last.sent()) {
                        out.println(statusLine(now.minus(last), node.peers().size()));
                    }
                    last = now;
                }
                server.dispose();
                out.println("stopping: total " + summary(Totals.of(server, node)));
            } finally {
                node.close();
            }
            out.println("stopped");
            return 0;
        } finally {
            stopped.countDown();
        }
    }

    /**
     * What the server did so far, or in an interval.
     *
     * @param runs runs answered in full
     * @param received data bytes received from clients
     * @param sent data bytes sent to clients, runs answered in full
     * @param wireIn bytes read from every connection, frame headers and all other messages included
     * @param wireOut bytes written to every connection
     */
    record Totals(long runs, long received, long sent, long wireIn, long wireOut) {

        static Totals of(PerfServer server, P2pNode node) {
            return new Totals(server.served(), server.bytesReceived(), server.bytesSent(), node.bytesReceived(),
                    node.bytesSent());
        }

        Totals minus(Totals earlier) {
            return new Totals(runs - earlier.runs, received - earlier.received, sent - earlier.sent,
                    wireIn - earlier.wireIn, wireOut - earlier.wireOut);
        }
    }

    /** {@code 12:00:05  runs 1001  in 100.0 MiB  out 100.0 MiB  clients 1} */
    static String statusLine(Totals interval, int clients) {
        return String.format(Locale.ROOT, "%s  runs %d  in %s  out %s  clients %d", LocalTime.now().format(CLOCK),
                interval.runs(), Text.bytes(interval.received()), Text.bytes(interval.sent()), clients);
    }

    /** {@code runs 1001  data 100.0 MiB in / 100.0 MiB out  wire 100.1 MiB in / 100.1 MiB out} */
    static String summary(Totals t) {
        return String.format(Locale.ROOT, "runs %d  data %s in / %s out  wire %s in / %s out",
                t.runs(), Text.bytes(t.received()), Text.bytes(t.sent()), Text.bytes(t.wireIn()),
                Text.bytes(t.wireOut()));
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
