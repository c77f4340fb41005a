package io.reactivep2p.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code p2p node}: runs one node until SIGINT or SIGTERM, printing its id and address, then a
 * status line every {@code --status-interval}.
 */
@Command(name = "node",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        sortOptions = false,
        description = {
            "Runs a node until Ctrl-C.",
            "",
            "The node listens for peers, dials the seeds, finds more peers through peer exchange, gossips "
                    + "transactions and pools them. It prints its id and address, then a status line every status "
                    + "interval. Ctrl-C (SIGINT) or SIGTERM stops it gracefully: every peer is sent DISCONNECT and "
                    + "the address book is saved.",
            ""
        },
        footer = {
            "",
            "Local networks: the address book keeps loopback and private addresses (127.x, 10.x, 172.16-31.x, "
                    + "192.168.x, fc00::/7, link-local) when --host or a --seed is such an address, or with "
                    + "--allow-local; otherwise peer exchange drops them, as a node on the internet should.",
            "",
            "Status line: time, connected peers (inbound / outbound), frames per second received / sent (all "
                    + "types), transactions in the mempool.",
            "",
            "Examples:",
            "  p2p node --port 3000 --data-dir ./node1 --metrics-port 9100",
            "  p2p node --host 127.0.0.1 --port 3001 --seed 127.0.0.1:3000"
        })
final class NodeCommand implements Callable<Integer> {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** How long a shutdown hook waits for the node to stop (it sends DISCONNECT, saves the book). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);

    @ParentCommand
    private P2pCli cli;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Address to listen on, for peers and metrics. Default: ${DEFAULT-VALUE} (every interface).")
    private String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "3000", converter = Converters.Port.class,
            description = "Port to listen on for peers; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = {"-s", "--seed"}, paramLabel = "[ID@]HOST:PORT", split = ",", converter = Converters.SeedConverter.class,
            description = "A node to dial on start, retried with backoff until reached; repeatable, or "
                    + "comma-separated; IPv6 as [addr]:port. With its id (64 hex digits, as 'p2p node' prints it "
                    + "in its 'seed' line) only that node is accepted there. Default: none.")
    private List<Converters.Seed> seeds = new ArrayList<>();

    @Option(names = "--max-peers", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Connected peers at most, both directions. Default: 50.")
    private Integer maxPeers;

    @Option(names = {"-d", "--data-dir"}, paramLabel = "DIR",
            description = "Directory for the node id (node.id) and the address book (address-book.txt), "
                    + "created if missing: the node keeps its id and rejoins without seeds after a restart. "
                    + "Default: none (a new id every run, nothing saved).")
    private Path dataDir;

    @Option(names = "--metrics-port", paramLabel = "PORT", converter = Converters.Port.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics; 0 picks a free port. Default: off.")
    private Integer metricsPort;

    @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "5s",
            converter = Converters.PositiveDuration.class,
            description = "How often to print the status line (500ms, 5s, 1m, PT10S...). Default: ${DEFAULT-VALUE}.")
    private Duration statusInterval;

    @Option(names = "--plaintext",
            description = "Speak the plaintext protocol (version 1): no encryption, no authentication. "
                    + "Every peer must run the same version. Default: the secure channel (Noise, AES-256-GCM).")
    private boolean plaintext;

    @Option(names = "--allow-local",
            description = "Keep loopback and private addresses in the address book even when neither --host "
                    + "nor a seed is one (e.g. the first node of a LAN, listening on 0.0.0.0).")
    private boolean allowLocal;

    @Override
    public Integer call() throws InterruptedException {
        PrintStream out = cli.out();
        RunningNode.Settings settings = new RunningNode.Settings(host, port, seeds, maxPeers, dataDir, metricsPort,
                allowLocal, plaintext);
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            try (RunningNode running = RunningNode.start(settings)) {
                cli.onShutdown(() -> {
                    stopRequested.countDown();
                    awaitQuietly(stopped, STOP_WAIT);
                });
                printBanner(out, running, settings);
                while (!stopRequested.await(statusInterval.toNanos(), TimeUnit.NANOSECONDS)) {
                    out.println(statusLine(running.status()));
                }
                out.println("stopping: disconnecting from " + running.node().peers().size() + " peers");
            }
            out.println("stopped");
            return 0;
        } finally {
            stopped.countDown();
        }
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static void printBanner(PrintStream out, RunningNode running, RunningNode.Settings settings) {
        // The host as given: a wildcard bind reads back as [0:0:0:0:0:0:0:0].
        String host = settings.host();
        out.println("node " + running.node().id().toHex());
        out.println("listening on " + RunningNode.hostPort(host, running.node().address().getPort()));
        if (!running.node().config().plaintext()) {
            // What another node's --seed takes to reach this one, and only this one.
            out.println("seed " + running.node().id().toHex() + "@"
                    + RunningNode.hostPort(wildcard(host) ? "HOST" : host, running.node().address().getPort())
                    + (wildcard(host) ? "   (HOST: an address of this machine)" : ""));
        }
        running.metricsAddress().ifPresent(m -> out.println("metrics at http://"
                + RunningNode.hostPort(host, m.getPort()) + MetricsServer.PATH));
        running.dataDir().ifPresent(d -> out.println("data dir " + d.toAbsolutePath().normalize()));
        if (!settings.seeds().isEmpty()) {
            out.println("seeds " + settings.seeds().stream().map(Converters.Seed::toString)
                    .collect(Collectors.joining(", ")));
        }
        if (settings.localNetwork()) {
            out.println("address book keeps local addresses");
        }
        out.flush();
    }

    /** {@code 12:00:05  peers 2 in / 3 out  msgs/s 120.4 in / 98.2 out  mempool 1523} */
    static String statusLine(RunningNode.Status s) {
        return String.format(Locale.ROOT, "%s  peers %d in / %d out  msgs/s %.1f in / %.1f out  mempool %d",
                LocalTime.now().format(CLOCK), s.inbound(), s.outbound(), s.receivedPerSecond(), s.sentPerSecond(),
                s.mempool());
    }

    private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
