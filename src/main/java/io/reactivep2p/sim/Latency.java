package io.reactivep2p.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How long bytes take from one node to another in a {@link Simulation}: one-way, the same both
 * ways, fixed for the life of a link. Immutable.
 *
 * <pre>{@code
 * Latency.fixed(Duration.ofMillis(50));                               // every link 50 ms
 * Latency.uniform(Duration.ofMillis(50), Duration.ofMillis(150));     // each link its own, 50..150 ms
 * Latency.world();                                                    // five regions of the world
 * Latency.regions()                                                   // regions of your own
 *         .region("eu", 2).region("us", 1)                            //   two nodes in eu for one in us
 *         .between("eu", "eu", Duration.ofMillis(5), Duration.ofMillis(15))
 *         .between("us", "us", Duration.ofMillis(10), Duration.ofMillis(30))
 *         .between("eu", "us", Duration.ofMillis(40), Duration.ofMillis(55))
 *         .build();
 * }</pre>
 *
 * <p>A latency from a range is drawn per pair of nodes, uniformly, from the simulation's seed
 * and the two nodes' indices alone, so a pair keeps its latency whatever else the run does.
 * With regions, each node is in one region, by its index ({@link #regionOf}), and a pair draws
 * from the range of its two regions.
 */
public final class Latency {

    private static final Latency NONE = new Latency(0, 0);
    private static final Latency WORLD = worldRegions();

    private final long minNanos;
    private final long maxNanos;
    /** With regions: their names; else empty. */
    private final List<String> regionNames;
    /** With regions: node index modulo its length gives the node's region. */
    private final int[] slots;
    /** With regions: each pair of regions' least and largest latency, [a][b] = [b][a]. */
    private final long[][] regionMin;
    private final long[][] regionMax;

    private Latency(long minNanos, long maxNanos) {
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.regionNames = List.of();
        this.slots = null;
        this.regionMin = null;
        this.regionMax = null;
    }

    private Latency(List<String> names, int[] slots, long[][] min, long[][] max) {
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (int a = 0; a < names.size(); a++) {
            for (int b = 0; b < names.size(); b++) {
                lo = Math.min(lo, min[a][b]);
                hi = Math.max(hi, max[a][b]);
            }
        }
        this.minNanos = lo;
        this.maxNanos = hi;
        this.regionNames = List.copyOf(names);
        this.slots = slots;
        this.regionMin = min;
        this.regionMax = max;
    }
    /** No latency: bytes arrive at the instant they leave (after the sender's bandwidth). */
    public static Latency none() {
        return NONE;
    }

    /** Every link the same one-way latency. */
    public static Latency fixed(Duration oneWay) {
        long nanos = checked(oneWay, "oneWay");
        return new Latency(nanos, nanos);
    }

    /**
     * Each pair of nodes a latency drawn uniformly from {@code min..max} (both included).
     *
     * @throws IllegalArgumentException if {@code min} is negative or above {@code max}
     */
    public static Latency uniform(Duration min, Duration max) {
        long lo = checked(min, "min");
        long hi = checked(max, "max");
        if (lo > hi) {
            throw new IllegalArgumentException("min must not be above max, got " + min + " and " + max);
        }
        return new Latency(lo, hi);
    }

    private static long checked(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
        return d.toNanos();
    }

    /** The smallest latency of a link. */
    public Duration min() {
        return Duration.ofNanos(minNanos);
    }

    /** The largest latency of a link. */
    public Duration max() {
        return Duration.ofNanos(maxNanos);
    }

    /** The regions' names, in the order they were added; empty without regions. */
    public List<String> regionNames() {
        return regionNames;
    }

    /**
     * The region of node {@code index}: the regions take the indices in turn, each as often as
     * its weight, spread evenly (weights 2 and 1: a, b, a, a, b, a, ...).
     *
     * @throws IllegalStateException if this latency has no regions
     */
    public String regionOf(int index) {
        if (slots == null) {
            throw new IllegalStateException("no regions: " + this);
        }
        return regionNames.get(slots[Math.floorMod(index, slots.length)]);
    }

    /** The one-way latency between nodes {@code a} and {@code b}, in nanoseconds. */
    long nanos(long seed, int a, int b) {
        long lo = minNanos;
        long hi = maxNanos;
        if (slots != null) {
            int ra = slots[Math.floorMod(a, slots.length)];
            int rb = slots[Math.floorMod(b, slots.length)];
            lo = regionMin[ra][rb];
            hi = regionMax[ra][rb];
        }
        if (lo == hi) {
            return lo;
        }
        long h = mix(seed ^ mix(((long) Math.min(a, b) << 32) | Math.max(a, b)));
        return lo + Math.floorMod(h, hi - lo + 1);
    }

    /** SplitMix64's finaliser: spreads a key over 64 bits (not cryptographic; a draw, not a secret). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        if (slots != null) {
            return "Latency{regions " + regionNames + ", " + Duration.ofNanos(minNanos) + ".." + Duration.ofNanos(maxNanos) + "}";
        }
        return minNanos == maxNanos ? "Latency{" + Duration.ofNanos(minNanos) + "}"
                : "Latency{" + Duration.ofNanos(minNanos) + ".." + Duration.ofNanos(maxNanos) + "}";
    }

    /** A builder of regions: each with a weight (its share of the nodes), and a range for every pair of them. */
    public static Regions regions() {
        return new Regions();
    }

    /**
     * Five regions of the world, with the shares of nodes and one-way latencies below: round
     * figures of the order that public round-trip tables between cloud regions show (halved), for
     * scenarios where distance matters, not a measurement of any network.
     *
     * <table>
     * <caption>One-way latency in milliseconds, each pair of nodes drawn from its range</caption>
     * <tr><th></th><th>north-america (35)</th><th>europe (40)</th><th>asia (15)</th><th>south-america (5)</th><th>oceania (5)</th></tr>
     * <tr><td>north-america</td><td>10..40</td><td>40..60</td><td>75..110</td><td>55..80</td><td>75..100</td></tr>
     * <tr><td>europe</td><td></td><td>5..25</td><td>90..130</td><td>90..110</td><td>130..150</td></tr>
     * <tr><td>asia</td><td></td><td></td><td>15..50</td><td>150..170</td><td>50..80</td></tr>
     * <tr><td>south-america</td><td></td><td></td><td></td><td>10..30</td><td>150..170</td></tr>
     * <tr><td>oceania</td><td></td><td></td><td></td><td></td><td>5..20</td></tr>
     * </table>
     */
    public static Latency world() {
        return WORLD;
    }


    private static Latency worldRegions() {
        String[] names = {"north-america", "europe", "asia", "south-america", "oceania"};
        int[] weights = {35, 40, 15, 5, 5};
        int[][] ms = { // [a][b] = {min, max}, upper triangle row by row
            {10, 40, 40, 60, 75, 110, 55, 80, 75, 100},
            {5, 25, 90, 130, 90, 110, 130, 150},
            {15, 50, 150, 170, 50, 80},
            {10, 30, 150, 170},
            {5, 20},
        };
        Regions r = regions();
        for (int i = 0; i < names.length; i++) {
            r.region(names[i], weights[i]);
        }
        for (int a = 0; a < names.length; a++) {
            for (int b = a, k = 0; b < names.length; b++, k += 2) {
                r.between(names[a], names[b], Duration.ofMillis(ms[a][k]), Duration.ofMillis(ms[a][k + 1]));
            }
        }
        return r.build();
    }

    /** Builds a {@link Latency} of regions. Not thread-safe. */
    public static final class Regions {
        /** At most this many regions, and this total weight (the table of slots). */
        static final int MAX_REGIONS = 256;
        static final int MAX_TOTAL_WEIGHT = 1 << 16;

        private final Map<String, Integer> index = new LinkedHashMap<>();
        private final List<Integer> weights = new ArrayList<>();
        private final Map<Long, long[]> ranges = new HashMap<>();

        private Regions() {
        }

        /**
         * Adds a region holding {@code weight} nodes of every (sum of weights) in turn.
         *
         * @throws IllegalArgumentException if the name is taken, the weight is not positive, or
         *     the regions or their weights are too many (256 regions, a total weight of 65,536)
         */
        public Regions region(String name, int weight) {
            Objects.requireNonNull(name, "name");
            if (index.containsKey(name)) {
                throw new IllegalArgumentException("region '" + name + "' is there already");
            }
            if (weight <= 0) {
                throw new IllegalArgumentException("weight must be positive, got " + weight + " for '" + name + "'");
            }
            long total = weights.stream().mapToLong(Integer::longValue).sum() + weight;
            if (index.size() == MAX_REGIONS || total > MAX_TOTAL_WEIGHT) {
                throw new IllegalArgumentException("at most " + MAX_REGIONS + " regions and a total weight of "
                        + MAX_TOTAL_WEIGHT);
            }
            index.put(name, index.size());
            weights.add(weight);
            return this;
        }

        /** The same latency between every pair of nodes of {@code a} and {@code b}. */
        public Regions between(String a, String b, Duration oneWay) {
            return between(a, b, oneWay, oneWay);
        }

        /**
         * Each pair of nodes, one in {@code a} and one in {@code b} (or both in {@code a} if they
         * are the same), draws its one-way latency from {@code min..max}; both ways alike.
         *
         * @throws IllegalArgumentException if a region is unknown, or the range is negative or reversed
         */
        public Regions between(String a, String b, Duration min, Duration max) {
            int ia = indexOf(a);
            int ib = indexOf(b);
            long lo = checked(min, "min");
            long hi = checked(max, "max");
            if (lo > hi) {
                throw new IllegalArgumentException("min must not be above max, got " + min + " and " + max);
            }
            ranges.put(key(ia, ib), new long[] {lo, hi});
            return this;
        }

        private int indexOf(String region) {
            Integer i = index.get(Objects.requireNonNull(region, "region"));
            if (i == null) {
                throw new IllegalArgumentException("unknown region '" + region + "'; add it with region() first");
            }
            return i;
        }

        private static long key(int a, int b) {
            return ((long) Math.min(a, b) << 32) | Math.max(a, b);
        }

        /**
         * The latency.
         *
         * @throws IllegalStateException if there is no region, or a pair of regions (a region
         *     with itself included) has no range
         */
        public Latency build() {
            int n = index.size();
            if (n == 0) {
                throw new IllegalStateException("no region");
            }
            List<String> names = new ArrayList<>(index.keySet());
            long[][] min = new long[n][n];
            long[][] max = new long[n][n];
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    long[] range = ranges.get(key(a, b));
                    if (range == null) {
                        throw new IllegalStateException("no latency between '" + names.get(a) + "' and '"
                                + names.get(b) + "'");
                    }
                    min[a][b] = range[0];
                    max[a][b] = range[1];
                }
            }
            return new Latency(names, slots(), min, max);
        }

        /** Smooth weighted round robin: each region as often as its weight, spread evenly. */
        private int[] slots() {
            int n = weights.size();
            int total = weights.stream().mapToInt(Integer::intValue).sum();
            int[] slots = new int[total];
            long[] current = new long[n];
            for (int s = 0; s < total; s++) {
                int best = 0;
                for (int r = 0; r < n; r++) {
                    current[r] += weights.get(r);
                    if (current[r] > current[best]) {
                        best = r;
                    }
                }
                current[best] -= total;
                slots[s] = best;
            }
            return slots;
        }
    }
}
