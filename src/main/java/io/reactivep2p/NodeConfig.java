package io.reactivep2p;

import io.reactivep2p.discovery.AddressBook;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.reactivep2p.mempool.MempoolConfig;
import io.reactivep2p.metrics.MetricsRecorder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.transport.FlushPolicy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The immutable configuration of a {@link P2pNode}. Built with {@link #builder()}; every
 * field has a default suited to a public network and is validated in {@link Builder#build()}.
 *
 * <pre>{@code
 * NodeConfig cfg = NodeConfig.builder()
 *         .listenPort(3000)
 *         .seeds("10.0.0.5:3000", "10.0.0.6:3000")
 *         .maxPeers(50)
 *         .build();
 * }</pre>
 */
public final class NodeConfig {

    /** The user agent sent in HELLO by default. */
    public static final String DEFAULT_USER_AGENT = "reactive-p2p/0.1.0";

    private final NodeId nodeId;
    private final String listenHost;
    private final int listenPort;
    private final List<InetSocketAddress> seeds;
    private final int maxPeers;
    private final int maxInbound;
    private final int maxOutbound;
    private final int maxInboundPerIp;
    private final boolean limitLoopback;
    private final Duration handshakeTimeout;
    private final Duration pingInterval;
    private final int maxMissedPongs;
    private final Duration readIdleTimeout;
    private final int outboundQueueBytes;
    private final int outboundQueueMessages;
    private final FlushPolicy flushPolicy;
    private final Duration flushDelay;
    private final int writeBufferHighWaterMark;
    private final Duration slowPeerTimeout;
    private final FrameSettings frameSettings;
    private final boolean lz4;
    private final String userAgent;
    private final byte[] status;
    private final int subscriberBufferSize;
    private final long subscriberBufferBytes;
    private final int banThreshold;
    private final Duration banDuration;
    private final int maxBans;
    private final int eventLoopThreads;
    private final int outboundTarget;
    private final AddressBook.Settings addressBook;
    private final Path addressBookFile;
    private final Duration peerExchangeInterval;
    private final Duration dialInterval;
    private final Duration outboundRotation;
    private final int seenCacheSize;
    private final Duration seenCacheTtl;
    private final int relayFanout;
    private final int gossipRate;
    private final Set<MessageType> directTypes;
    private final int largeMessageThreshold;
    private final long announceCacheBytes;
    private final MempoolConfig mempool;
    private final MetricsRecorder metrics;

    private NodeConfig(Builder b) {
        this.nodeId = b.nodeId != null ? b.nodeId : NodeId.random();
        this.listenHost = b.listenHost;
        this.listenPort = b.listenPort;
        this.seeds = List.copyOf(b.seeds);
        this.maxPeers = b.maxPeers;
        this.maxInbound = b.maxInbound;
        this.maxOutbound = b.maxOutbound;
        this.maxInboundPerIp = b.maxInboundPerIp;
        this.limitLoopback = b.limitLoopback;
        this.handshakeTimeout = b.handshakeTimeout;
        this.pingInterval = b.pingInterval;
        this.maxMissedPongs = b.maxMissedPongs;
        this.readIdleTimeout = b.readIdleTimeout != null
                ? b.readIdleTimeout : b.pingInterval.multipliedBy(b.maxMissedPongs + 1L);
        this.outboundQueueBytes = b.outboundQueueBytes;
        this.outboundQueueMessages = b.outboundQueueMessages;
        this.flushPolicy = b.flushPolicy;
        this.flushDelay = b.flushDelay;
        this.writeBufferHighWaterMark = b.writeBufferHighWaterMark;
        this.slowPeerTimeout = b.slowPeerTimeout;
        this.frameSettings = b.frameSettings;
        this.lz4 = b.lz4;
        this.userAgent = b.userAgent;
        this.status = b.status.clone();
        this.subscriberBufferSize = b.subscriberBufferSize;
        this.subscriberBufferBytes = b.subscriberBufferBytes;
        this.banThreshold = b.banThreshold;
        this.banDuration = b.banDuration;
        this.maxBans = b.maxBans;
        this.eventLoopThreads = b.eventLoopThreads;
        this.outboundTarget = b.outboundTarget;
        this.addressBook = b.addressBook;
        this.addressBookFile = b.addressBookFile;
        this.peerExchangeInterval = b.peerExchangeInterval;
        this.dialInterval = b.dialInterval;
        this.outboundRotation = b.outboundRotation;
        this.seenCacheSize = b.seenCacheSize;
        this.seenCacheTtl = b.seenCacheTtl;
        this.relayFanout = b.relayFanout;
        this.gossipRate = b.gossipRate;
        this.directTypes = Set.copyOf(b.directTypes);
        this.largeMessageThreshold = b.largeMessageThreshold;
        this.announceCacheBytes = b.announceCacheBytes;
        this.mempool = b.mempool;
        this.metrics = b.metrics;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.nodeId = nodeId;
        b.listenHost = listenHost;
        b.listenPort = listenPort;
        b.seeds.addAll(seeds);
        b.maxPeers = maxPeers;
        b.maxInbound = maxInbound;
        b.maxOutbound = maxOutbound;
        b.maxInboundPerIp = maxInboundPerIp;
        b.limitLoopback = limitLoopback;
        b.handshakeTimeout = handshakeTimeout;
        b.pingInterval = pingInterval;
        b.maxMissedPongs = maxMissedPongs;
        b.readIdleTimeout = readIdleTimeout;
        b.outboundQueueBytes = outboundQueueBytes;
        b.outboundQueueMessages = outboundQueueMessages;
        b.flushPolicy = flushPolicy;
        b.flushDelay = flushDelay;
        b.writeBufferHighWaterMark = writeBufferHighWaterMark;
        b.slowPeerTimeout = slowPeerTimeout;
        b.frameSettings = frameSettings;
        b.lz4 = lz4;
        b.userAgent = userAgent;
        b.status = status.clone();
        b.subscriberBufferSize = subscriberBufferSize;
        b.subscriberBufferBytes = subscriberBufferBytes;
        b.banThreshold = banThreshold;
        b.banDuration = banDuration;
        b.maxBans = maxBans;
        b.eventLoopThreads = eventLoopThreads;
        b.outboundTarget = outboundTarget;
        b.addressBook = addressBook;
        b.addressBookFile = addressBookFile;
        b.peerExchangeInterval = peerExchangeInterval;
        b.dialInterval = dialInterval;
        b.outboundRotation = outboundRotation;
        b.seenCacheSize = seenCacheSize;
        b.seenCacheTtl = seenCacheTtl;
        b.relayFanout = relayFanout;
        b.gossipRate = gossipRate;
        b.directTypes.addAll(directTypes);
        b.largeMessageThreshold = largeMessageThreshold;
        b.announceCacheBytes = announceCacheBytes;
        b.mempool = mempool;
        b.metrics = metrics;
        return b;
    }

    /** This node's id. Default: random per configuration. */
    public NodeId nodeId() {
        return nodeId;
    }

    /**
     * Address to listen on. A specific address (not a wildcard such as {@code 0.0.0.0}) is also
     * the source of the node's outbound connections, so that peers learn the address it listens
     * on. Default {@code 0.0.0.0}.
     */
    public String listenHost() {
        return listenHost;
    }

    /** Port to listen on; 0 picks a free one. Default 0. */
    public int listenPort() {
        return listenPort;
    }

    /** Nodes dialled on start. Default none. */
    public List<InetSocketAddress> seeds() {
        return seeds;
    }

    /** Connected peers at most, both directions. Default 50. */
    public int maxPeers() {
        return maxPeers;
    }

    /** Inbound peers at most. Default 25. */
    public int maxInbound() {
        return maxInbound;
    }

    /** Outbound peers at most. Default 25. */
    public int maxOutbound() {
        return maxOutbound;
    }

    /** Inbound connections from one IP address at most, handshaking or connected. Default 4. */
    public int maxInboundPerIp() {
        return maxInboundPerIp;
    }

    /**
     * Whether loopback addresses are subject to the per-IP limit and to IP bans. Default
     * {@code false}, so that local networks and tests work; node-id bans always apply.
     */
    public boolean limitLoopback() {
        return limitLoopback;
    }

    /** Time for the remote HELLO to arrive after connect. Default 5 s. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Interval between PINGs. Default 15 s. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** PINGs left unanswered before the peer is disconnected with reason timeout. Default 3. */
    public int maxMissedPongs() {
        return maxMissedPongs;
    }

    /** Time without any inbound frame before the peer is disconnected. Default {@code pingInterval × (maxMissedPongs + 1)}. */
    public Duration readIdleTimeout() {
        return readIdleTimeout;
    }

    /** Outbound bytes queued for one peer at most (beyond them, sends are refused). Default 8 MiB. */
    public int outboundQueueBytes() {
        return outboundQueueBytes;
    }

    /** Outbound messages queued for one peer at most. Default 16384. */
    public int outboundQueueMessages() {
        return outboundQueueMessages;
    }

    /** When outbound data is flushed: {@link FlushPolicy#COALESCE} (default) or after every message. */
    public FlushPolicy flushPolicy() {
        return flushPolicy;
    }

    /**
     * How long written data may wait for its flush, to share one {@code write} system call with
     * data that follows. Default 0: each drain of the outbound queue ends with a flush. Control
     * frames (PING, PONG, DISCONNECT) never wait. Ignored with {@link FlushPolicy#EACH_MESSAGE}.
     */
    public Duration flushDelay() {
        return flushDelay;
    }

    /**
     * Bytes written to a peer's channel and not yet taken by its socket, above which the
     * outbound queue stops moving messages into the channel (Netty's write-buffer high-water
     * mark; the low-water mark is half of it). Default 64 KiB.
     */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /** How long a peer's outbound queue may stay full before it is disconnected as slow. Default 30 s. */
    public Duration slowPeerTimeout() {
        return slowPeerTimeout;
    }

    /** Magic, frame and message limits, compression threshold. Default {@link FrameSettings#defaults()}. */
    public FrameSettings frameSettings() {
        return frameSettings;
    }

    /** Whether to advertise and use LZ4. Default {@code true}. */
    public boolean lz4() {
        return lz4;
    }

    /** User agent sent in HELLO. Default {@value #DEFAULT_USER_AGENT}. */
    public String userAgent() {
        return userAgent;
    }

    /** Application status sent in HELLO (a copy). Default empty. */
    public byte[] status() {
        return status.clone();
    }

    /** Messages buffered per {@code node.messages()} subscriber before newer ones are dropped for it. Default 1024. */
    public int subscriberBufferSize() {
        return subscriberBufferSize;
    }

    /** Payload bytes buffered per {@code node.messages()} subscriber before newer messages are dropped for it. Default 32 MiB. */
    public long subscriberBufferBytes() {
        return subscriberBufferBytes;
    }

    /** Misbehaviour score at which a peer is disconnected and banned. Default 100. */
    public int banThreshold() {
        return banThreshold;
    }

    /** How long a ban lasts. Default 10 minutes. */
    public Duration banDuration() {
        return banDuration;
    }

    /** Bans (ids and addresses) remembered at most; the oldest go first. Default 10000. */
    public int maxBans() {
        return maxBans;
    }

    /** Event loop threads of the node. Default: the number of processors. */
    public int eventLoopThreads() {
        return eventLoopThreads;
    }

    /**
     * Outbound peers the dialer keeps connected, from the seeds and the address book; 0 turns
     * the dialer off (seeds are still dialled on start). At most {@link #maxOutbound()}: a
     * larger value is capped. Default 8.
     */
    public int outboundTarget() {
        return Math.min(outboundTarget, maxOutbound);
    }

    /**
     * Sizes of the address book, whether it accepts loopback and private addresses, and the
     * backoff of failed dials (seeds included). Default {@link AddressBook.Settings#defaults()}:
     * public addresses only.
     */
    public AddressBook.Settings addressBook() {
        return addressBook;
    }

    /**
     * Where the address book is saved (on stop and every few minutes) and loaded from on
     * start, so a restarted node rejoins without seeds. Default none: not persisted.
     */
    public Optional<Path> addressBookFile() {
        return Optional.ofNullable(addressBookFile);
    }

    /**
     * How often the node asks each outbound peer for addresses (GET_PEERS; it also asks right
     * after the handshake). It answers one peer at most once per half this interval. Default 2 min.
     */
    public Duration peerExchangeInterval() {
        return peerExchangeInterval;
    }

    /** How often the dialer checks the outbound slots (it also runs when a peer leaves). Default 1 s. */
    public Duration dialInterval() {
        return dialInterval;
    }

    /**
     * About how often, while every outbound slot is taken, the dialer lets one outbound peer
     * it took from its book go (never a seed, never a peer the application dialled), chosen at
     * random, so that it dials another address of its book instead (each wait is
     * drawn between half and one and a half times this). Without it, a network whose nodes
     * filled their slots while split in two stays split once the link heals, and new nodes
     * only ever get inbound peers. {@link Duration#ZERO} turns it off. Default 5 min.
     */
    public Duration outboundRotation() {
        return outboundRotation;
    }

    /**
     * Message ids the gossip seen-cache holds at most (16 B each when a power of two, under
     * 32 B otherwise). Default 2^20 (16 MiB).
     */
    public int seenCacheSize() {
        return seenCacheSize;
    }

    /** How long a gossiped message is remembered at least (at most twice that). Default 2 min. */
    public Duration seenCacheTtl() {
        return seenCacheTtl;
    }

    /** Peers each accepted message is relayed to, chosen at random; 0: every peer but the sender. Default 0. */
    public int relayFanout() {
        return relayFanout;
    }

    /**
     * Gossip messages per second each peer may have handled; 0: no limit. A peer may send
     * twice that at once; beyond, its messages wait their turn, and once
     * {@link io.reactivep2p.gossip.Gossip#MAX_PENDING_VALIDATIONS} of them wait the node stops
     * reading it, so TCP slows that peer alone down to the rate. Nothing is dropped and
     * nothing is scored: an honest peer relays at most the network's rate, one copy of each
     * message. Neither INV and GET_DATA (limited on their own) nor {@link #directTypes()}
     * count. Default 5,000.
     */
    public int gossipRate() {
        return gossipRate;
    }

    /**
     * Data types that are not gossip: delivered as they arrive, never deduplicated, validated
     * or relayed (request/response between two peers). Default none.
     */
    public Set<MessageType> directTypes() {
        return directTypes;
    }

    /**
     * Payload size from which gossip announces a message (INV) and lets peers fetch it
     * (GET_DATA) instead of pushing it to every peer. Default 16 KiB.
     */
    public int largeMessageThreshold() {
        return largeMessageThreshold;
    }

    /** Bytes of recent large messages kept to answer GET_DATA with. Default 64 MiB. */
    public long announceCacheBytes() {
        return announceCacheBytes;
    }

    /**
     * The limits of the node's transaction pool ({@link P2pNode#mempool()}). Default
     * {@link MempoolConfig#defaults()}: 100,000 transactions, 64 MiB.
     */
    public MempoolConfig mempool() {
        return mempool;
    }

    /**
     * Where the node reports its metrics. Default {@link MetricsRecorder#NOOP}: nothing is
     * recorded and the hot path pays nothing. See {@link Builder#meterRegistry}.
     */
    public MetricsRecorder metrics() {
        return metrics;
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

    /** Builds a {@link NodeConfig}. Not thread-safe. */
    public static final class Builder {
        private NodeId nodeId;
        private String listenHost = "0.0.0.0";
        private int listenPort = 0;
        private final List<InetSocketAddress> seeds = new ArrayList<>();
        private int maxPeers = 50;
        private int maxInbound = 25;
        private int maxOutbound = 25;
        private int maxInboundPerIp = 4;
        private boolean limitLoopback = false;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration pingInterval = Duration.ofSeconds(15);
        private int maxMissedPongs = 3;
        private Duration readIdleTimeout;
        private int outboundQueueBytes = 8 * 1024 * 1024;
        private int outboundQueueMessages = 16_384;
        private FlushPolicy flushPolicy = FlushPolicy.COALESCE;
        private Duration flushDelay = Duration.ZERO;
        private int writeBufferHighWaterMark = 64 * 1024;
        private Duration slowPeerTimeout = Duration.ofSeconds(30);
        private FrameSettings frameSettings = FrameSettings.defaults();
        private boolean lz4 = true;
        private String userAgent = DEFAULT_USER_AGENT;
        private byte[] status = new byte[0];
        private int subscriberBufferSize = 1024;
        private long subscriberBufferBytes = 32L * 1024 * 1024;
        private int banThreshold = 100;
        private Duration banDuration = Duration.ofMinutes(10);
        private int maxBans = 10_000;
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private int outboundTarget = 8;
        private AddressBook.Settings addressBook = AddressBook.Settings.defaults();
        private Path addressBookFile;
        private Duration peerExchangeInterval = Duration.ofMinutes(2);
        private Duration dialInterval = Duration.ofSeconds(1);
        private Duration outboundRotation = Duration.ofMinutes(5);
        private int seenCacheSize = 1 << 20;
        private Duration seenCacheTtl = Duration.ofMinutes(2);
        private int relayFanout = 0;
        private int gossipRate = 5_000;
        private final Set<MessageType> directTypes = new HashSet<>();
        private int largeMessageThreshold = 16 * 1024;
        private long announceCacheBytes = 64L * 1024 * 1024;
        private MempoolConfig mempool = MempoolConfig.defaults();
        private MetricsRecorder metrics = MetricsRecorder.NOOP;

        private Builder() {
        }

        public Builder nodeId(NodeId nodeId) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
            return this;
        }

        public Builder listenHost(String listenHost) {
            this.listenHost = Objects.requireNonNull(listenHost, "listenHost");
            return this;
        }

        public Builder listenPort(int listenPort) {
            this.listenPort = listenPort;
            return this;
        }

        /** Adds seeds as {@code host:port} or {@code [ipv6]:port}. */
        public Builder seeds(String... hostPorts) {
            for (String hp : hostPorts) {
                seeds.add(NodeConfig.parseHostPort(hp));
            }
            return this;
        }

        /** Adds seeds. */
        public Builder seeds(List<InetSocketAddress> addresses) {
            for (InetSocketAddress a : addresses) {
                seeds.add(Objects.requireNonNull(a, "seed"));
            }
            return this;
        }

        public Builder maxPeers(int maxPeers) {
            this.maxPeers = maxPeers;
            return this;
        }

        public Builder maxInbound(int maxInbound) {
            this.maxInbound = maxInbound;
            return this;
        }

        public Builder maxOutbound(int maxOutbound) {
            this.maxOutbound = maxOutbound;
            return this;
        }

        public Builder maxInboundPerIp(int maxInboundPerIp) {
            this.maxInboundPerIp = maxInboundPerIp;
            return this;
        }

        public Builder limitLoopback(boolean limitLoopback) {
            this.limitLoopback = limitLoopback;
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = Objects.requireNonNull(pingInterval, "pingInterval");
            return this;
        }

        public Builder maxMissedPongs(int maxMissedPongs) {
            this.maxMissedPongs = maxMissedPongs;
            return this;
        }

        public Builder readIdleTimeout(Duration readIdleTimeout) {
            this.readIdleTimeout = Objects.requireNonNull(readIdleTimeout, "readIdleTimeout");
            return this;
        }

        public Builder outboundQueueBytes(int outboundQueueBytes) {
            this.outboundQueueBytes = outboundQueueBytes;
            return this;
        }

        public Builder outboundQueueMessages(int outboundQueueMessages) {
            this.outboundQueueMessages = outboundQueueMessages;
            return this;
        }

        public Builder flushPolicy(FlushPolicy flushPolicy) {
            this.flushPolicy = Objects.requireNonNull(flushPolicy, "flushPolicy");
            return this;
        }

        /**
         * Lets written data wait up to {@code flushDelay} for its flush, so that messages offered
         * close together share one {@code write} system call: fewer system calls under many
         * small messages, at the cost of up to that much latency per message. A flush happens
         * earlier once the written bytes reach the {@link #writeBufferHighWaterMark}, so that
         * mark bounds what one flush carries. Control frames bypass the delay. Between 0 (the
         * default: flush at the end of each drain) and 1 s.
         */
        public Builder flushDelay(Duration flushDelay) {
            this.flushDelay = Objects.requireNonNull(flushDelay, "flushDelay");
            return this;
        }

        /**
         * Sets the channel's write-buffer high-water mark (the low-water mark is half): how
         * many written bytes a peer's socket may have still to take before the outbound queue
         * stops moving messages into the channel. What a peer that does not read can hold is
         * its outbound queue budget plus this plus one frame. Raise it with a
         * {@link #flushDelay} so that one flush carries more. Between 1 KiB and 16 MiB;
         * default 64 KiB.
         */
        public Builder writeBufferHighWaterMark(int bytes) {
            this.writeBufferHighWaterMark = bytes;
            return this;
        }

        public Builder slowPeerTimeout(Duration slowPeerTimeout) {
            this.slowPeerTimeout = Objects.requireNonNull(slowPeerTimeout, "slowPeerTimeout");
            return this;
        }

        public Builder frameSettings(FrameSettings frameSettings) {
            this.frameSettings = Objects.requireNonNull(frameSettings, "frameSettings");
            return this;
        }

        public Builder lz4(boolean lz4) {
            this.lz4 = lz4;
            return this;
        }

        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        public Builder status(byte[] status) {
            this.status = Objects.requireNonNull(status, "status").clone();
            return this;
        }

        public Builder subscriberBufferSize(int subscriberBufferSize) {
            this.subscriberBufferSize = subscriberBufferSize;
            return this;
        }

        public Builder subscriberBufferBytes(long subscriberBufferBytes) {
            this.subscriberBufferBytes = subscriberBufferBytes;
            return this;
        }

        public Builder banThreshold(int banThreshold) {
            this.banThreshold = banThreshold;
            return this;
        }

        public Builder banDuration(Duration banDuration) {
            this.banDuration = Objects.requireNonNull(banDuration, "banDuration");
            return this;
        }

        public Builder maxBans(int maxBans) {
            this.maxBans = maxBans;
            return this;
        }

        public Builder eventLoopThreads(int eventLoopThreads) {
            this.eventLoopThreads = eventLoopThreads;
            return this;
        }

        public Builder outboundTarget(int outboundTarget) {
            this.outboundTarget = outboundTarget;
            return this;
        }

        public Builder addressBook(AddressBook.Settings addressBook) {
            this.addressBook = Objects.requireNonNull(addressBook, "addressBook");
            return this;
        }

        /** Accept loopback and private addresses in the address book (local networks, tests). */
        public Builder allowLocalAddresses(boolean allow) {
            this.addressBook = addressBook.withAllowLocal(allow);
            return this;
        }

        public Builder addressBookFile(Path addressBookFile) {
            this.addressBookFile = Objects.requireNonNull(addressBookFile, "addressBookFile");
            return this;
        }

        public Builder peerExchangeInterval(Duration peerExchangeInterval) {
            this.peerExchangeInterval = Objects.requireNonNull(peerExchangeInterval, "peerExchangeInterval");
            return this;
        }

        public Builder dialInterval(Duration dialInterval) {
            this.dialInterval = Objects.requireNonNull(dialInterval, "dialInterval");
            return this;
        }

        /** See {@link NodeConfig#outboundRotation()}; {@link Duration#ZERO} turns it off. */
        public Builder outboundRotation(Duration outboundRotation) {
            this.outboundRotation = Objects.requireNonNull(outboundRotation, "outboundRotation");
            return this;
        }

        public Builder seenCacheSize(int seenCacheSize) {
            this.seenCacheSize = seenCacheSize;
            return this;
        }

        public Builder seenCacheTtl(Duration seenCacheTtl) {
            this.seenCacheTtl = Objects.requireNonNull(seenCacheTtl, "seenCacheTtl");
            return this;
        }

        public Builder relayFanout(int relayFanout) {
            this.relayFanout = relayFanout;
            return this;
        }

        /** See {@link NodeConfig#gossipRate()}; 0 turns the limit off. */
        public Builder gossipRate(int messagesPerSecond) {
            this.gossipRate = messagesPerSecond;
            return this;
        }

        /** Adds types that are delivered directly, not gossiped (see {@link NodeConfig#directTypes()}). */
        public Builder directTypes(MessageType... types) {
            for (MessageType t : types) {
                if (t.code() < MessageType.MsgTx.code()) {
                    throw new IllegalArgumentException(t + " is a control type");
                }
                directTypes.add(t);
            }
            return this;
        }

        public Builder largeMessageThreshold(int largeMessageThreshold) {
            this.largeMessageThreshold = largeMessageThreshold;
            return this;
        }

        public Builder announceCacheBytes(long announceCacheBytes) {
            this.announceCacheBytes = announceCacheBytes;
            return this;
        }

        public Builder mempool(MempoolConfig mempool) {
            this.mempool = Objects.requireNonNull(mempool, "mempool");
            return this;
        }

        /** See {@link NodeConfig#metrics()}. */
        public Builder metrics(MetricsRecorder metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Records the node's metrics into a Micrometer registry (the meters are listed in the
         * README's "Metrics" section): {@code metrics(MetricsRecorder.micrometer(registry, commonTags))}.
         * Several nodes sharing a registry need a common tag each to tell them apart, e.g.
         * {@code Tag.of("node", "a")}; otherwise the first node's gauges win.
         */
        public Builder meterRegistry(MeterRegistry registry, Tag... commonTags) {
            return metrics(MetricsRecorder.micrometer(registry, commonTags));
        }

        /**
         * Validates every field and builds the configuration.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public NodeConfig build() {
            check(listenPort >= 0 && listenPort <= 0xFFFF, "listenPort must be in 0..65535, got " + listenPort);
            check(maxPeers >= 1, "maxPeers must be >= 1, got " + maxPeers);
            check(maxInbound >= 0, "maxInbound must be >= 0, got " + maxInbound);
            check(maxOutbound >= 0, "maxOutbound must be >= 0, got " + maxOutbound);
            check(maxInboundPerIp >= 1, "maxInboundPerIp must be >= 1, got " + maxInboundPerIp);
            positive(handshakeTimeout, "handshakeTimeout");
            positive(pingInterval, "pingInterval");
            check(maxMissedPongs >= 1, "maxMissedPongs must be >= 1, got " + maxMissedPongs);
            if (readIdleTimeout != null) {
                positive(readIdleTimeout, "readIdleTimeout");
            }
            check(outboundQueueBytes >= frameSettings.maxMessageLength() + 14,
                    "outboundQueueBytes must hold the largest message (" + (frameSettings.maxMessageLength() + 14)
                            + " bytes), got " + outboundQueueBytes);
            check(outboundQueueMessages >= 1, "outboundQueueMessages must be >= 1, got " + outboundQueueMessages);
            positive(slowPeerTimeout, "slowPeerTimeout");
            check(!flushDelay.isNegative() && flushDelay.compareTo(Duration.ofSeconds(1)) <= 0,
                    "flushDelay must be in 0..1s, got " + flushDelay);
            check(writeBufferHighWaterMark >= 1024 && writeBufferHighWaterMark <= 16 * 1024 * 1024,
                    "writeBufferHighWaterMark must be in 1 KiB..16 MiB, got " + writeBufferHighWaterMark);
            check(userAgent.getBytes(StandardCharsets.UTF_8).length <= Hello.MAX_USER_AGENT_BYTES,
                    "userAgent must be at most " + Hello.MAX_USER_AGENT_BYTES + " UTF-8 bytes");
            check(status.length <= Hello.MAX_STATUS_BYTES,
                    "status must be at most " + Hello.MAX_STATUS_BYTES + " bytes, got " + status.length);
            check(subscriberBufferSize >= 1, "subscriberBufferSize must be >= 1, got " + subscriberBufferSize);
            check(subscriberBufferBytes >= frameSettings.maxMessageLength(),
                    "subscriberBufferBytes must hold the largest message (" + frameSettings.maxMessageLength()
                            + " bytes), got " + subscriberBufferBytes);
            check(banThreshold >= 1, "banThreshold must be >= 1, got " + banThreshold);
            positive(banDuration, "banDuration");
            check(maxBans >= 1, "maxBans must be >= 1, got " + maxBans);
            check(eventLoopThreads >= 1, "eventLoopThreads must be >= 1, got " + eventLoopThreads);
            check(outboundTarget >= 0, "outboundTarget must be >= 0, got " + outboundTarget);
            positive(peerExchangeInterval, "peerExchangeInterval");
            positive(dialInterval, "dialInterval");
            check(outboundRotation.isZero() || outboundRotation.toMillis() >= 1,
                    "outboundRotation must be 0 (off) or at least 1 ms, got " + outboundRotation);
            check(seenCacheSize >= 2 && seenCacheSize <= 1 << 29, "seenCacheSize must be in 2..2^29, got " + seenCacheSize);
            positive(seenCacheTtl, "seenCacheTtl");
            check(relayFanout >= 0, "relayFanout must be >= 0, got " + relayFanout);
            check(gossipRate >= 0, "gossipRate must be >= 0, got " + gossipRate);
            check(largeMessageThreshold >= 1, "largeMessageThreshold must be >= 1, got " + largeMessageThreshold);
            check(announceCacheBytes >= 0, "announceCacheBytes must be >= 0, got " + announceCacheBytes);
            return new NodeConfig(this);
        }

        private static void positive(Duration d, String name) {
            check(!d.isNegative() && !d.isZero(), name + " must be positive, got " + d);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
