package io.reactivep2p.peer;

import java.time.Duration;
import java.util.Objects;

/**
 * The immutable rules of a node's peers: how many, how long each may take to answer, when it
 * is dropped as slow, and how misbehaviour is scored and banned. Built with {@link #builder()};
 * every field has a default suited to a public network and is checked here. A node takes them
 * from its {@code NodeConfig} ({@code NodeConfig.builder().peer(p -> p.maxPeers(100))}, or
 * the flat setters such as {@code .maxPeers(100)}).
 *
 * <pre>{@code
 * PeerSettings strict = PeerSettings.builder().maxInboundPerIp(1).banThreshold(50).build();
 * }</pre>
 *
 * @param maxPeers connected peers at most, both directions (default 50)
 * @param maxInbound inbound peers at most (default 25)
 * @param maxOutbound outbound peers at most (default 25)
 * @param maxInboundPerIp inbound connections from one IP address at most, handshaking or
 *     connected (default 4)
 * @param limitLoopback whether loopback addresses are subject to the per-IP limit and to IP
 *     bans (default {@code false}, so that local networks and tests work; node-id bans always
 *     apply)
 * @param handshakeTimeout time for the remote HELLO to arrive after connect (default 5 s); also
 *     how long after its admission a peer can still be replaced by a simultaneous dial
 * @param pingInterval interval between PINGs (default 15 s)
 * @param maxMissedPongs PINGs left unanswered before the peer is disconnected with reason
 *     timeout (default 3)
 * @param readIdleTimeout time without any inbound frame before the peer is disconnected
 *     (default {@code pingInterval × (maxMissedPongs + 1)})
 * @param slowPeerTimeout how long a peer may leave what is sent to it untaken (its outbound
 *     queue full, or its socket) before it is disconnected as slow (default 30 s)
 * @param banThreshold misbehaviour score at which a peer is disconnected and banned (default
 *     100; a protocol error costs {@value PeerManager#PROTOCOL_ERROR_SCORE})
 * @param banDuration how long a ban lasts, and how long a score is remembered after the last
 *     offence (default 10 minutes)
 * @param maxBans bans (ids and addresses) remembered at most, and as many scores; beyond it
 *     Caffeine's size eviction makes room, which keeps frequently seen entries and is not
 *     oldest-first (default 10,000)
 * @param inboundConnectRate new inbound connections accepted from one IP address per second,
 *     in bursts of twice as many; more are closed at once, before any handshake work (a secure
 *     handshake costs the listener three X25519 operations). Loopback is exempt unless
 *     {@code limitLoopback}. 0 turns the limit off (default 10)
 * @param inboundHandshakeRate new inbound connections admitted to their handshake per second
 *     from all addresses together (those the per-IP limits apply to), in bursts of twice as
 *     many; more are closed at once, before any handshake work. It bounds what a flood from
 *     many addresses, each under {@code inboundConnectRate}, costs: about 0.35 ms of an event
 *     loop per secure handshake answered here. 0 turns the limit off (default 200)
 */
public record PeerSettings(int maxPeers, int maxInbound, int maxOutbound, int maxInboundPerIp, boolean limitLoopback,
                           Duration handshakeTimeout, Duration pingInterval, int maxMissedPongs,
                           Duration readIdleTimeout, Duration slowPeerTimeout, int banThreshold, Duration banDuration,
                           int maxBans, int inboundConnectRate, int inboundHandshakeRate) {

    /** Checks every field. */
    public PeerSettings {
        check(maxPeers >= 1, "maxPeers must be >= 1, got " + maxPeers);
        check(maxInbound >= 0, "maxInbound must be >= 0, got " + maxInbound);
        check(maxOutbound >= 0, "maxOutbound must be >= 0, got " + maxOutbound);
        check(maxInboundPerIp >= 1, "maxInboundPerIp must be >= 1, got " + maxInboundPerIp);
        positive(handshakeTimeout, "handshakeTimeout");
        positive(pingInterval, "pingInterval");
        check(maxMissedPongs >= 1, "maxMissedPongs must be >= 1, got " + maxMissedPongs);
        positive(readIdleTimeout, "readIdleTimeout");
        positive(slowPeerTimeout, "slowPeerTimeout");
        check(banThreshold >= 1, "banThreshold must be >= 1, got " + banThreshold);
        positive(banDuration, "banDuration");
        check(maxBans >= 1, "maxBans must be >= 1, got " + maxBans);
        check(inboundConnectRate >= 0, "inboundConnectRate must be >= 0, got " + inboundConnectRate);
        check(inboundHandshakeRate >= 0, "inboundHandshakeRate must be >= 0, got " + inboundHandshakeRate);
    }

    /** The defaults. */
    public static PeerSettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with these settings' values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxPeers = maxPeers;
        b.maxInbound = maxInbound;
        b.maxOutbound = maxOutbound;
        b.maxInboundPerIp = maxInboundPerIp;
        b.limitLoopback = limitLoopback;
        b.handshakeTimeout = handshakeTimeout;
        b.pingInterval = pingInterval;
        b.maxMissedPongs = maxMissedPongs;
        b.readIdleTimeout = readIdleTimeout;
        b.slowPeerTimeout = slowPeerTimeout;
        b.banThreshold = banThreshold;
        b.banDuration = banDuration;
        b.maxBans = maxBans;
        b.inboundConnectRate = inboundConnectRate;
        b.inboundHandshakeRate = inboundHandshakeRate;
        return b;
    }

    static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        check(!d.isNegative() && !d.isZero(), name + " must be positive, got " + d);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds {@link PeerSettings}; see the record's fields for each default. Not thread-safe. */
    public static final class Builder {
        private int maxPeers = 50;
        private int maxInbound = 25;
        private int maxOutbound = 25;
        private int maxInboundPerIp = 4;
        private boolean limitLoopback = false;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration pingInterval = Duration.ofSeconds(15);
        private int maxMissedPongs = 3;
        /** {@code null}: derived from the keepalive settings at {@link #build()}. */
        private Duration readIdleTimeout;
        private Duration slowPeerTimeout = Duration.ofSeconds(30);
        private int banThreshold = 100;
        private Duration banDuration = Duration.ofMinutes(10);
        private int maxBans = 10_000;
        private int inboundConnectRate = 10;
        private int inboundHandshakeRate = 200;

        private Builder() {
        }

        /** See {@link PeerSettings#maxPeers()}. */
        public Builder maxPeers(int maxPeers) {
            this.maxPeers = maxPeers;
            return this;
        }

        /** See {@link PeerSettings#maxInbound()}. */
        public Builder maxInbound(int maxInbound) {
            this.maxInbound = maxInbound;
            return this;
        }

        /** See {@link PeerSettings#maxOutbound()}. */
        public Builder maxOutbound(int maxOutbound) {
            this.maxOutbound = maxOutbound;
            return this;
        }

        /** See {@link PeerSettings#maxInboundPerIp()}. */
        public Builder maxInboundPerIp(int maxInboundPerIp) {
            this.maxInboundPerIp = maxInboundPerIp;
            return this;
        }

        /** See {@link PeerSettings#limitLoopback()}. */
        public Builder limitLoopback(boolean limitLoopback) {
            this.limitLoopback = limitLoopback;
            return this;
        }

        /** See {@link PeerSettings#handshakeTimeout()}. */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            return this;
        }

        /** See {@link PeerSettings#pingInterval()}. */
        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = Objects.requireNonNull(pingInterval, "pingInterval");
            return this;
        }

        /** See {@link PeerSettings#maxMissedPongs()}. */
        public Builder maxMissedPongs(int maxMissedPongs) {
            this.maxMissedPongs = maxMissedPongs;
            return this;
        }

        /** See {@link PeerSettings#readIdleTimeout()}. */
        public Builder readIdleTimeout(Duration readIdleTimeout) {
            this.readIdleTimeout = Objects.requireNonNull(readIdleTimeout, "readIdleTimeout");
            return this;
        }

        /** See {@link PeerSettings#slowPeerTimeout()}. */
        public Builder slowPeerTimeout(Duration slowPeerTimeout) {
            this.slowPeerTimeout = Objects.requireNonNull(slowPeerTimeout, "slowPeerTimeout");
            return this;
        }

        /** See {@link PeerSettings#banThreshold()}. */
        public Builder banThreshold(int banThreshold) {
            this.banThreshold = banThreshold;
            return this;
        }

        /** See {@link PeerSettings#banDuration()}. */
        public Builder banDuration(Duration banDuration) {
            this.banDuration = Objects.requireNonNull(banDuration, "banDuration");
            return this;
        }

        /** See {@link PeerSettings#maxBans()}. */
        public Builder maxBans(int maxBans) {
            this.maxBans = maxBans;
            return this;
        }

        /** See {@link PeerSettings#inboundConnectRate()}. */
        public Builder inboundConnectRate(int inboundConnectRate) {
            this.inboundConnectRate = inboundConnectRate;
            return this;
        }

        /** See {@link PeerSettings#inboundHandshakeRate()}. */
        public Builder inboundHandshakeRate(int inboundHandshakeRate) {
            this.inboundHandshakeRate = inboundHandshakeRate;
            return this;
        }

        /**
         * Checks every field and builds the settings.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public PeerSettings build() {
            Duration idle = readIdleTimeout;
            if (idle == null) {
                positive(pingInterval, "pingInterval");
                check(maxMissedPongs >= 1, "maxMissedPongs must be >= 1, got " + maxMissedPongs);
                idle = pingInterval.multipliedBy(maxMissedPongs + 1L);
            }
            return new PeerSettings(maxPeers, maxInbound, maxOutbound, maxInboundPerIp, limitLoopback, handshakeTimeout,
                    pingInterval, maxMissedPongs, idle, slowPeerTimeout, banThreshold, banDuration, maxBans,
                    inboundConnectRate, inboundHandshakeRate);
        }
    }
}
