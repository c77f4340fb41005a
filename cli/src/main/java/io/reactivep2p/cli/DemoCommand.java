package io.reactivep2p.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code p2p demo}: runs a {@link Demo} and prints its progress and a summary. The logic is in
 * {@link Demo}; this class only prints.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        sortOptions = false,
        description = {
            "Runs a network of nodes in this process and measures gossip.",
            "",
            "Starts the nodes on 127.0.0.1 with the library's defaults, connects them into a random connected "
                    + "topology, and submits random transactions at random nodes; each is gossiped into every "
                    + "node's mempool. Shows how fast they spread (submit to arrival in another node's pool) and "
                    + "what share arrived, then a summary table.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  p2p demo",
            "  p2p demo --nodes 20 --duration 1m --tx-rate 1000 --degree 4 --seed 7"
        })
final class DemoCommand implements Callable<Integer> {

    private static final Duration LIVE_INTERVAL = Duration.ofMillis(500);
    private static final Duration PLAIN_INTERVAL = Duration.ofSeconds(2);
    /** How long Ctrl-C waits for the summary: the grace for transactions in flight, and closing the nodes. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    @ParentCommand
    private P2pCli cli;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-n", "--nodes"}, paramLabel = "N", defaultValue = "8", converter = Converters.PositiveInt.class,
            description = "Nodes in the network, 2.." + Demo.Settings.MAX_NODES + ". Default: ${DEFAULT-VALUE}.")
    private int nodes;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.PositiveDuration.class,
            description = "How long to submit transactions (10s, 2m, PT1M30S...); "
                    + "then up to 2 s more for those in flight. Default: ${DEFAULT-VALUE}.")
    private Duration duration;

    @Option(names = {"-r", "--tx-rate"}, paramLabel = "TX/S", defaultValue = "200",
            converter = Converters.PositiveInt.class,
            description = "Transactions submitted per second, across all nodes. Default: ${DEFAULT-VALUE}.")
    private int txRate;

    @Option(names = "--degree", paramLabel = "N", defaultValue = "3", converter = Converters.PositiveInt.class,
            description = "Links per node the random topology aims at, 1.." + Demo.Settings.MAX_DEGREE
                    + " (a random tree first, then random extra links). Default: ${DEFAULT-VALUE}.")
    private int degree;

    @Option(names = "--seed", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "Seed of the topology and the transactions, to run the same network again. "
                    + "Default: random (printed).")
    private Long seed;

    @Option(names = "--plaintext",
            description = "The nodes speak the plaintext protocol (version 1): no encryption, no authentication. "
                    + "Default: the secure channel (Noise, AES-256-GCM).")
    private boolean plaintext;

    @Option(names = "--json", description = "Print one JSON object on one line instead of the progress and summary.")
    private boolean json;

    @Option(names = "--plain",
            description = "Print a progress line every 2 s instead of one status line updated in place "
                    + "(the default when there is no console, e.g. output to a file or a pipe).")
    private boolean plain;

    @Override
    public Integer call() {
        if (nodes < 2 || nodes > Demo.Settings.MAX_NODES) {
            throw new ParameterException(spec.commandLine(), "invalid value for --nodes: '" + nodes
                    + "' is not in 2.." + Demo.Settings.MAX_NODES);
        }
        if (degree > Demo.Settings.MAX_DEGREE) {
            throw new ParameterException(spec.commandLine(), "invalid value for --degree: '" + degree
                    + "' is not in 1.." + Demo.Settings.MAX_DEGREE);
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48);
        Demo.Settings settings = new Demo.Settings(nodes, duration, txRate, degree, s, plaintext);
        PrintStream out = cli.out();
        boolean live = !plain && !json && System.console() != null;
        if (!json) {
            out.printf(Locale.ROOT, "demo: %d nodes on 127.0.0.1 (degree %d, seed %d), %d tx/s for %s, %s%n",
                    nodes, degree, s, txRate, Text.seconds(duration),
                    plaintext ? "plaintext (version 1)" : "secure channel (Noise XX, AES-256-GCM)");
        }
        Demo demo = new Demo(settings);
        CountDownLatch done = new CountDownLatch(1);
        cli.onShutdown(() -> { // Ctrl-C: stop submitting, still print the summary
            demo.stop();
            try {
                done.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            if (json) {
                out.println(demo.run(PLAIN_INTERVAL, new Demo.Listener() { }).json());
                out.flush();
                return 0;
            }
            return run(demo, live, out);
        } finally {
            done.countDown();
        }
    }

    private static int run(Demo demo, boolean live, PrintStream out) {
        Demo.Report report = demo.run(live ? LIVE_INTERVAL : PLAIN_INTERVAL, new Demo.Listener() {
            @Override
            public void networkUp(int n, int links, Duration took) {
                out.printf(Locale.ROOT, "network up: %d nodes, %d links in %s; submitting transactions%n",
                        n, links, Text.seconds(took));
            }

            @Override
            public void progress(Demo.Progress p) {
                Text.status(out, live, progressLine(p));
            }

            @Override
            public void done(Demo.Progress p) {
                if (live) { // plain output: the summary says it
                    out.print(Text.ERASE_LINE + progressLine(p));
                    out.flush();
                }
            }
        });
        Text.summary(out, live, summary(report));
        return 0;
    }

    /** {@code 12.5 s  2500 tx  200 tx/s  p50 0.42 ms  p99 1.80 ms  delivered 99.8 %  mempool 2480..2500} */
    static String progressLine(Demo.Progress p) {
        return String.format(Locale.ROOT, "%6s  %7d tx  %6.0f tx/s  p50 %s  p99 %s  delivered %5.1f %%  mempool %s",
                Text.seconds(p.elapsed()), p.transactions(), p.txPerSecond(), millis(p.p50Micros()), millis(p.p99Micros()),
                100 * p.deliveryRatio(), Text.range(p.mempoolMin(), p.mempoolMax()));
    }

    /** The summary table. */
    static String summary(Demo.Report r) {
        StringBuilder b = new StringBuilder(String.format("Summary%n"));
        Text.row(b, "nodes", String.valueOf(r.nodes()));
        Text.row(b, "links", r.links() + " (seed " + r.seed() + ")");
        Text.row(b, "setup", Text.seconds(r.setup()));
        Text.row(b, "duration", Text.seconds(r.duration()));
        Text.row(b, "transactions", r.transactions() + (r.refused() > 0 ? " (" + r.refused() + " refused by their pool)" : ""));
        Text.row(b, "tx/s", String.format(Locale.ROOT, "%.1f", r.txPerSecond()));
        Text.row(b, "deliveries", r.deliveries() + " of " + r.expectedDeliveries());
        Text.row(b, "delivery", String.format(Locale.ROOT, "%.2f %%", 100 * r.deliveryRatio()));
        Text.row(b, "propagation p50", millis(r.p50Micros()));
        Text.row(b, "propagation p90", millis(r.p90Micros()));
        Text.row(b, "propagation p99", millis(r.p99Micros()));
        Text.row(b, "propagation max", millis(r.maxMicros()));
        Text.row(b, "mempool size", Text.range(r.mempoolMin(), r.mempoolMax()) + " per node");
        Text.row(b, "bytes sent", Text.bytes(r.bytesSentPerNode()) + " per node");
        Text.row(b, "bytes received", Text.bytes(r.bytesReceivedPerNode()) + " per node");
        Text.row(b, "gossip duplicates", r.gossipDuplicates() + (r.deliveries() > 0
                ? String.format(Locale.ROOT, " (%.2f per delivery)", (double) r.gossipDuplicates() / r.deliveries())
                : ""));
        return b.toString();
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

}
