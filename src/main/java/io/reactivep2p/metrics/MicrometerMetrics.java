package io.reactivep2p.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.reactivep2p.gossip.Gossip;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Mempool;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.peer.RpcService;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * {@link MetricsRecorder} into a Micrometer {@link MeterRegistry}. The meters are listed in
 * the README's "Metrics" section; this class is where they are defined.
 *
 * <p>Hot path: a frame costs an array read and two counter increments. The per-type meters
 * are looked up once per type code and kept in arrays indexed by code (a racy fill is
 * harmless: the registry returns the same meter for the same name and tags). Codes no type
 * is defined for share the meters tagged {@code type=unknown}, so a peer cannot create series.
 */
final class MicrometerMetrics implements MetricsRecorder {

    private static final Duration[] RTT_BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final Tags common;
    private final TypeMeters[] received = new TypeMeters[256];
    private final TypeMeters[] sent = new TypeMeters[256];
    private final TypeMeters unknownReceived;
    private final TypeMeters unknownSent;
    private final Map<ProtocolException.Kind, Counter> rejected = new EnumMap<>(ProtocolException.Kind.class);
    private final Timer handshakeInbound;
    private final Timer handshakeOutbound;
    private final Timer rtt;

    /** The message and byte counters of one type in one direction. */
    private record TypeMeters(Counter messages, Counter bytes) {
    }

    MicrometerMetrics(MeterRegistry registry, Iterable<Tag> commonTags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.common = Tags.of(commonTags);
        this.unknownReceived = typeMeters("received", "unknown");
        this.unknownSent = typeMeters("sent", "unknown");
        for (ProtocolException.Kind kind : ProtocolException.Kind.values()) {
            rejected.put(kind, Counter.builder("p2p.frames.rejected")
                    .description("Connections closed for bytes that broke the protocol, by fault")
                    .tags(common).tag("reason", lower(kind)).register(registry));
        }
        this.handshakeInbound = handshakeTimer(Direction.INBOUND);
        this.handshakeOutbound = handshakeTimer(Direction.OUTBOUND);
        // Fixed buckets from LAN to intercontinental round trips: 15 series per node, where a
        // percentile histogram would publish about 70.
        this.rtt = Timer.builder("p2p.ping.rtt")
                .description("Round trip of PING/PONG keepalives")
                .tags(common)
                .serviceLevelObjectives(RTT_BUCKETS)
                .register(registry);
    }

    private Timer handshakeTimer(Direction direction) {
        return Timer.builder("p2p.handshake")
                .description("Time from connection to the peer's admission")
                .tags(common).tag("direction", lower(direction))
                .register(registry);
    }

    private TypeMeters typeMeters(String direction, String type) {
        return new TypeMeters(
                Counter.builder("p2p.messages." + direction).description("Frames " + direction + ", by message type")
                        .tags(common).tag("type", type).register(registry),
                Counter.builder("p2p.bytes." + direction).description("Bytes " + direction + " on the wire, by message type")
                        .tags(common).tag("type", type).register(registry));
    }

    @Override
    public void frameRead(int typeCode, int wireBytes) {
        TypeMeters m = meters(received, unknownReceived, "received", typeCode);
        m.messages.increment();
        m.bytes.increment(wireBytes);
    }

    @Override
    public void frameWritten(int typeCode, int wireBytes) {
        TypeMeters m = meters(sent, unknownSent, "sent", typeCode);
        m.messages.increment();
        m.bytes.increment(wireBytes);
    }

    private TypeMeters meters(TypeMeters[] byCode, TypeMeters unknown, String direction, int typeCode) {
        TypeMeters m = byCode[typeCode];
        if (m != null) {
            return m;
        }
        MessageType type = MessageType.fromCode(typeCode);
        if (!type.isDefined()) {
            return unknown; // not cached: the application may still define it
        }
        m = typeMeters(direction, type.name());
        byCode[typeCode] = m; // final fields: safely published even through a racy array
        return m;
    }

    @Override
    public void frameRejected(ProtocolException.Kind kind) {
        rejected.get(kind).increment();
    }

    @Override
    public void handshake(Direction direction, long nanos) {
        (direction == Direction.INBOUND ? handshakeInbound : handshakeOutbound).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void rtt(long nanos) {
        rtt.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void bindTo(MeteredNode node) {
        PeerManager peers = node.peerManager();
        gauge("p2p.peers", "Connected peers, by who dialled", peers, PeerManager::inboundCount, "direction", "inbound");
        gauge("p2p.peers", "Connected peers, by who dialled", peers, PeerManager::outboundCount, "direction", "outbound");

        Gossip gossip = node.gossip();
        counter("p2p.gossip.duplicates", "Gossip messages dropped as already seen", gossip, Gossip::duplicates);
        String validations = "First sightings of gossip messages, by verdict";
        counter("p2p.gossip.validations", validations, gossip, Gossip::accepted, "result", "accept");
        counter("p2p.gossip.validations", validations, gossip, Gossip::ignored, "result", "ignore");
        counter("p2p.gossip.validations", validations, gossip, Gossip::rejected, "result", "reject");
        counter("p2p.gossip.relayed", "Copies of gossip messages queued to peers (relays and broadcasts)", gossip,
                Gossip::relayed);
        counter("p2p.gossip.throttled", "Gossip messages that waited for their peer's rate limit", gossip,
                Gossip::throttled);
        String dropped = "Messages not passed on, by why";
        counter("p2p.dropped", dropped, gossip, Gossip::relayDrops, "reason", "peer_queue_full");
        counter("p2p.dropped", dropped, gossip, Gossip::overLimitItems, "reason", "rate_limited");
        counter("p2p.dropped", dropped, node, MeteredNode::droppedDeliveries, "reason", "subscriber_full");
        gauge("p2p.seen.cache.size", "Message ids in the gossip seen-cache", gossip, g -> g.seen().size());

        Mempool<?> mempool = node.mempool();
        gauge("p2p.mempool.size", "Transactions in the pool", mempool, Mempool::size);
        gauge("p2p.mempool.bytes", "Encoded bytes of the pooled transactions", mempool, Mempool::bytes);
        for (AddResult r : AddResult.values()) {
            if (r.accepted()) {
                counter("p2p.mempool.added", "Transactions the pool took, new or replacing", mempool,
                        m -> m.count(r), "result", lower(r));
            } else {
                counter("p2p.mempool.refused", "Transactions the pool refused, by reason", mempool,
                        m -> m.count(r), "reason", lower(r));
            }
        }
        counter("p2p.mempool.evicted", "Transactions evicted for better payers", mempool, Mempool::evicted);
        counter("p2p.mempool.expired", "Transactions dropped at their ttl", mempool, Mempool::expired);
        counter("p2p.mempool.removed", "Transactions removed as included", mempool, Mempool::removed);
        counter("p2p.transactions.malformed", "TX messages from peers that did not decode (rejected)", node,
                MeteredNode::malformedTransactions);

        RpcService rpc = node.rpc();
        if (rpc != null) {
            String requests = "Requests and streams between peers, by side";
            counter("p2p.rpc.requests", requests, rpc, RpcService::requestsSent, "side", "sent");
            counter("p2p.rpc.requests", requests, rpc, RpcService::requestsServed, "side", "served");
            counter("p2p.rpc.refused", "Peers' requests refused over a limit (in flight, per second)", rpc,
                    RpcService::refused);
            counter("p2p.rpc.no.handler", "Peers' requests of a type without a handler", rpc, RpcService::noHandler);
            counter("p2p.rpc.unknown.stream.frames", "Frames for streams that are not live, ignored", rpc,
                    RpcService::unknownStreamFrames);
        }
    }

    private <T> void gauge(String name, String description, T obj, ToDoubleFunction<T> f, String... tags) {
        Gauge.builder(name, obj, f).description(description).tags(common).tags(tags).register(registry);
    }

    private <T> void counter(String name, String description, T obj, ToDoubleFunction<T> f, String... tags) {
        FunctionCounter.builder(name, obj, f).description(description).tags(common).tags(tags).register(registry);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
