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
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;

/**
 * The demo's measurement on a {@link Simulation}: {@code nodes} real nodes on virtual time,
 * wired into a random topology, gossiping random transactions submitted at random nodes at
 * {@code txRate} per second of simulated time; optionally a partition that cuts a share of
 * the nodes off and heals, and a crash of a share of the nodes, which restart later with their
 * identities and dial their links of the topology again. Propagation is measured on the
 * simulated clock, from submit to arrival in each other node's pool; the run is the same for
 * the same settings and seed.
 *
 * <p><b>What a delivery is expected.</b> A transaction is expected in the pool of every node
 * that was up when it was submitted, but its origin, and that is not crashed before it arrives.
 * A node counts as up from its start, and after a restart from its first connection; a restarted
 * node starts with an empty pool (the protocol has no pool exchange on connect), so what was
 * submitted before it is not expected there.
 *
 * <p>One thread: {@link #run} drives the simulation and calls the listener between steps.
 */
final class SimScenario {

    /** After submitting stops, how long in simulated time transactions in flight get to arrive. */
    static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration STEP_MAX = Duration.ofMillis(100);

    /**
     * A share of the nodes, drawn at random from the run's seed, at a time: the ones a partition
     * cuts off, or the ones that crash.
     *
     * @param at when, from the start of submitting
     * @param share of the nodes, 0..1 exclusive
     */
    record Share(Duration at, double share) {
    }

    /**
     * What to run.
     *
     * @param nodes nodes in the network
     * @param degree links per node the topology aims at
     * @param links the links' model
     * @param txRate transactions per simulated second, across all nodes
     * @param duration simulated time of submitting
     * @param partition the nodes a partition cuts off, and when; or {@code null}
     * @param heal when the partition heals, from the start of submitting, or {@code null} for never
     * @param crash the nodes that crash, and when; or {@code null}
     * @param restart when the crashed nodes restart, from the start of submitting, or {@code null} for never
     * @param seed of everything
     * @param plaintext the nodes speak version 1 instead of the secure channel
     */
    record Settings(int nodes, int degree, Links links, int txRate, Duration duration, Share partition,
                    Duration heal, Share crash, Duration restart, long seed, boolean plaintext) {
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
            if (restart != null && crash == null) {
                throw new IllegalArgumentException("a restart without a crash");
            }
            if (restart != null && restart.compareTo(crash.at()) <= 0) {
                throw new IllegalArgumentException("the restart must come after the crash");
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
     * @param expected deliveries expected (see the class comment): {@code transactions × (nodes − 1)} without crashes
     * @param p50Micros median propagation so far, simulated microseconds
     * @param p99Micros 99th percentile so far
     * @param partitioned whether a partition is in force
     * @param down nodes crashed and not restarted, or restarted and not connected yet
     */
    record Progress(Duration simulated, long wallNanos, long transactions, long deliveries, long expected,
                    long p50Micros, long p99Micros, boolean partitioned, int down) {
        double deliveryRatio() {
            return expected == 0 ? 1.0 : (double) deliveries / expected;
        }
    }

    /** What the run measured. Times of propagation are simulated; wall times are this machine's. */
    record Report(Settings settings, int links, Duration setupSimulated, double setupWallSeconds,
                  double simulatedSeconds, double wallSeconds, long transactions, long refused, long deliveries,
                  long expected, long p50Micros, long p90Micros, long p99Micros, long maxMicros,
                  long duplicates, long bytesSentPerNode, long bytesReceivedPerNode, long writesPerNode,
                  long events, long heapPerNodeBytes, int mempoolMin, int mempoolMax, long[] percentileMicros,
                  int crashed, int restarted) {
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
            b.append(",\"crashed\":").append(crashed);
            b.append(",\"restarted\":").append(restarted);
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

    /**
     * A transaction on its way: when (simulated nanos) and where it was submitted, which nodes
     * have it, and how many are expected to.
     */
    private static final class InFlight {
        final long submitted;
        final int origin;
        final BitSet arrived = new BitSet();
        int count;
        int expected;

        InFlight(long submitted, int origin, int expected) {
            this.submitted = submitted;
            this.origin = origin;
            this.expected = expected;
        }
    }

    /** The simulated time at which a node is not up: crashed, or restarted and not connected yet. */
    private static final long DOWN = Long.MAX_VALUE;

    private final Settings settings;
    private final Map<TxId, InFlight> inFlight = new HashMap<>();
    private final Histogram propagation = new Histogram(3);
    /** Per node, since when (simulated nanos) it counts as up; {@link #DOWN} while it does not. */
    private long[] upSince;
    private int down;
    private long deliveries;
    private long expected;
    private long setupSent;
    private long setupReceived;
    /** Bytes and duplicates of the nodes that crashed, counted until their crash. */
    private long crashedSent;
    private long crashedReceived;
    private long crashedDuplicates;
    private int crashed;
    private int restarted;
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
            List<P2pNode> nodes = new ArrayList<>(sim.addNodes(n, c -> c.plaintext(settings.plaintext())
                    // The scenario wires the topology: no dialer of the nodes' own.
                    .outboundTarget(0)
                    .seenCacheSize(Demo.seenCacheSize(settings.txRate(), 1 << 12)))); // from 64 KiB: 10,000 nodes share a heap
            sim.startAll();
            Random random = sim.random();
            Topology topology = Topology.random(n, settings.degree(), random);
            sim.connect(topology);
            Duration setupSimulated = sim.elapsed();
            double setupWall = (System.nanoTime() - wallStart) / 1e9;
            long heapPerNode = heapPerNode(n);
            listener.networkUp(n, topology.links().size(), setupSimulated, setupWall, heapPerNode);
            upSince = new long[n];
            for (int i = 0; i < n; i++) {
                watch(sim, nodes.get(i), i);
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
            long crashAt = settings.crash() == null ? Long.MAX_VALUE : settings.crash().at().toNanos();
            long restartAt = settings.restart() == null ? Long.MAX_VALUE : settings.restart().toNanos();
            boolean partitioned = false;
            List<Integer> crashedNodes = List.of();
            List<Integer> joining = new ArrayList<>();
            long submitted = 0;
            for (long now = 0; now < duration && !stopRequested; now = sim.elapsed().toNanos() - start) {
                if (now >= partitionAt && !partitioned && healAt > now) {
                    sim.partition(share(nodes, settings.partition().share(), random).stream().map(nodes::get).toList());
                    partitioned = true;
                    partitionAt = Long.MAX_VALUE;
                }
                if (now >= healAt && partitioned) {
                    sim.heal();
                    partitioned = false;
                    healAt = Long.MAX_VALUE;
                }
                if (now >= crashAt) {
                    crashedNodes = share(nodes, settings.crash().share(), random);
                    for (int i : crashedNodes) {
                        crash(sim, nodes.get(i), i);
                    }
                    crashAt = Long.MAX_VALUE;
                }
                if (now >= restartAt) {
                    for (int i : crashedNodes) {
                        P2pNode again = sim.restart(nodes.get(i));
                        nodes.set(i, again);
                        watch(sim, again, i);
                        for (Topology.Link link : topology.links()) { // its links, dialled again from its side
                            int other = link.from() == i ? link.to() : link.to() == i ? link.from() : -1;
                            if (other >= 0 && nodes.get(other).isRunning()) {
                                again.connect(Simulation.addressOf(other)).subscribe(p -> { }, e -> { });
                            }
                        }
                        restarted++;
                        joining.add(i);
                    }
                    restartAt = Long.MAX_VALUE;
                }
                joined(sim, nodes, joining);
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
                long nextFault = Math.min(Math.min(partitionAt, healAt), Math.min(crashAt, restartAt));
                step = Math.min(step, Math.min(nextProgress, nextFault) - now);
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

    /** Records what arrives in node {@code index}'s pool. */
    private void watch(Simulation sim, P2pNode node, int index) {
        node.mempool().events().filter(e -> e.kind() == MempoolEvent.Kind.ADDED)
                .subscribe(e -> arrived(sim, index, e.transaction().id()));
    }

    /**
     * Crashes node {@code index}: what it has not received yet is no longer expected there, and
     * its bytes and duplicates so far are kept for the report.
     */
    private void crash(Simulation sim, P2pNode node, int index) {
        long since = upSince[index];
        if (since != DOWN) {
            down++;
        }
        upSince[index] = DOWN;
        List<TxId> done = new ArrayList<>();
        for (Map.Entry<TxId, InFlight> e : inFlight.entrySet()) {
            InFlight f = e.getValue();
            if (f.origin != index && f.submitted >= since && !f.arrived.get(index)) {
                f.expected--;
                expected--;
                if (f.count == f.expected) {
                    done.add(e.getKey());
                }
            }
        }
        done.forEach(inFlight::remove);
        sim.crash(node);
        crashedSent += node.bytesSent();
        crashedReceived += node.bytesReceived();
        crashedDuplicates += node.gossip().duplicates();
        crashed++;
    }

    /** Restarted nodes count as up from their first connection. */
    private void joined(Simulation sim, List<P2pNode> nodes, List<Integer> joining) {
        for (Iterator<Integer> it = joining.iterator(); it.hasNext(); ) {
            int i = it.next();
            if (!nodes.get(i).peers().isEmpty()) {
                upSince[i] = sim.elapsed().toNanos();
                down--;
                it.remove();
            }
        }
    }

    /** The indices of a random share of the nodes, from the run's seed. */
    private static List<Integer> share(List<P2pNode> nodes, double share, Random random) {
        List<Integer> shuffled = new ArrayList<>(IntStream.range(0, nodes.size()).boxed().toList());
        Collections.shuffle(shuffled, random);
        return List.copyOf(shuffled.subList(0, (int) Math.round(nodes.size() * share)));
    }

    /** The heap in use after a full collection, shared out per node: what a node of the simulation costs. */
    private static long heapPerNode(int n) {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) / n;
    }

    /** Submits a random transaction at a random node that is up. */
    private void submit(Simulation sim, List<P2pNode> nodes, Random random) {
        int origin;
        do {
            origin = random.nextInt(nodes.size());
        } while (upSince[origin] == DOWN); // a share below 1 is down: some node is up
        Transaction tx = Demo.randomTransaction(random, sim.runtime().currentTimeMillis());
        long now = sim.elapsed().toNanos();
        InFlight f = new InFlight(now, origin, nodes.size() - down - 1);
        inFlight.put(tx.id(), f);
        AddResult result = sim.await(nodes.get(origin).submit(tx), Duration.ofSeconds(1));
        if (result != null && result.accepted()) {
            transactions++;
            expected += f.expected;
        } else {
            inFlight.remove(tx.id());
            refused++;
        }
    }

    private void arrived(Simulation sim, int index, TxId id) {
        InFlight f = inFlight.get(id);
        if (f == null || f.origin == index || f.arrived.get(index) || f.submitted < upSince[index]) {
            return; // not expected there: the node was down (or not connected again) when it was submitted
        }
        f.arrived.set(index);
        f.count++;
        propagation.recordValue(Math.max(1, (sim.elapsed().toNanos() - f.submitted) / 1_000));
        deliveries++;
        if (f.count == f.expected) {
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
                transactions, deliveries, expected,
                count == 0 ? 0 : propagation.getValueAtPercentile(50),
                count == 0 ? 0 : propagation.getValueAtPercentile(99), partitioned, down);
    }

    private Report report(Simulation sim, List<P2pNode> nodes, int links, Duration setupSimulated, double setupWall,
                          double simulated, double wallSeconds, long events, long writes, long heapPerNode) {
        int n = nodes.size();
        long sent = crashedSent - setupSent;
        long received = crashedReceived - setupReceived;
        long duplicates = crashedDuplicates;
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
                deliveries, expected,
                count == 0 ? 0 : propagation.getValueAtPercentile(50),
                count == 0 ? 0 : propagation.getValueAtPercentile(90),
                count == 0 ? 0 : propagation.getValueAtPercentile(99),
                count == 0 ? 0 : propagation.getMaxValue(), duplicates, sent / n, received / n,
                writes / n, events, heapPerNode, min, max, percentiles(), crashed, restarted);
    }
}
