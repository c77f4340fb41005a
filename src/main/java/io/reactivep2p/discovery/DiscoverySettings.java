package io.reactivep2p.discovery;

import io.reactivep2p.protocol.NodeId;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable settings of a node's {@link Discovery}: where it starts (seeds), how many
 * outbound peers it keeps, how it learns and keeps addresses, and how often it acts. Built
 * with {@link #builder()}; every field has a default and is checked here. A node takes them
 * from its {@code NodeConfig} ({@code NodeConfig.builder().discovery(d -> d.outboundTarget(4))},
 * or the flat setters such as {@code .seeds("10.0.0.5:3000")}).
 *
 * <pre>{@code
 * DiscoverySettings lan = DiscoverySettings.builder()
 *         .seeds("192.168.1.10:3000").allowLocalAddresses(true).outboundTarget(4).build();
 * }</pre>
 *
 * @param seeds nodes dialled on start, and retried with backoff until reached (default none)
 * @param seedIds the ids pinned for some of the seeds (a seed written {@code <64 hex id>@host:port}):
 *     such a seed is dialled with Noise IK under its id, and any other key fails the dial, as
 *     a man in the middle's would (default none)
 * @param outboundTarget outbound peers the dialer keeps connected, from the seeds and the
 *     address book; 0 turns the dialer off (seeds are still dialled on start). A node caps it
 *     at its {@code maxOutbound}. Default 8.
 * @param addressBook sizes of the address book, whether it accepts loopback and private
 *     addresses, and the backoff of failed dials, seeds included (default
 *     {@link AddressBook.Settings#defaults()}: public addresses only)
 * @param addressBookFile where the address book is saved (on stop and every few minutes) and
 *     loaded from on start, so a restarted node rejoins without seeds (default none: not persisted)
 * @param peerExchangeInterval how often the node asks each outbound peer for addresses
 *     (GET_PEERS; it also asks right after the handshake); it answers one peer at most once per
 *     half this interval (default 2 min)
 * @param dialInterval how often the dialer checks the outbound slots; it also runs when a
 *     peer leaves (default 1 s)
 * @param outboundRotation about how often, while every outbound slot is taken, the dialer lets
 *     one outbound peer it took from its book go (never a seed, never a peer the application
 *     dialled), chosen at random, so that it dials another address of its book instead (each
 *     wait is drawn between half and one and a half times this). Without it, a network whose
 *     nodes filled their slots while split in two stays split once the link heals, and new
 *     nodes only ever get inbound peers. {@link Duration#ZERO} turns it off; otherwise at
 *     least 1 ms. Default 5 min.
 */
public record DiscoverySettings(List<InetSocketAddress> seeds, Map<InetSocketAddress, NodeId> seedIds,
                                int outboundTarget, AddressBook.Settings addressBook,
                                Optional<Path> addressBookFile, Duration peerExchangeInterval, Duration dialInterval,
                                Duration outboundRotation) {

    /** Checks every field; keeps immutable copies of {@code seeds} and {@code seedIds}. */
    public DiscoverySettings {
        seeds = List.copyOf(seeds);
        seedIds = Map.copyOf(seedIds);
        check(seeds.containsAll(seedIds.keySet()), "every pinned id belongs to a seed");
        check(outboundTarget >= 0, "outboundTarget must be >= 0, got " + outboundTarget);
        Objects.requireNonNull(addressBook, "addressBook");
        Objects.requireNonNull(addressBookFile, "addressBookFile");
        positive(peerExchangeInterval, "peerExchangeInterval");
        positive(dialInterval, "dialInterval");
        Objects.requireNonNull(outboundRotation, "outboundRotation");
        check(outboundRotation.isZero() || outboundRotation.toMillis() >= 1,
                "outboundRotation must be 0 (off) or at least 1 ms, got " + outboundRotation);
    }

    /** The defaults. */
    public static DiscoverySettings defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with these settings' values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.seeds.addAll(seeds);
        b.seedIds.putAll(seedIds);
        b.outboundTarget = outboundTarget;
        b.addressBook = addressBook;
        b.addressBookFile = addressBookFile.orElse(null);
        b.peerExchangeInterval = peerExchangeInterval;
        b.dialInterval = dialInterval;
        b.outboundRotation = outboundRotation;
        return b;
    }

    /** A copy whose outbound target is at most {@code max}. */
    public DiscoverySettings withOutboundTargetAtMost(int max) {
        return outboundTarget <= max ? this : toBuilder().outboundTarget(max).build();
    }

    /**
     * The id of a seed written {@code <64 hex id>@host:port}, or {@code null} for a plain
     * {@code host:port}.
     *
     * @throws IllegalArgumentException if the part before {@code @} is not 64 hex digits
     */
    public static NodeId parseSeedId(String seed) {
        Objects.requireNonNull(seed, "seed");
        String s = seed.trim();
        int at = s.indexOf('@');
        if (at < 0) {
            return null;
        }
        String hex = s.substring(0, at);
        if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("'" + seed + "': the id before @ must be 64 hex digits");
        }
        return NodeId.fromHex(hex);
    }

    /** The {@code host:port} of a seed, without the {@code <id>@} it may start with. */
    public static InetSocketAddress parseSeedAddress(String seed) {
        Objects.requireNonNull(seed, "seed");
        String s = seed.trim();
        int at = s.indexOf('@');
        return parseHostPort(at < 0 ? s : s.substring(at + 1));
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port} (port 1..65535, digits only) into an
     * unresolved address: resolved when it is dialled.
     *
     * @throws IllegalArgumentException with a one-line message naming what is wrong
     */
    public static InetSocketAddress parseHostPort(String hostPort) {
        Objects.requireNonNull(hostPort, "hostPort");
        String s = hostPort.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + hostPort
                    + "' is not host:port (an IPv6 address needs brackets: [addr]:port)");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("'" + hostPort + "' has no host (expected host:port)");
        }
        String digits = s.substring(colon + 1);
        int port = digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                ? 0 : Integer.parseInt(digits);
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("'" + hostPort + "' has no valid port (1..65535)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        check(!d.isNegative() && !d.isZero(), name + " must be positive, got " + d);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds {@link DiscoverySettings}; see the record's fields for each default. Not thread-safe. */
    public static final class Builder {
        private final List<InetSocketAddress> seeds = new ArrayList<>();
        private final Map<InetSocketAddress, NodeId> seedIds = new HashMap<>();
        private int outboundTarget = 8;
        private AddressBook.Settings addressBook = AddressBook.Settings.defaults();
        private Path addressBookFile;
        private Duration peerExchangeInterval = Duration.ofMinutes(2);
        private Duration dialInterval = Duration.ofSeconds(1);
        private Duration outboundRotation = Duration.ofMinutes(5);

        private Builder() {
        }

        /**
         * Adds seeds as {@code host:port} or {@code [ipv6]:port} (see {@link #parseHostPort}),
         * each optionally pinned to its node id: {@code <64 hex id>@host:port}.
         */
        public Builder seeds(String... seeds) {
            for (String s : seeds) {
                NodeId id = parseSeedId(s);
                InetSocketAddress address = parseSeedAddress(s);
                this.seeds.add(address);
                if (id != null) {
                    seedIds.put(address, id);
                }
            }
            return this;
        }

        /** Adds a seed pinned to its node id: dialled with Noise IK, and only that key is accepted. */
        public Builder seed(InetSocketAddress address, NodeId id) {
            seeds.add(Objects.requireNonNull(address, "address"));
            seedIds.put(address, Objects.requireNonNull(id, "id"));
            return this;
        }

        /** Adds seeds. */
        public Builder seeds(List<InetSocketAddress> addresses) {
            for (InetSocketAddress a : addresses) {
                seeds.add(Objects.requireNonNull(a, "seed"));
            }
            return this;
        }

        /** See {@link DiscoverySettings#outboundTarget()}. */
        public Builder outboundTarget(int outboundTarget) {
            this.outboundTarget = outboundTarget;
            return this;
        }

        /** See {@link DiscoverySettings#addressBook()}. */
        public Builder addressBook(AddressBook.Settings addressBook) {
            this.addressBook = Objects.requireNonNull(addressBook, "addressBook");
            return this;
        }

        /** Accept loopback and private addresses in the address book (local networks, tests). */
        public Builder allowLocalAddresses(boolean allow) {
            this.addressBook = addressBook.withAllowLocal(allow);
            return this;
        }

        /** See {@link DiscoverySettings#addressBookFile()}. */
        public Builder addressBookFile(Path addressBookFile) {
            this.addressBookFile = Objects.requireNonNull(addressBookFile, "addressBookFile");
            return this;
        }

        /** See {@link DiscoverySettings#peerExchangeInterval()}. */
        public Builder peerExchangeInterval(Duration peerExchangeInterval) {
            this.peerExchangeInterval = Objects.requireNonNull(peerExchangeInterval, "peerExchangeInterval");
            return this;
        }

        /** See {@link DiscoverySettings#dialInterval()}. */
        public Builder dialInterval(Duration dialInterval) {
            this.dialInterval = Objects.requireNonNull(dialInterval, "dialInterval");
            return this;
        }

        /** See {@link DiscoverySettings#outboundRotation()}; {@link Duration#ZERO} turns it off. */
        public Builder outboundRotation(Duration outboundRotation) {
            this.outboundRotation = Objects.requireNonNull(outboundRotation, "outboundRotation");
            return this;
        }

        /**
         * Checks every field and builds the settings.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public DiscoverySettings build() {
            return new DiscoverySettings(seeds, seedIds, outboundTarget, addressBook, Optional.ofNullable(addressBookFile),
                    peerExchangeInterval, dialInterval, outboundRotation);
        }
    }
}
