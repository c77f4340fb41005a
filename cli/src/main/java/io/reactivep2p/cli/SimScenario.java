package io.reactivep2p.cli;

import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.MempoolEvent;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.mempool.TxId;
import io.reactivep2p.sim.Links;
import io.reactivep2p.sim.Simulation;
import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * The demo's measurement on a {@link Simulation}: {@code nodes} real nodes on virtual time,
 * wired into a random topology, gossiping random transactions submitted at random nodes at
 * {@code txRate} per second of simulated time; optionally a partition that cuts a share of
 * the nodes off and heals. Propagation is measured on the simulated clock, from submit to
 * arrival in each other node's pool; the run is the same for the same settings and seed.
 *
 * <p>One thread: {@link #run} drives the simulation and calls the listener between steps.
 */
final class SimScenario {

    /** After submitting stops, how long in simulated time transactions in flight get to arrive. */
    static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration STEP_MAX = Duration.ofMillis(100);

    /**
     * A partition.
     *
     * @param at when, from the start of submitting
     * @param share of the nodes cut off from the rest, 0..1 exclusive
     */
    record Partition(Duration at, double share) {
    }

    /**
     * What to run.
     *
     * @param nodes nodes in the network
     * @param degree links per node the topology aims at
     * @param links the links' model
     * @param txRate transactions per simulated second, across all nodes
     * @param duration simulated time of submitting
     * @param partition a partition, or {@code null}
     * @param heal when the partition heals, from the start of submitting, or {@code null} for never
     * @param seed of everything
     * @param plaintext the nodes speak version 1 instead of the secure channel
     */
    record Settings(int nodes, int degree, Links links, int txRate, Duration duration, Partition partition,
                    Duration heal, long seed, boolean plaintext) {
        Settings {
            Objects.requireNonNull(links, "links");
            Objects.requireNonNull(duration, "duration");
            if (nodes < 2 || nodes > Simulation.MAX_NODES) {
                throw new IllegalArgumentException("nodes must be in 2.." + Simulation.MAX_NODES + ", got " + nodes);
            }
            if (degree < 1 || degree > Demo.Settings.MAX_DEGREE) {
                throw new IllegalArgumentException("degree must be in 1.." + Demo.Settings.MAX_DEGREE + ", got " + degree);
            }
            if (txRate < 1) {
                throw new IllegalArgumentException("txRate must be >= 1, got " + txRate);
            }
            if (heal != null && partition == null) {
                throw new IllegalArgumentException("a heal without a partition");
            }
            if (heal != null && heal.compareTo(partition.at()) <= 0) {
                throw new IllegalArgumentException("the heal must come after the partition");
            }
        }
    }

    /**
     * A snapshot, once per simulated second.
     *
     * @param simulated simulated time since submitting started
     * @param wallNanos wall time since submitting started
     * @param transactions submitted so far
     * @param deliveries arrivals in other nodes' pools so far
     * @param expected {@code transactions × (nodes − 1)}
     * @param p50Micros median propagation so far, simulated microseconds
     * @param p99Micros 99th percentile so far
     * @param partitioned whether a partition is in force
     */
    record Progress(Duration simulated, long wallNanos, long transactions, long deliveries, long expected,
                    long p50Micros, long p99Micros, boolean partitioned) {
        double deliveryRatio() {
            return expected == 0 ? 1.0 : (double) deliveries / expected;
        }
    }

    /** What the run measured. Times of propagation are simulated; wall times are this machine's. */
    record Report(Settings settings, int links, Duration setupSimulated, double setupWallSeconds,
                  double simulatedSeconds, double wallSeconds, long transactions, long refused, long deliveries,
                  long expected, long p50Micros, long p90Micros, long p99Micros, long maxMicros,
                  long duplicates, long bytesSentPerNode, long bytesReceivedPerNode, long writesPerNode,
                  long events, long heapPerNodeBytes, int mempoolMin, int mempoolMax, long[] percentileMicros) {
        double deliveryRatio() {
            return expected == 0 ? 1.0 : (double) deliveries / expected;
        }

        double duplicatesPerDelivery() {
            return deliveries == 0 ? 0 : (double) duplicates / deliveries;
        }

        /** Wall seconds per simulated second, gossip phase only. */
        double wallPerSimulatedSecond() {
            return simulatedSeconds == 0 ? 0 : wallSeconds / simulatedSeconds;
        }

        /**
         * One JSON object on one line. {@code propagationCdfMillis} holds the propagation at
         * each whole percentile, 0 to 100 (index = percentile).
         */
        String json() {
            StringBuilder b = new StringBuilder(512).append('{');
            b.append("\"nodes\":").append(settings.nodes());
            b.append(",\"degree\":").append(settings.degree());
            b.append(",\"links\":").append(links);
            b.append(",\"seed\":").append(settings.seed());
            b.append(",\"txRate\":").append(settings.txRate());
            b.append(",\"latencyMillis\":[").append(settings.links().latency().min().toNanos() / 1e6).append(',')
                    .append(settings.links().latency().max().toNanos() / 1e6).append(']');
            b.append(",\"latencyRegions\":").append(settings.links().latency().regionNames().size());
            b.append(",\"bandwidthBitsPerSecond\":").append(settings.links().uploadBitsPerSecond());
            b.append(",\"loss\":").append(settings.links().loss());
            b.append(",\"plaintext\":").append(settings.plaintext());
            b.append(",\"transactions\":").append(transactions);
            b.append(",\"refused\":").append(refused);
            b.append(",\"deliveries\":").append(deliveries);
            b.append(",\"expectedDeliveries\":").append(expected);
            b.append(",\"deliveryPercent\":").append(Text.number(100 * deliveryRatio(), 3));
            b.append(",\"duplicatesPerDelivery\":").append(Text.number(duplicatesPerDelivery(), 3));
            b.append(",\"propagationMillis\":{\"p50\":").append(Text.number(p50Micros / 1e3, 3))
                    .append(",\"p90\":").append(Text.number(p90Micros / 1e3, 3))
                    .append(",\"p99\":").append(Text.number(p99Micros / 1e3, 3))
                    .append(",\"max\":").append(Text.number(maxMicros / 1e3, 3)).append('}');
            b.append(",\"propagationCdfMillis\":[");
            for (int i = 0; i < percentileMicros.length; i++) {
                b.append(i == 0 ? "" : ",").append(Text.number(percentileMicros[i] / 1e3, 3));
            }
            b.append(']');
            b.append(",\"bytesPerNode\":{\"sent\":").append(bytesSentPerNode)
                    .append(",\"received\":").append(bytesReceivedPerNode).append('}');
            b.append(",\"writesPerNode\":").append(writesPerNode);
            b.append(",\"mempool\":{\"min\":").append(mempoolMin).append(",\"max\":").append(mempoolMax).append('}');
            b.append(",\"setupSimulatedSeconds\":").append(Text.number(setupSimulated.toNanos() / 1e9, 3));
            b.append(",\"setupWallSeconds\":").append(Text.number(setupWallSeconds, 3));
            b.append(",\"simulatedSeconds\":").append(Text.number(simulatedSeconds, 3));
            b.append(",\"wallSeconds\":").append(Text.number(wallSeconds, 3));
            b.append(",\"wallPerSimulatedSecond\":").append(Text.number(wallPerSimulatedSecond(), 4));
            b.append(",\"events\":").append(events);
            b.append(",\"eventsPerWallSecond\":").append(Text.number(wallSeconds == 0 ? 0 : events / wallSeconds, 0));
            b.append(",\"heapPerNodeBytes\":").append(heapPerNodeBytes);
            return b.append('}').toString();
        }

    }

    /** What a run tells as it goes. */
    interface Listener {
        default void networkUp(int nodes, int links, Duration simulated, double wallSeconds, long heapPerNode) {
        }

        default void progress(Progress progress) {
        }
    }

    /** A transaction on its way: when (simulated nanos) and where it was submitted, which nodes have it. */
    private static final class InFlight {
        final long submitted;
        final int origin;
        final BitSet arrived = new BitSet();
        int count;

        InFlight(long submitted, int origin) {
            this.submitted = submitted;
            this.origin = origin;
        }
    }

    private final Settings settings;
    private final Map<TxId, InFlight> inFlight = new HashMap<>();
    private final Histogram propagation = new Histogram(3);
    private long deliveries;
    private long setupSent;
    private long setupReceived;
    private long transactions;
    private long refused;
    private volatile boolean stopRequested;

    SimScenario(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Ends submitting early (Ctrl-C): the run then gives the grace and reports. Thread-safe. */
    void stop() {
        stopRequested = true;
    }

    /** Runs the scenario once on the calling thread, which the simulation belongs to. */
    Report run(Listener listener) {
        long wallStart = System.nanoTime();
        try (Simulation sim = Simulation.builder().seed(settings.seed()).links(settings.links()).build()) {
            int n = settings.nodes();
            List<P2pNode> nodes = sim.addNodes(n, c -> c.plaintext(settings.plaintext())
                    // The scenario wires the topology: no dialer of the nodes' own.
                    .outboundTarget(0)
                    .seenCacheSize(Demo.seenCacheSize(settings.txRate(), 1 << 12))); // from 64 KiB: 10,000 nodes share a heap
            sim.startAll();
            Random random = sim.random();
            Topology topology = Topology.random(n, settings.degree(), random);
            sim.connect(topology);
            Duration setupSimulated = sim.elapsed();
            double setupWall = (System.nanoTime() - wallStart) / 1e9;
            long heapPerNode = heapPerNode(n);
            listener.networkUp(n, topology.links().size(), setupSimulated, setupWall, heapPerNode);
            for (int i = 0; i < n; i++) {
                int index = i;
                nodes.get(i).mempool().events().filter(e -> e.kind() == MempoolEvent.Kind.ADDED)
                        .subscribe(e -> arrived(sim, index, e.transaction().id()));
            }

            long start = sim.elapsed().toNanos();
            long wall = System.nanoTime();
            for (P2pNode node : nodes) { // the report counts the gossip's bytes, not the handshakes'
                setupSent += node.bytesSent();
                setupReceived += node.bytesReceived();
            }
            long setupWrites = sim.deliveries();
            long duration = settings.duration().toNanos();
            long events = sim.events();
            long nextProgress = 1_000_000_000L;
            long partitionAt = settings.partition() == null ? Long.MAX_VALUE : settings.partition().at().toNanos();
            long healAt = settings.heal() == null ? Long.MAX_VALUE : settings.heal().toNanos();
            boolean partitioned = false;
            long submitted = 0;
            for (long now = 0; now < duration && !stopRequested; now = sim.elapsed().toNanos() - start) {
                if (now >= partitionAt && !partitioned && healAt > now) {
                    sim.partition(side(nodes, random));
                    partitioned = true;
                    partitionAt = Long.MAX_VALUE;
                }
                if (now >= healAt && partitioned) {
                    sim.heal();
                    partitioned = false;
                    healAt = Long.MAX_VALUE;
                }
                long due = settings.txRate() * now / 1_000_000_000L + 1;
                for (; submitted < due; submitted++) {
                    submit(sim, nodes, random);
                }
                if (now >= nextProgress) {
                    listener.progress(progress(sim, start, wall, partitioned));
                    nextProgress += 1_000_000_000L;
                }
                long nextTx = Math.max(1, (submitted * 1_000_000_000L + settings.txRate() - 1) / settings.txRate() - now);
                long step = Math.min(Math.min(nextTx, STEP_MAX.toNanos()), duration - now);
                step = Math.min(step, Math.min(nextProgress, Math.min(partitionAt, healAt)) - now);
                sim.runFor(Duration.ofNanos(Math.max(1, step)));
            }
            if (partitioned && settings.heal() != null) {
                sim.heal();
            }
            sim.runUntil(inFlight::isEmpty, GRACE);
            double simulated = (sim.elapsed().toNanos() - start) / 1e9;
            double wallSeconds = (System.nanoTime() - wall) / 1e9;
            listener.progress(progress(sim, start, wall, partitioned));
            return report(sim, nodes, topology.links().size(), setupSimulated, setupWall, simulated, wallSeconds,
                    sim.events() - events, sim.deliveries() - setupWrites, heapPerNode);
        }
    }

    /** The nodes cut off: a random share, from the run's seed. */
    private List<P2pNode> side(List<P2pNode> nodes, Random random) {
        List<P2pNode> shuffled = new ArrayList<>(nodes);
        java.util.Collections.shuffle(shuffled, random);
        return shuffled.subList(0, (int) Math.round(nodes.size() * settings.partition().share()));
    }

    /** The heap in use after a full collection, shared out per node: what a node of the simulation costs. */
    private static long heapPerNode(int n) {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) / n;
    }

    private void submit(Simulation sim, List<P2pNode> nodes, Random random) {
        int origin = random.nextInt(nodes.size());
        Transaction tx = Demo.randomTransaction(random, sim.runtime().currentTimeMillis());
        long now = sim.elapsed().toNanos();
        InFlight f = new InFlight(now, origin);
        inFlight.put(tx.id(), f);
        AddResult result = sim.await(nodes.get(origin).submit(tx), Duration.ofSeconds(1));
        if (result != null && result.accepted()) {
            transactions++;
        } else {
            inFlight.remove(tx.id());
            refused++;
        }
    }

    private void arrived(Simulation sim, int index, TxId id) {
        InFlight f = inFlight.get(id);
        if (f == null || f.origin == index || f.arrived.get(index)) {
            return;
        }
        f.arrived.set(index);
        f.count++;
        propagation.recordValue(Math.max(1, (sim.elapsed().toNanos() - f.submitted) / 1_000));
        deliveries++;
        if (f.count == settings.nodes() - 1) {
            inFlight.remove(id);
        }
    }

    /** Propagation at every whole percentile 0..100: a CDF to plot (empty without deliveries). */
    private long[] percentiles() {
        if (propagation.getTotalCount() == 0) {
            return new long[0];
        }
        long[] p = new long[101];
        for (int i = 0; i <= 100; i++) {
            p[i] = i == 0 ? propagation.getMinValue() : propagation.getValueAtPercentile(i);
        }
        return p;
    }

    private Progress progress(Simulation sim, long start, long wall, boolean partitioned) {
        long count = propagation.getTotalCount();
        return new Progress(Duration.ofNanos(sim.elapsed().toNanos() - start), System.nanoTime() - wall,
                transactions, deliveries, transactions * (settings.nodes() - 1),
                count == 0 ? 0 : propagation.getValueAtPercentile(50),
                count == 0 ? 0 : propagation.getValueAtPercentile(99), partitioned);
    }

    private Report report(Simulation sim, List<P2pNode> nodes, int links, Duration setupSimulated, double setupWall,
                          double simulated, double wallSeconds, long events, long writes, long heapPerNode) {
        int n = nodes.size();
        long sent = -setupSent;
        long received = -setupReceived;
        long duplicates = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (P2pNode node : nodes) {
            sent += node.bytesSent();
            received += node.bytesReceived();
            duplicates += node.gossip().duplicates();
            min = Math.min(min, node.mempool().size());
            max = Math.max(max, node.mempool().size());
        }
        long count = propagation.getTotalCount();
        return new Report(settings, links, setupSimulated, setupWall, simulated, wallSeconds, transactions, refused,
                deliveries, transactions * (n - 1),
                count == 0 ? 0 : propagation.getValueAtPercentile(50),
                count == 0 ? 0 : propagation.getValueAtPercentile(90),
                count == 0 ? 0 : propagation.getValueAtPercentile(99),
                count == 0 ? 0 : propagation.getMaxValue(), duplicates, sent / n, received / n,
                writes / n, events, heapPerNode, min, max, percentiles());
    }
}
