package io.reactivep2p.peer;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of requests and streams between peers, per peer. Immutable.
 *
 * <pre>{@code
 * NodeConfig.builder().rpc(RpcSettings.defaults().withTimeout(Duration.ofSeconds(30)))
 * }</pre>
 *
 * @param maxInboundStreams requests, streams and fire-and-forgets of one peer being handled at
 *     once (default 256); one more is refused (ERROR REFUSED, or dropped for a fire-and-forget)
 *     and costs the peer {@link RpcService#OVER_LIMIT_SCORE} points
 * @param maxOutboundStreams this node's requests and streams to one peer in flight at once
 *     (default 1024); one more fails at once with {@link RpcException.Kind#REFUSED}
 * @param requestRate requests one peer may open per second, bursts of twice that (default
 *     10,000); beyond, refused as above
 * @param timeout a call's default timeout (default 10 s): a request's answer, or a stream's
 *     next item while credits are outstanding
 */
public record RpcSettings(int maxInboundStreams, int maxOutboundStreams, double requestRate, Duration timeout) {

    /** Checks every field. */
    public RpcSettings {
        if (maxInboundStreams < 1 || maxOutboundStreams < 1) {
            throw new IllegalArgumentException("stream limits must be >= 1");
        }
        if (!(requestRate > 0)) {
            throw new IllegalArgumentException("requestRate must be positive, got " + requestRate);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /** 256 streams in, 1024 out, 10,000 requests per second, 10 s. */
    public static RpcSettings defaults() {
        return new RpcSettings(256, 1024, 10_000, Duration.ofSeconds(10));
    }

    /** A copy with another {@link #maxInboundStreams()}. */
    public RpcSettings withMaxInboundStreams(int max) {
        return new RpcSettings(max, maxOutboundStreams, requestRate, timeout);
    }

    /** A copy with another {@link #maxOutboundStreams()}. */
    public RpcSettings withMaxOutboundStreams(int max) {
        return new RpcSettings(maxInboundStreams, max, requestRate, timeout);
    }

    /** A copy with another {@link #requestRate()}. */
    public RpcSettings withRequestRate(double perSecond) {
        return new RpcSettings(maxInboundStreams, maxOutboundStreams, perSecond, timeout);
    }

    /** A copy with another {@link #timeout()}. */
    public RpcSettings withTimeout(Duration timeout) {
        return new RpcSettings(maxInboundStreams, maxOutboundStreams, requestRate, timeout);
    }
}
