package io.reactivep2p.runtime;

/**
 * A token bucket: {@code rate} tokens per second up to {@code burst}. Time in nanoseconds is
 * passed in (the runtime's ticker), so a test or a simulation drives it. Thread-safe.
 */
public final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    /** A full bucket. */
    public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes {@code n} tokens if there are that many; otherwise takes none. */
    public synchronized boolean tryTake(int n, long nowNanos) {
        refill(nowNanos);
        if (tokens >= n) {
            tokens -= n;
            return true;
        }
        return false;
    }

    /**
     * Takes one token, borrowing it when there is none: returns the nanoseconds until what was
     * borrowed is paid back, 0 when nothing is owed. The caller bounds how much it borrows.
     */
    public synchronized long reserve(long nowNanos) {
        refill(nowNanos);
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
    }

    private void refill(long nowNanos) {
        tokens = Math.min(burst, tokens + Math.max(0, nowNanos - last) * perNano);
        last = nowNanos;
    }
}
