package io.reactivep2p.gossip;

import io.reactivep2p.protocol.MessageType;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable settings of a node's {@link Gossip}: what it remembers, to how many peers it
 * relays, how fast a peer may gossip, and when a message is announced instead of pushed.
 * Built with {@link #builder()}; every field has a default and is checked here. A node takes
 * them from its {@code NodeConfig} ({@code NodeConfig.builder().gossip(g -> g.relayFanout(6))},
 * or the flat setters such as {@code .relayFanout(6)}).
 *
 * <pre>{@code
 * GossipSettings sparse = GossipSettings.builder().relayFanout(6).seenCacheTtl(Duration.ofMinutes(5)).build();
 * }</pre>
 *
 * @param seenCacheSize message ids the seen-cache holds at most (16 B each when a power of
 *     two, under 32 B otherwise), 2..2^29 (default 2^20: 16 MiB)
 * @param seenCacheTtl how long a gossiped message is remembered at least, at most twice that
 *     (default 2 min)
 * @param relayFanout peers each accepted message is relayed to, chosen at random; 0: every peer
 *     but the sender (default 0)
 * @param gossipRate gossip messages per second each peer may have handled; 0: no limit. A peer
 *     may send twice that at once; beyond, its messages wait their turn, and once
 *     {@link Gossip#MAX_PENDING_VALIDATIONS} of them wait the node stops reading it, so TCP
 *     slows that peer alone down to the rate. Nothing is dropped and nothing is scored: an
 *     honest peer relays at most the network's rate, one copy of each message. Neither INV
 *     and GET_DATA (limited on their own) nor {@code directTypes} count. Default 5,000.
 * @param directTypes data types that are not gossip: delivered as they arrive, never
 *     deduplicated, validated or relayed (request/response between two peers); never a
 *     control type (default none)
 * @param largeMessageThreshold payload size from which a message is announced (INV) and
 *     fetched by the peers that lack it (GET_DATA) instead of pushed to every peer (default 16 KiB)
 * @param announceCacheBytes bytes of recent large messages kept to answer GET_DATA with
 *     (default 64 MiB)
 */
public record GossipSettings(int seenCacheSize, Duration seenCacheTtl, int relayFanout, int gossipRate,
                             Set<MessageType> directTypes, int largeMessageThreshold, long announceCacheBytes) {

    /** Checks every field; keeps an immutable copy of {@code directTypes}. */
    public GossipSettings {
        check(seenCacheSize >= 2 && seenCacheSize <= 1 << 29, "seenCacheSize must be in 2..2^29, got " + seenCacheSize);
        Objects.requireNonNull(seenCacheTtl, "seenCacheTtl");
        check(!seenCacheTtl.isNegative() && !seenCacheTtl.isZero(), "seenCacheTtl must be positive, got " + seenCacheTtl);
        check(relayFanout >= 0, "relayFanout must be >= 0, got " + relayFanout);
        check(gossipRate >= 0, "gossipRate must be >= 0, got " + gossipRate);
        directTypes = Set.copyOf(directTypes);
        for (MessageType t : directTypes) {
            check(t.code() >= MessageType.MsgTx.code(), t + " is a control type");
        }
        check(largeMessageThreshold >= 1, "largeMessageThreshold must be >= 1, got " + largeMessageThreshold);
        check(announceCacheBytes >= 0, "announceCacheBytes must be >= 0, got " + announceCacheBytes);
    }

    /** The defaults. */
    public static GossipSettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with these settings' values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.seenCacheSize = seenCacheSize;
        b.seenCacheTtl = seenCacheTtl;
        b.relayFanout = relayFanout;
        b.gossipRate = gossipRate;
        b.directTypes.addAll(directTypes);
        b.largeMessageThreshold = largeMessageThreshold;
        b.announceCacheBytes = announceCacheBytes;
        return b;
    }

    /** Whether {@code type} is one of the {@link #directTypes()}. */
    public boolean isDirect(MessageType type) {
        return directTypes.contains(type);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds {@link GossipSettings}; see the record's fields for each default. Not thread-safe. */
    public static final class Builder {
        private int seenCacheSize = 1 << 20;
        private Duration seenCacheTtl = Duration.ofMinutes(2);
        private int relayFanout = 0;
        private int gossipRate = 5_000;
        private final Set<MessageType> directTypes = new HashSet<>();
        private int largeMessageThreshold = 16 * 1024;
        private long announceCacheBytes = 64L * 1024 * 1024;

        private Builder() {
        }

        /** See {@link GossipSettings#seenCacheSize()}. */
        public Builder seenCacheSize(int seenCacheSize) {
            this.seenCacheSize = seenCacheSize;
            return this;
        }

        /** See {@link GossipSettings#seenCacheTtl()}. */
        public Builder seenCacheTtl(Duration seenCacheTtl) {
            this.seenCacheTtl = Objects.requireNonNull(seenCacheTtl, "seenCacheTtl");
            return this;
        }

        /** See {@link GossipSettings#relayFanout()}. */
        public Builder relayFanout(int relayFanout) {
            this.relayFanout = relayFanout;
            return this;
        }

        /** See {@link GossipSettings#gossipRate()}; 0 turns the limit off. */
        public Builder gossipRate(int messagesPerSecond) {
            this.gossipRate = messagesPerSecond;
            return this;
        }

        /**
         * Adds types that are delivered directly, not gossiped (see
         * {@link GossipSettings#directTypes()}).
         *
         * @throws IllegalArgumentException for a control type
         */
        public Builder directTypes(MessageType... types) {
            for (MessageType t : types) {
                if (t.code() < MessageType.MsgTx.code()) {
                    throw new IllegalArgumentException(t + " is a control type");
                }
            }
            directTypes.addAll(Arrays.asList(types));
            return this;
        }

        /** See {@link GossipSettings#largeMessageThreshold()}. */
        public Builder largeMessageThreshold(int largeMessageThreshold) {
            this.largeMessageThreshold = largeMessageThreshold;
            return this;
        }

        /** See {@link GossipSettings#announceCacheBytes()}. */
        public Builder announceCacheBytes(long announceCacheBytes) {
            this.announceCacheBytes = announceCacheBytes;
            return this;
        }

        /**
         * Checks every field and builds the settings.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public GossipSettings build() {
            return new GossipSettings(seenCacheSize, seenCacheTtl, relayFanout, gossipRate, directTypes,
                    largeMessageThreshold, announceCacheBytes);
        }
    }
}
