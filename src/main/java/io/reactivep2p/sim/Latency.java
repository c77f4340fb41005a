package io.reactivep2p.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * How long bytes take from one node to another in a {@link Simulation}: one-way, the same both
 * ways, fixed for the life of a link. Immutable.
 *
 * <pre>{@code
 * Latency.fixed(Duration.ofMillis(50));                               // every link 50 ms
 * Latency.uniform(Duration.ofMillis(50), Duration.ofMillis(150));     // each link its own, 50..150 ms
 * }</pre>
 *
 * <p>A uniform latency is drawn per pair of nodes from the simulation's seed and the two
 * nodes' indices alone, so a pair keeps its latency whatever else the run does.
 */
public final class Latency {

    private static final Latency NONE = new Latency(0, 0);

    private final long minNanos;
    private final long maxNanos;

    private Latency(long minNanos, long maxNanos) {
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
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

    /** The one-way latency between nodes {@code a} and {@code b}, in nanoseconds. */
    long nanos(long seed, int a, int b) {
        if (minNanos == maxNanos) {
            return minNanos;
        }
        long h = mix(seed ^ mix(((long) Math.min(a, b) << 32) | Math.max(a, b)));
        return minNanos + Math.floorMod(h, maxNanos - minNanos + 1);
    }

    /** SplitMix64's finaliser: spreads a key over 64 bits (not cryptographic; a draw, not a secret). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return minNanos == maxNanos ? "Latency{" + Duration.ofNanos(minNanos) + "}"
                : "Latency{" + Duration.ofNanos(minNanos) + ".." + Duration.ofNanos(maxNanos) + "}";
    }
}
