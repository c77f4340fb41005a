package io.reactivep2p;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.reactivep2p.discovery.AddressBook;
import io.reactivep2p.discovery.DiscoverySettings;
import io.reactivep2p.gossip.GossipSettings;
import io.reactivep2p.mempool.MempoolConfig;
import io.reactivep2p.metrics.MetricsRecorder;
import io.reactivep2p.peer.PeerSettings;
import io.reactivep2p.peer.RpcSettings;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.NodeIdentity;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.transport.FlushPolicy;
import io.reactivep2p.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The immutable configuration of a {@link P2pNode}: the node's own identity, address and HELLO,
 * and the settings of each concern — {@link #peer()}, {@link #transport()}, {@link #gossip()},
 * {@link #discovery()}, {@link #frameSettings()}, {@link #mempool()} — each documented and
 * validated in its own type, and the {@link #runtime()} it runs on. Built with
 * {@link #builder()}: one fluent builder with a setter for every setting, or a group at a
 * time; every field has a default suited to a public network, and {@link Builder#build()}
 * checks them all.
 *
 * <pre>{@code
 * NodeConfig cfg = NodeConfig.builder()
 *         .listenPort(3000)
 *         .seeds("10.0.0.5:3000", "10.0.0.6:3000")
 *         .maxPeers(50)
 *         .gossip(g -> g.relayFanout(6).seenCacheTtl(Duration.ofMinutes(5)))
 *         .build();
 * cfg.peer().maxPeers();   // 50
 * }</pre>
 */
public final class NodeConfig {

    /** The user agent sent in HELLO by default. */
    public static final String DEFAULT_USER_AGENT = "reactive-p2p/0.1.0";

    private final NodeIdentity identity;
    private final boolean plaintext;
    private final String listenHost;
    private final int listenPort;
    private final boolean lz4;
    private final String userAgent;
    private final byte[] status;
    private final int subscriberBufferSize;
    private final long subscriberBufferBytes;
    private final PeerSettings peer;
    private final TransportSettings transport;
    private final GossipSettings gossip;
    private final DiscoverySettings discovery;
    private final FrameSettings frameSettings;
    private final MempoolConfig mempool;
    private final RpcSettings rpc;
    private final MetricsRecorder metrics;
    private final NodeRuntime runtime;

    private NodeConfig(Builder b, PeerSettings peer, TransportSettings transport, GossipSettings gossip,
                       DiscoverySettings discovery) {
        this.identity = b.identity != null ? b.identity : NodeIdentity.generate(b.runtime.secureRandom());
        this.plaintext = b.plaintext;
        this.listenHost = b.listenHost;
        this.listenPort = b.listenPort;
        this.lz4 = b.lz4;
        this.userAgent = b.userAgent;
        this.status = b.status.clone();
        this.subscriberBufferSize = b.subscriberBufferSize;
        this.subscriberBufferBytes = b.subscriberBufferBytes;
        this.peer = peer;
        this.transport = transport;
        this.gossip = gossip;
        this.discovery = discovery;
        this.frameSettings = b.frameSettings.withFormat(b.plaintext ? FrameFormat.V1 : FrameFormat.INNER);
        this.mempool = b.mempool;
        this.rpc = b.rpc;
        this.metrics = b.metrics;
        this.runtime = b.runtime;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration, identity included. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.identity = identity;
        b.plaintext = plaintext;
        b.listenHost = listenHost;
        b.listenPort = listenPort;
        b.lz4 = lz4;
        b.userAgent = userAgent;
        b.status = status.clone();
        b.subscriberBufferSize = subscriberBufferSize;
        b.subscriberBufferBytes = subscriberBufferBytes;
        b.peer = peer.toBuilder();
        b.transport = transport.toBuilder();
        b.gossip = gossip.toBuilder();
        b.discovery = discovery.toBuilder();
        b.frameSettings = frameSettings;
        b.mempool = mempool;
        b.rpc = rpc;
        b.metrics = metrics;
        b.runtime = runtime;
        return b;
    }

    /** This node's id: its {@link #identity()}'s public key. */
    public NodeId nodeId() {
        return identity.id();
    }

    /**
     * This node's identity: the X25519 key pair whose public key is its id, proven to every
     * peer in the secure channel's handshake. Default: a new one per configuration, from the
     * runtime's secure random (a node that keeps its id across runs loads one:
     * {@link NodeIdentity#load}).
     */
    public NodeIdentity identity() {
        return identity;
    }

    /**
     * Whether the node speaks the plaintext protocol version 1 instead of the secure channel
     * (version 2): no encryption, no authentication, ids as claimed. For trusted networks and
     * for measuring what encryption costs; never negotiated: a node of one version closes the
     * connections of the other. Default {@code false}.
     */
    public boolean plaintext() {
        return plaintext;
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

    /**
     * Payload bytes buffered per {@code node.messages()} subscriber before newer messages are
     * dropped for it; at least the largest message. Default 32 MiB.
     */
    public long subscriberBufferBytes() {
        return subscriberBufferBytes;
    }

    /** Peer limits, timeouts, keepalive, scores and bans. */
    public PeerSettings peer() {
        return peer;
    }

    /** Event loops, per-peer outbound queues and flushing. */
    public TransportSettings transport() {
        return transport;
    }

    /** Seen-cache, relay fan-out, per-peer rate, large messages, direct types. */
    public GossipSettings gossip() {
        return gossip;
    }

    /** Seeds, outbound target, address book, peer exchange, dialer and rotation. */
    public DiscoverySettings discovery() {
        return discovery;
    }

    /**
     * Magic, frame and message limits, compression threshold. Default
     * {@link FrameSettings#defaults()}; the format follows {@link #plaintext()}: version 1
     * frames, or the secure channel's inner frames.
     */
    public FrameSettings frameSettings() {
        return frameSettings;
    }

    /**
     * The limits of the node's transaction pool ({@link P2pNode#mempool()}). Default
     * {@link MempoolConfig#defaults()}: 100,000 transactions, 64 MiB.
     */
    public MempoolConfig mempool() {
        return mempool;
    }

    /**
     * Limits of requests and streams between peers ({@code peer.request},
     * {@code node.handleRequests}). Default {@link RpcSettings#defaults()}.
     */
    public RpcSettings rpc() {
        return rpc;
    }

    /**
     * Where the node reports its metrics. Default {@link MetricsRecorder#NOOP}: nothing is
     * recorded and the hot path pays nothing. See {@link Builder#meterRegistry}.
     */
    public MetricsRecorder metrics() {
        return metrics;
    }

    /**
     * Where the node takes time, randomness, threads and channels from. Default
     * {@link NodeRuntime#system()}; tests and simulations pass their own.
     */
    public NodeRuntime runtime() {
        return runtime;
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port} (port 1..65535, digits only) into an
     * unresolved address: resolved when it is dialled.
     *
     * @throws IllegalArgumentException with a one-line message naming what is wrong
     */
    public static InetSocketAddress parseHostPort(String hostPort) {
        return DiscoverySettings.parseHostPort(hostPort);
    }

    /**
     * Builds a {@link NodeConfig}. Each setting has a setter here, documented on the settings
     * type it belongs to; the group setters ({@link #peer(Consumer)}, {@link #gossip(Consumer)},
     * ...) change several of one concern at once. Not thread-safe.
     */
    public static final class Builder {
        private NodeIdentity identity;
        private boolean plaintext;
        private String listenHost = "0.0.0.0";
        private int listenPort = 0;
        private boolean lz4 = true;
        private String userAgent = DEFAULT_USER_AGENT;
        private byte[] status = new byte[0];
        private int subscriberBufferSize = 1024;
        private long subscriberBufferBytes = 32L * 1024 * 1024;
        private PeerSettings.Builder peer = PeerSettings.builder();
        private TransportSettings.Builder transport = TransportSettings.builder();
        private GossipSettings.Builder gossip = GossipSettings.builder();
        private DiscoverySettings.Builder discovery = DiscoverySettings.builder();
        private FrameSettings frameSettings = FrameSettings.defaults();
        private MempoolConfig mempool = MempoolConfig.defaults();
        private RpcSettings rpc = RpcSettings.defaults();
        private MetricsRecorder metrics = MetricsRecorder.NOOP;
        private NodeRuntime runtime = NodeRuntime.system();

        private Builder() {
        }

        // ---- the node ----

        /** See {@link NodeConfig#identity()}. */
        public Builder identity(NodeIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /** See {@link NodeConfig#plaintext()}. */
        public Builder plaintext(boolean plaintext) {
            this.plaintext = plaintext;
            return this;
        }

        /** See {@link NodeConfig#listenHost()}. */
        public Builder listenHost(String listenHost) {
            this.listenHost = Objects.requireNonNull(listenHost, "listenHost");
            return this;
        }

        /** See {@link NodeConfig#listenPort()}. */
        public Builder listenPort(int listenPort) {
            this.listenPort = listenPort;
            return this;
        }

        /** See {@link NodeConfig#lz4()}. */
        public Builder lz4(boolean lz4) {
            this.lz4 = lz4;
            return this;
        }

        /** See {@link NodeConfig#userAgent()}. */
        public Builder userAgent(String userAgent) {
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        /** See {@link NodeConfig#status()}. */
        public Builder status(byte[] status) {
            this.status = Objects.requireNonNull(status, "status").clone();
            return this;
        }

        /** See {@link NodeConfig#subscriberBufferSize()}. */
        public Builder subscriberBufferSize(int subscriberBufferSize) {
            this.subscriberBufferSize = subscriberBufferSize;
            return this;
        }

        /** See {@link NodeConfig#subscriberBufferBytes()}. */
        public Builder subscriberBufferBytes(long subscriberBufferBytes) {
            this.subscriberBufferBytes = subscriberBufferBytes;
            return this;
        }

        /** See {@link NodeConfig#frameSettings()}. */
        public Builder frameSettings(FrameSettings frameSettings) {
            this.frameSettings = Objects.requireNonNull(frameSettings, "frameSettings");
            return this;
        }

        /** See {@link NodeConfig#mempool()}. */
        public Builder mempool(MempoolConfig mempool) {
            this.mempool = Objects.requireNonNull(mempool, "mempool");
            return this;
        }

        /** See {@link NodeConfig#rpc()}. */
        public Builder rpc(RpcSettings rpc) {
            this.rpc = Objects.requireNonNull(rpc, "rpc");
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

        /** See {@link NodeConfig#runtime()}. */
        public Builder runtime(NodeRuntime runtime) {
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            return this;
        }

        // ---- settings by concern, a group at a time ----

        /** Changes peer settings: {@code .peer(p -> p.maxPeers(100).banThreshold(50))}. */
        public Builder peer(Consumer<PeerSettings.Builder> change) {
            change.accept(peer);
            return this;
        }

        /** Replaces every peer setting. */
        public Builder peer(PeerSettings settings) {
            this.peer = settings.toBuilder();
            return this;
        }

        /** Changes transport settings: {@code .transport(t -> t.eventLoopThreads(1))}. */
        public Builder transport(Consumer<TransportSettings.Builder> change) {
            change.accept(transport);
            return this;
        }

        /** Replaces every transport setting. */
        public Builder transport(TransportSettings settings) {
            this.transport = settings.toBuilder();
            return this;
        }

        /** Changes gossip settings: {@code .gossip(g -> g.relayFanout(6))}. */
        public Builder gossip(Consumer<GossipSettings.Builder> change) {
            change.accept(gossip);
            return this;
        }

        /** Replaces every gossip setting. */
        public Builder gossip(GossipSettings settings) {
            this.gossip = settings.toBuilder();
            return this;
        }

        /** Changes discovery settings: {@code .discovery(d -> d.outboundTarget(4))}. */
        public Builder discovery(Consumer<DiscoverySettings.Builder> change) {
            change.accept(discovery);
            return this;
        }

        /** Replaces every discovery setting. */
        public Builder discovery(DiscoverySettings settings) {
            this.discovery = settings.toBuilder();
            return this;
        }

        // ---- each setting on its own: see the settings type it belongs to ----

        /** See {@link PeerSettings#maxPeers()}. */
        public Builder maxPeers(int maxPeers) {
            peer.maxPeers(maxPeers);
            return this;
        }

        /** See {@link PeerSettings#maxInbound()}. */
        public Builder maxInbound(int maxInbound) {
            peer.maxInbound(maxInbound);
            return this;
        }

        /** See {@link PeerSettings#maxOutbound()}. */
        public Builder maxOutbound(int maxOutbound) {
            peer.maxOutbound(maxOutbound);
            return this;
        }

        /** See {@link PeerSettings#maxInboundPerIp()}. */
        public Builder maxInboundPerIp(int maxInboundPerIp) {
            peer.maxInboundPerIp(maxInboundPerIp);
            return this;
        }

        /** See {@link PeerSettings#limitLoopback()}. */
        public Builder limitLoopback(boolean limitLoopback) {
            peer.limitLoopback(limitLoopback);
            return this;
        }

        /** See {@link PeerSettings#handshakeTimeout()}. */
        public Builder handshakeTimeout(Duration handshakeTimeout) {
            peer.handshakeTimeout(handshakeTimeout);
            return this;
        }

        /** See {@link PeerSettings#pingInterval()}. */
        public Builder pingInterval(Duration pingInterval) {
            peer.pingInterval(pingInterval);
            return this;
        }

        /** See {@link PeerSettings#maxMissedPongs()}. */
        public Builder maxMissedPongs(int maxMissedPongs) {
            peer.maxMissedPongs(maxMissedPongs);
            return this;
        }

        /** See {@link PeerSettings#readIdleTimeout()}. */
        public Builder readIdleTimeout(Duration readIdleTimeout) {
            peer.readIdleTimeout(readIdleTimeout);
            return this;
        }

        /** See {@link PeerSettings#slowPeerTimeout()}. */
        public Builder slowPeerTimeout(Duration slowPeerTimeout) {
            peer.slowPeerTimeout(slowPeerTimeout);
            return this;
        }

        /** See {@link PeerSettings#banThreshold()}. */
        public Builder banThreshold(int banThreshold) {
            peer.banThreshold(banThreshold);
            return this;
        }

        /** See {@link PeerSettings#banDuration()}. */
        public Builder banDuration(Duration banDuration) {
            peer.banDuration(banDuration);
            return this;
        }

        /** See {@link PeerSettings#maxBans()}. */
        public Builder maxBans(int maxBans) {
            peer.maxBans(maxBans);
            return this;
        }

        /** See {@link PeerSettings#inboundConnectRate()}. */
        public Builder inboundConnectRate(int inboundConnectRate) {
            peer.inboundConnectRate(inboundConnectRate);
            return this;
        }

        /** See {@link PeerSettings#inboundHandshakeRate()}. */
        public Builder inboundHandshakeRate(int inboundHandshakeRate) {
            peer.inboundHandshakeRate(inboundHandshakeRate);
            return this;
        }

        /** See {@link TransportSettings#eventLoopThreads()}. */
        public Builder eventLoopThreads(int eventLoopThreads) {
            transport.eventLoopThreads(eventLoopThreads);
            return this;
        }

        /** See {@link TransportSettings#outboundQueueBytes()}. */
        public Builder outboundQueueBytes(int outboundQueueBytes) {
            transport.outboundQueueBytes(outboundQueueBytes);
            return this;
        }

        /** See {@link TransportSettings#outboundQueueMessages()}. */
        public Builder outboundQueueMessages(int outboundQueueMessages) {
            transport.outboundQueueMessages(outboundQueueMessages);
            return this;
        }

        /** See {@link TransportSettings#flushPolicy()}. */
        public Builder flushPolicy(FlushPolicy flushPolicy) {
            transport.flushPolicy(flushPolicy);
            return this;
        }

        /** See {@link TransportSettings#flushDelay()}. */
        public Builder flushDelay(Duration flushDelay) {
            transport.flushDelay(flushDelay);
            return this;
        }

        /** See {@link TransportSettings#writeBufferHighWaterMark()}. */
        public Builder writeBufferHighWaterMark(int bytes) {
            transport.writeBufferHighWaterMark(bytes);
            return this;
        }

        /** See {@link GossipSettings#seenCacheSize()}. */
        public Builder seenCacheSize(int seenCacheSize) {
            gossip.seenCacheSize(seenCacheSize);
            return this;
        }

        /** See {@link GossipSettings#seenCacheTtl()}. */
        public Builder seenCacheTtl(Duration seenCacheTtl) {
            gossip.seenCacheTtl(seenCacheTtl);
            return this;
        }

        /** See {@link GossipSettings#relayFanout()}. */
        public Builder relayFanout(int relayFanout) {
            gossip.relayFanout(relayFanout);
            return this;
        }

        /** See {@link GossipSettings#gossipRate()}; 0 turns the limit off. */
        public Builder gossipRate(int messagesPerSecond) {
            gossip.gossipRate(messagesPerSecond);
            return this;
        }

        /** See {@link GossipSettings#directTypes()}. */
        public Builder directTypes(MessageType... types) {
            gossip.directTypes(types);
            return this;
        }

        /** See {@link GossipSettings#largeMessageThreshold()}. */
        public Builder largeMessageThreshold(int largeMessageThreshold) {
            gossip.largeMessageThreshold(largeMessageThreshold);
            return this;
        }

        /** See {@link GossipSettings#announceCacheBytes()}. */
        public Builder announceCacheBytes(long announceCacheBytes) {
            gossip.announceCacheBytes(announceCacheBytes);
            return this;
        }

        /**
         * See {@link DiscoverySettings#seeds()}: adds seeds as {@code host:port} or
         * {@code [ipv6]:port}, each optionally pinned to its node id ({@code <64 hex id>@host:port},
         * {@link DiscoverySettings#seedIds()}).
         */
        public Builder seeds(String... seeds) {
            discovery.seeds(seeds);
            return this;
        }

        /** See {@link DiscoverySettings#seedIds()}: adds a seed pinned to its node id. */
        public Builder seed(InetSocketAddress address, NodeId id) {
            discovery.seed(address, id);
            return this;
        }

        /** See {@link DiscoverySettings#seeds()}: adds seeds. */
        public Builder seeds(List<InetSocketAddress> addresses) {
            discovery.seeds(addresses);
            return this;
        }

        /** See {@link DiscoverySettings#outboundTarget()}. */
        public Builder outboundTarget(int outboundTarget) {
            discovery.outboundTarget(outboundTarget);
            return this;
        }

        /** See {@link DiscoverySettings#addressBook()}. */
        public Builder addressBook(AddressBook.Settings addressBook) {
            discovery.addressBook(addressBook);
            return this;
        }

        /** Accept loopback and private addresses in the address book (local networks, tests). */
        public Builder allowLocalAddresses(boolean allow) {
            discovery.allowLocalAddresses(allow);
            return this;
        }

        /** See {@link DiscoverySettings#addressBookFile()}. */
        public Builder addressBookFile(Path addressBookFile) {
            discovery.addressBookFile(addressBookFile);
            return this;
        }

        /** See {@link DiscoverySettings#peerExchangeInterval()}. */
        public Builder peerExchangeInterval(Duration peerExchangeInterval) {
            discovery.peerExchangeInterval(peerExchangeInterval);
            return this;
        }

        /** See {@link DiscoverySettings#dialInterval()}. */
        public Builder dialInterval(Duration dialInterval) {
            discovery.dialInterval(dialInterval);
            return this;
        }

        /** See {@link DiscoverySettings#outboundRotation()}; {@link Duration#ZERO} turns it off. */
        public Builder outboundRotation(Duration outboundRotation) {
            discovery.outboundRotation(outboundRotation);
            return this;
        }

        /**
         * Validates every field and builds the configuration: each group's own checks, then
         * those that span groups (queues and buffers hold the largest message). The outbound
         * target is capped at {@code maxOutbound}.
         *
         * @throws IllegalArgumentException naming the first invalid field
         */
        public NodeConfig build() {
            check(listenPort >= 0 && listenPort <= 0xFFFF, "listenPort must be in 0..65535, got " + listenPort);
            PeerSettings peerSettings = peer.build();
            TransportSettings transportSettings = transport.build();
            GossipSettings gossipSettings = gossip.build();
            DiscoverySettings discoverySettings = discovery.build().withOutboundTargetAtMost(peerSettings.maxOutbound());
            int largestFrame = frameSettings.maxMessageLength() + FrameCodec.HEADER_LENGTH;
            check(transportSettings.outboundQueueBytes() >= largestFrame,
                    "outboundQueueBytes must hold the largest message (" + largestFrame + " bytes), got "
                            + transportSettings.outboundQueueBytes());
            check(userAgent.getBytes(StandardCharsets.UTF_8).length <= Hello.MAX_USER_AGENT_BYTES,
                    "userAgent must be at most " + Hello.MAX_USER_AGENT_BYTES + " UTF-8 bytes");
            check(status.length <= Hello.MAX_STATUS_BYTES,
                    "status must be at most " + Hello.MAX_STATUS_BYTES + " bytes, got " + status.length);
            check(subscriberBufferSize >= 1, "subscriberBufferSize must be >= 1, got " + subscriberBufferSize);
            check(subscriberBufferBytes >= frameSettings.maxMessageLength(),
                    "subscriberBufferBytes must hold the largest message (" + frameSettings.maxMessageLength()
                            + " bytes), got " + subscriberBufferBytes);
            return new NodeConfig(this, peerSettings, transportSettings, gossipSettings, discoverySettings);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
