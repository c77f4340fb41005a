package io.reactivep2p.gossip;

/**
 * A token bucket: {@code rate} tokens per second up to {@code burst}. Time in nanoseconds is
 * passed in. Thread-safe.
 */
final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes {@code n} tokens if there are that many; otherwise takes none. */
    synchronized boolean tryTake(int n, long nowNanos) {
        tokens = Math.min(burst, tokens + Math.max(0, nowNanos - last) * perNano);
        last = nowNanos;
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }
}
