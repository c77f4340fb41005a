package io.reactivep2p.cli;

import io.reactivep2p.sim.Latency;
import io.reactivep2p.sim.Links;
import io.reactivep2p.sim.Simulation;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code p2p sim}: runs a {@link SimScenario} and prints its progress and a summary, or one
 * JSON line. The logic is in {@link SimScenario}; this class only reads options and prints.
 */
@Command(name = "sim",
        mixinStandardHelpOptions = true,
        versionProvider = P2pCli.Version.class,
        sortOptions = false,
        description = {
            "Simulates a network of nodes on virtual time and measures gossip.",
            "",
            "Runs the nodes (real pipelines, secure channel, gossip and mempools) in this process on one thread, "
                    + "over in-memory links with latency, bandwidth and loss, on a clock that jumps from event to "
                    + "event. Connects them into a random topology and submits random transactions at random nodes; "
                    + "shows how fast they spread in simulated time, and how much wall time a simulated second took. "
                    + "The same options and seed give the same run.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  p2p sim --nodes 1000 --degree 8 --latency 50ms..150ms --bandwidth 100Mbit --tx-rate 100 --duration 60s",
            "  p2p sim --nodes 200 --duration 60s --partition 30s:50% --heal 45s --seed 7 --json",
            "  p2p sim --nodes 200 --duration 30s --crash 10s:10% --restart 20s"
        })
final class SimCommand implements Callable<Integer> {

    @ParentCommand
    private P2pCli cli;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-n", "--nodes"}, paramLabel = "N", defaultValue = "100", converter = Converters.PositiveInt.class,
            description = "Nodes in the network, 2.." + Simulation.MAX_NODES + ". Default: ${DEFAULT-VALUE}.")
    private int nodes;

    @Option(names = "--degree", paramLabel = "N", defaultValue = "8", converter = Converters.PositiveInt.class,
            description = "Links per node the random topology aims at, 1.." + Demo.Settings.MAX_DEGREE
                    + ". Default: ${DEFAULT-VALUE}.")
    private int degree;

    @Option(names = "--latency", paramLabel = "MIN..MAX|world", defaultValue = "50ms..150ms",
            converter = Converters.LatencyRange.class,
            description = "One-way latency of each link: one duration, a range each link draws its own from, or "
                    + "'world': five regions (north-america, europe, asia, south-america, oceania) with a range "
                    + "per pair of regions, 5..170 ms. Default: ${DEFAULT-VALUE}.")
    private Latency latency;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "100Mbit", converter = Converters.Bandwidth.class,
            description = "Each node's upload and download (bit, kbit, Mbit, Gbit per second; 0: no limit). "
                    + "Default: ${DEFAULT-VALUE}.")
    private long bandwidth;

    @Option(names = "--loss", paramLabel = "P", defaultValue = "0",
            description = "Probability that a packet of 1460 bytes is lost, 0..0.5; a loss delays its connection "
                    + "by a retransmission (200 ms). Default: ${DEFAULT-VALUE}.")
    private double loss;

    @Option(names = {"-r", "--tx-rate"}, paramLabel = "TX/S", defaultValue = "100",
            converter = Converters.PositiveInt.class,
            description = "Transactions per simulated second, across all nodes. Default: ${DEFAULT-VALUE}.")
    private int txRate;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", defaultValue = "60s",
            converter = Converters.PositiveDuration.class,
            description = "Simulated time of submitting; then up to 10 s more for transactions in flight. "
                    + "Default: ${DEFAULT-VALUE}.")
    private Duration duration;

    @Option(names = "--partition", paramLabel = "AT:SHARE%", converter = Converters.AtShare.class,
            description = "At AT (from the start of submitting), cut SHARE of the nodes, drawn at random, off "
                    + "from the rest: e.g. 30s:50%.")
    private SimScenario.Share partition;

    @Option(names = "--heal", paramLabel = "AT", converter = Converters.PositiveDuration.class,
            description = "When the partition heals, from the start of submitting. Default: never.")
    private Duration heal;

    @Option(names = "--crash", paramLabel = "AT:SHARE%", converter = Converters.AtShare.class,
            description = "At AT (from the start of submitting), crash SHARE of the nodes, drawn at random: their "
                    + "connections close without a goodbye and they stop, e.g. 20s:10%. A transaction is then "
                    + "expected only at the nodes up when it was submitted.")
    private SimScenario.Share crash;

    @Option(names = "--restart", paramLabel = "AT", converter = Converters.PositiveDuration.class,
            description = "When the crashed nodes start again (same identities, empty pools) and dial their links "
                    + "of the topology; each counts as up from its first connection. Default: never.")
    private Duration restart;

    @Option(names = "--seed", paramLabel = "N", converter = Converters.WholeNumber.class,
            description = "Seed of everything: topology, latencies, keys, transactions. Default: random (printed).")
    private Long seed;

    @Option(names = "--plaintext",
            description = "The nodes speak the plaintext protocol (version 1). Default: the secure channel.")
    private boolean plaintext;

    @Option(names = "--json", description = "Print one JSON object on one line instead of the summary.")
    private boolean json;

    @Option(names = "--plain",
            description = "Print a progress line every simulated second instead of one status line updated in place.")
    private boolean plain;

    @Override
    public Integer call() {
        if (nodes < 2 || nodes > Simulation.MAX_NODES) {
            throw new ParameterException(spec.commandLine(), "invalid value for --nodes: '" + nodes
                    + "' is not in 2.." + Simulation.MAX_NODES);
        }
        if (degree > Demo.Settings.MAX_DEGREE) {
            throw new ParameterException(spec.commandLine(), "invalid value for --degree: '" + degree
                    + "' is not in 1.." + Demo.Settings.MAX_DEGREE);
        }
        if (!(loss >= 0 && loss <= 0.5)) {
            throw new ParameterException(spec.commandLine(), "invalid value for --loss: '" + loss + "' is not in 0..0.5");
        }
        if (heal != null && partition == null) {
            throw new ParameterException(spec.commandLine(), "--heal needs a --partition");
        }
        if (heal != null && heal.compareTo(partition.at()) <= 0) {
            throw new ParameterException(spec.commandLine(), "--heal must come after the partition's time");
        }
        if (restart != null && crash == null) {
            throw new ParameterException(spec.commandLine(), "--restart needs a --crash");
        }
        if (restart != null && restart.compareTo(crash.at()) <= 0) {
            throw new ParameterException(spec.commandLine(), "--restart must come after the crash's time");
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48);
        Links links = Links.builder().latency(latency).bandwidth(bandwidth).loss(loss).build();
        SimScenario.Settings settings = new SimScenario.Settings(nodes, degree, links, txRate, duration, partition,
                heal, crash, restart, s, plaintext);
        PrintStream out = cli.out();
        boolean live = !plain && !json && System.console() != null;
        if (!json) {
            out.printf(Locale.ROOT, "sim: %d nodes (degree %d, seed %d), latency %s, bandwidth %s, loss %s, "
                    + "%d tx/s for %s of simulated time, %s%n", nodes, degree, s, latencyText(latency),
                    bandwidth == 0 ? "unlimited" : bandwidth + " bit/s", loss, txRate, Text.seconds(duration),
                    plaintext ? "plaintext (version 1)" : "secure channel (Noise XX, AES-256-GCM)");
        }
        SimScenario scenario = new SimScenario(settings);
        cli.onShutdown(scenario::stop);
        SimScenario.Report report = scenario.run(new SimScenario.Listener() {
            @Override
            public void networkUp(int n, int linkCount, Duration simulated, double wallSeconds, long heapPerNode) {
                if (!json) {
                    out.printf(Locale.ROOT, "network up: %d nodes, %d links in %s simulated, %.1f s wall; "
                            + "%s of heap per node%n", n, linkCount, Text.seconds(simulated), wallSeconds,
                            Text.bytes(heapPerNode));
                }
                long max = Runtime.getRuntime().maxMemory();
                if (heapPerNode * n > max / 2) {
                    cli.err().printf(Locale.ROOT, "p2p sim: the nodes take %s of a %s heap already; as their pools "
                            + "grow, collections will take most of the time. A larger heap: "
                            + "P2P_JAVA_OPTS=-Xmx<size> ./p2p sim ...%n", Text.bytes(heapPerNode * n), Text.bytes(max));
                }
            }

            @Override
            public void progress(SimScenario.Progress p) {
                if (json) {
                    return;
                }
                Text.status(out, live, progressLine(p));
            }
        });
        if (json) {
            out.println(report.json());
            out.flush();
        } else {
            Text.summary(out, live, summary(report));
        }
        return 0;
    }

    /** {@code sim 12.0 s  wall 8.1 s (0.68 s/s)  1200 tx  delivered 99.9 %  p50 180 ms  p99 420 ms} */
    static String progressLine(SimScenario.Progress p) {
        double sim = p.simulated().toNanos() / 1e9;
        double wall = p.wallNanos() / 1e9;
        return String.format(Locale.ROOT, "sim %6.1f s  wall %6.1f s (%.2f s/s)  %7d tx  delivered %5.1f %%  "
                        + "p50 %s  p99 %s%s%s", sim, wall, sim == 0 ? 0 : wall / sim, p.transactions(),
                100 * p.deliveryRatio(), millis(p.p50Micros()), millis(p.p99Micros()),
                p.partitioned() ? "  PARTITIONED" : "", p.down() > 0 ? "  DOWN " + p.down() : "");
    }

    static String summary(SimScenario.Report r) {
        StringBuilder b = new StringBuilder(String.format("Summary%n"));
        Text.row(b, "nodes", String.valueOf(r.settings().nodes()));
        Text.row(b, "links", r.links() + " (seed " + r.settings().seed() + ")");
        Text.row(b, "setup", String.format(Locale.ROOT, "%s simulated, %.1f s wall", Text.seconds(r.setupSimulated()),
                r.setupWallSeconds()));
        if (r.crashed() > 0) {
            Text.row(b, "crashed", r.crashed() + " nodes, " + r.restarted() + " restarted");
        }
        Text.row(b, "transactions", r.transactions() + (r.refused() > 0 ? " (" + r.refused() + " refused by their pool)" : ""));
        Text.row(b, "deliveries", r.deliveries() + " of " + r.expected());
        Text.row(b, "delivery", String.format(Locale.ROOT, "%.2f %%", 100 * r.deliveryRatio()));
        Text.row(b, "propagation p50", millis(r.p50Micros()));
        Text.row(b, "propagation p90", millis(r.p90Micros()));
        Text.row(b, "propagation p99", millis(r.p99Micros()));
        Text.row(b, "propagation max", millis(r.maxMicros()));
        Text.row(b, "duplicates", String.format(Locale.ROOT, "%d (%.2f per delivery)", r.duplicates(),
                r.duplicatesPerDelivery()));
        Text.row(b, "bytes sent", Text.bytes(r.bytesSentPerNode()) + " per node");
        Text.row(b, "bytes received", Text.bytes(r.bytesReceivedPerNode()) + " per node");
        Text.row(b, "writes", r.writesPerNode() + " per node");
        Text.row(b, "mempool size", Text.range(r.mempoolMin(), r.mempoolMax()) + " per node");
        Text.row(b, "simulated", String.format(Locale.ROOT, "%.1f s", r.simulatedSeconds()));
        Text.row(b, "wall", String.format(Locale.ROOT, "%.1f s (%.3f s per simulated second)", r.wallSeconds(),
                r.wallPerSimulatedSecond()));
        Text.row(b, "events", String.format(Locale.ROOT, "%d (%.0f per wall second)", r.events(),
                r.wallSeconds() == 0 ? 0 : r.events() / r.wallSeconds()));
        Text.row(b, "heap per node", Text.bytes(r.heapPerNodeBytes()) + " (after setup)");
        return b.toString();
    }

    private static String latencyText(Latency l) {
        if (!l.regionNames().isEmpty()) {
            return l.regionNames().size() + " regions, " + millis(l.min().toNanos() / 1_000) + ".."
                    + millis(l.max().toNanos() / 1_000);
        }
        return l.min().equals(l.max()) ? millis(l.min().toNanos() / 1_000)
                : millis(l.min().toNanos() / 1_000) + ".." + millis(l.max().toNanos() / 1_000);
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
