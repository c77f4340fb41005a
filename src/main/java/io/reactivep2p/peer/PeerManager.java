package io.reactivep2p.peer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.util.concurrent.Ticker;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.runtime.TokenBucket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The connected peers of a node, by node id, and the rules that admit them: limits on the
 * total, on each direction and on inbound connections per IP address; misbehaviour scores;
 * timed bans by node id and by address.
 *
 * <p><b>Scores and bans.</b> Misbehaviour adds points to the offending node id and to its IP
 * address (loopback addresses only when {@link PeerSettings#limitLoopback()}). Points are
 * remembered for {@link PeerSettings#banDuration()} after the last offence; reaching
 * {@link PeerSettings#banThreshold()} bans the id or address for {@link PeerSettings#banDuration()}
 * and disconnects its peers with {@link DisconnectReason#MISBEHAVIOUR}. A protocol error
 * costs {@value #PROTOCOL_ERROR_SCORE} points: two in a row ban. Both tables are bounded by
 * {@link PeerSettings#maxBans()} entries (Caffeine's size eviction, frequency-based: not
 * oldest-first) and expire on the runtime's {@link NodeRuntime#ticker() ticker}.
 *
 * <p>Thread-safe. Admission runs under one lock (handshakes are rare; the lock keeps the
 * limit checks and the duplicate rule atomic); lookups are lock-free.
 */
public final class PeerManager {

    /** Points for a frame or payload that breaks the protocol. */
    public static final int PROTOCOL_ERROR_SCORE = 50;

    private static final Logger log = LoggerFactory.getLogger(PeerManager.class);

    private final PeerSettings config;
    private final NodeId self;
    private final long nonce;
    private final ConcurrentHashMap<NodeId, Peer> peers = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> inboundPerIp = new HashMap<>();
    private final Cache<Object, Boolean> bans;
    private final Cache<Object, AtomicInteger> scores;
    /** New inbound connections per address: {@link PeerSettings#inboundConnectRate()}. */
    private final Cache<InetAddress, TokenBucket> connectRates;
    private final Sinks.Many<PeerEvent> events = Sinks.many().multicast().directBestEffort();
    private final Consumer<Peer> onAdmitted;
    private int inbound;
    private int outbound;
    private int inboundConnections;
    private final Ticker ticker;
    private long connectsOverRate;
    /** New inbound connections from all limited addresses together: {@link PeerSettings#inboundHandshakeRate()}. */
    private TokenBucket handshakeRate;
    private long handshakesOverRate;
    private final NodeRuntime runtime;

    /**
     * A manager whose admissions have no side effect but the peer events.
     *
     * @param self this node's id, to detect self-connections and order simultaneous dials
     * @param nonce this node run's HELLO nonce, to detect self-connections
     * @param settings limits, scores and bans
     * @param runtime the ticker of score and ban expiry; the scheduler peer events are
     *     delivered on ({@link NodeRuntime#blocking()})
     */
    public PeerManager(NodeId self, long nonce, PeerSettings settings, NodeRuntime runtime) {
        this(self, nonce, settings, runtime, peer -> { });
    }

    /**
     * @param self this node's id, to detect self-connections and order simultaneous dials
     * @param nonce this node run's HELLO nonce, to detect self-connections
     * @param settings limits, scores and bans
     * @param runtime the ticker of score and ban expiry; the scheduler peer events are
     *     delivered on ({@link NodeRuntime#blocking()})
     * @param onAdmitted called on the peer's event loop, inside admission, for each admitted
     *     peer: must be quick and must not block (the node subscribes to the peer's inbound
     *     messages there)
     */
    public PeerManager(NodeId self, long nonce, PeerSettings settings, NodeRuntime runtime, Consumer<Peer> onAdmitted) {
        this.onAdmitted = Objects.requireNonNull(onAdmitted, "onAdmitted");
        this.config = Objects.requireNonNull(settings, "settings");
        this.self = Objects.requireNonNull(self, "self");
        this.nonce = nonce;
        this.ticker = runtime.ticker();
        this.runtime = runtime;
        this.bans = Caffeine.newBuilder().maximumSize(config.maxBans())
                .expireAfterWrite(config.banDuration()).ticker(ticker::nanoTime).build();
        this.scores = Caffeine.newBuilder().maximumSize(config.maxBans())
                .expireAfterAccess(config.banDuration()).ticker(ticker::nanoTime).build();
        // An address idle for a minute starts again with a full bucket; as many addresses as bans.
        this.connectRates = Caffeine.newBuilder().maximumSize(config.maxBans())
                .expireAfterAccess(Duration.ofMinutes(1)).ticker(ticker::nanoTime).build();
    }

    /** The connected peers: a live, unmodifiable view. */
    public Collection<Peer> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }

    /** The peer with this id, if connected. */
    public Peer peer(NodeId id) {
        return peers.get(id);
    }

    /** Connected inbound peers. */
    public synchronized int inboundCount() {
        return inbound;
    }

    /** Connected outbound peers. */
    public synchronized int outboundCount() {
        return outbound;
    }

    /**
     * Peer events, hot: CONNECTED after each admission, DISCONNECTED when an admitted peer's
     * connection closes. Each subscriber sees the events from its subscription on, in order,
     * on the runtime's {@link NodeRuntime#blocking() blocking} scheduler (never inside admission, so a slow
     * subscriber cannot hold up handshakes), with a buffer of 1024 events of its own; a
     * subscriber that falls further behind loses the oldest. Completes when the node stops.
     */
    public Flux<PeerEvent> events() {
        return events.asFlux()
                .onBackpressureBuffer(1024, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST)
                .publishOn(runtime.blocking());
    }

    // ---- admission ----

    /**
     * Checks a new inbound connection before its handshake: bans, the rate of new connections
     * from its address, inbound slots, the per-IP limit, connections in progress and the rate
     * of new connections from all addresses. On {@code null} the connection counts against its IP until
     * {@link #inboundClosed} is called.
     *
     * @return {@code null} to go on, or the reason to refuse it with
     */
    public synchronized DisconnectReason acceptInbound(InetAddress address) {
        if (isBanned(address)) {
            return DisconnectReason.BANNED;
        }
        if (config.inboundConnectRate() > 0 && limited(address)) {
            long now = ticker.nanoTime();
            TokenBucket rate = connectRates.get(address,
                    a -> new TokenBucket(config.inboundConnectRate(), 2.0 * config.inboundConnectRate(), now));
            if (!rate.tryTake(1, now)) {
                connectsOverRate++;
                return DisconnectReason.TOO_MANY_PEERS;
            }
        }
        if (inbound >= config.maxInbound() || peers.size() >= config.maxPeers()) {
            return DisconnectReason.TOO_MANY_PEERS;
        }
        int fromIp = inboundPerIp.getOrDefault(address, 0);
        if (limited(address) && fromIp >= config.maxInboundPerIp()) {
            return DisconnectReason.TOO_MANY_PEERS;
        }
        // Handshaking connections are bounded too, so a flood of idle sockets holds little.
        if (inboundConnections >= 2 * config.maxInbound() + config.maxInboundPerIp()) {
            return DisconnectReason.TOO_MANY_PEERS;
        }
        // Last: only a connection that would start its handshake takes from the total rate.
        if (config.inboundHandshakeRate() > 0 && limited(address)) {
            long now = ticker.nanoTime();
            if (handshakeRate == null) {
                handshakeRate = new TokenBucket(config.inboundHandshakeRate(), 2.0 * config.inboundHandshakeRate(), now);
            }
            if (!handshakeRate.tryTake(1, now)) {
                handshakesOverRate++;
                return DisconnectReason.TOO_MANY_PEERS;
            }
        }
        inboundPerIp.put(address, fromIp + 1);
        inboundConnections++;
        return null;
    }

    /** Inbound connections refused for coming faster than {@link PeerSettings#inboundConnectRate()} from their address. */
    public synchronized long connectsOverRate() {
        return connectsOverRate;
    }

    /**
     * Inbound connections refused because all limited addresses together came faster than
     * {@link PeerSettings#inboundHandshakeRate()}.
     */
    public synchronized long handshakesOverRate() {
        return handshakesOverRate;
    }

    /** Releases what {@link #acceptInbound} counted, when that connection closes. */
    public synchronized void inboundClosed(InetAddress address) {
        inboundPerIp.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        inboundConnections--;
    }

    /** The outcome of a handshake. */
    record Admission(DisconnectReason refusal, Peer replaced) {
        static final Admission ACCEPTED = new Admission(null, null);

        boolean accepted() {
            return refusal == null;
        }
    }

    /**
     * Admits a peer whose HELLO arrived, or says why not. A second connection to the same
     * node id (simultaneous dials) keeps the one dialled by the lower node id; the other is
     * refused or, if it was admitted first and less than the handshake timeout ago, replaced.
     * Past that, the connection there is kept and the newcomer refused: ids are claimed, not
     * proven, so a stranger claiming a connected peer's id must not displace it.
     */
    synchronized Admission admit(Peer peer, long helloNonce) {
        NodeId id = peer.id();
        if (helloNonce == nonce || id.equals(self)) {
            return new Admission(DisconnectReason.SELF_CONNECTION, null);
        }
        if (isBanned(id) || isBanned(peer.remoteAddress().getAddress())) {
            return new Admission(DisconnectReason.BANNED, null);
        }
        Peer existing = peers.get(id);
        if (existing != null) {
            NodeId preferredDialer = self.compareTo(id) < 0 ? self : id;
            boolean simultaneous = ticker.nanoTime() - existing.admittedNanos < config.handshakeTimeout().toNanos();
            if (simultaneous && dialer(peer).equals(preferredDialer) && !dialer(existing).equals(preferredDialer)) {
                replace(existing, peer);
                return new Admission(null, existing);
            }
            return new Admission(DisconnectReason.DUPLICATE_CONNECTION, null);
        }
        boolean in = peer.direction() == Direction.INBOUND;
        if (peers.size() >= config.maxPeers()
                || (in && inbound >= config.maxInbound())
                || (!in && outbound >= config.maxOutbound())) {
            return new Admission(DisconnectReason.TOO_MANY_PEERS, null);
        }
        peers.put(id, peer);
        count(peer, 1);
        admitted(peer);
        return Admission.ACCEPTED;
    }

    /**
     * The connection dialled by the lower id replaces the other. Direction limits are not
     * checked here: both sides must keep the same connection, and the total stays the same
     * (a direction may go one over its limit until the replaced peer is gone).
     */
    private void replace(Peer existing, Peer peer) {
        peers.put(peer.id(), peer);
        count(existing, -1);
        count(peer, 1);
        admitted(peer);
    }

    private void admitted(Peer peer) {
        peer.admittedNanos = ticker.nanoTime();
        onAdmitted.accept(peer);
        events.tryEmitNext(PeerEvent.connected(peer));
    }

    private NodeId dialer(Peer peer) {
        return peer.direction() == Direction.OUTBOUND ? self : peer.id();
    }

    private void count(Peer peer, int delta) {
        if (peer.direction() == Direction.INBOUND) {
            inbound += delta;
        } else {
            outbound += delta;
        }
    }

    /** Called once when an admitted peer's connection has closed. */
    synchronized void closed(Peer peer, Disconnection why) {
        if (peers.remove(peer.id(), peer)) {
            count(peer, -1);
        }
        events.tryEmitNext(PeerEvent.disconnected(peer, why));
    }

    // ---- scores and bans ----

    /**
     * Adds misbehaviour points to a node id (when known) and an address. Reaching the
     * threshold bans them and disconnects their peers.
     *
     * @return whether this offence caused a ban
     */
    public boolean misbehaved(NodeId id, InetAddress address, int points, String why) {
        boolean idBanned = id != null && addScore(id, points);
        boolean addressBanned = address != null && limited(address) && addScore(address, points);
        if (idBanned || addressBanned) {
            log.info("banned {}{} for {}: {}", idBanned ? id.shortHex() + " " : "", addressBanned ? address : "",
                    config.banDuration(), why);
            for (Peer p : peers.values()) {
                if ((idBanned && p.id().equals(id))
                        || (addressBanned && p.remoteAddress().getAddress().equals(address))) {
                    p.disconnect(DisconnectReason.MISBEHAVIOUR, "banned").subscribe();
                }
            }
        }
        return idBanned || addressBanned;
    }

    private boolean addScore(Object key, int points) {
        int score = scores.get(key, k -> new AtomicInteger()).addAndGet(points);
        if (score >= config.banThreshold()) {
            scores.invalidate(key);
            bans.put(key, Boolean.TRUE);
            return true;
        }
        return false;
    }

    /** The current score of a node id or address; 0 when unknown or expired. */
    public int score(Object idOrAddress) {
        AtomicInteger s = scores.getIfPresent(idOrAddress);
        return s == null ? 0 : s.get();
    }

    /** Bans a node id for the configured duration and disconnects it. */
    public void ban(NodeId id) {
        bans.put(Objects.requireNonNull(id, "id"), Boolean.TRUE);
        Peer p = peers.get(id);
        if (p != null) {
            p.disconnect(DisconnectReason.BANNED, "banned").subscribe();
        }
    }

    /**
     * Bans an address for the configured duration and disconnects its peers (loopback only
     * with {@link PeerSettings#limitLoopback()}).
     */
    public void ban(InetAddress address) {
        if (limited(Objects.requireNonNull(address, "address"))) {
            bans.put(address, Boolean.TRUE);
            for (Peer p : peers.values()) {
                if (p.remoteAddress().getAddress().equals(address)) {
                    p.disconnect(DisconnectReason.BANNED, "banned").subscribe();
                }
            }
        }
    }

    /** Whether a node id or address is banned now. */
    public boolean isBanned(Object idOrAddress) {
        return bans.getIfPresent(idOrAddress) != null;
    }

    private boolean limited(InetAddress address) {
        return config.limitLoopback() || !address.isLoopbackAddress();
    }

    /** Completes the event stream. */
    public synchronized void complete() {
        events.tryEmitComplete();
    }
}
