package io.reactivep2p.gossip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.runtime.TokenBucket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;

/**
 * Gossip: every data message a peer sends is deduplicated, validated, delivered to this node's
 * subscribers and relayed to its other peers, once.
 *
 * <ol>
 *   <li><b>Rate.</b> Each peer's messages are handled at most {@link GossipSettings#gossipRate()}
 *       per second (bursts of twice that). Beyond, a message waits its turn on the peer's event
 *       loop (a timer there; it is then handled there, after the ones before it); while
 *       {@value #MAX_PENDING_VALIDATIONS} of that peer's messages wait (for their turn or a
 *       verdict) the node stops reading it. A flood is slowed down, not dropped.</li>
 *   <li><b>Dedup.</b> The message's {@link MessageIds#dedupKey dedup key} (a keyed xxHash64,
 *       seed random per run) is marked in the {@link SeenCache}; a repeat is counted and
 *       dropped.</li>
 *   <li><b>Validation.</b> The validator registered for the type, if any, returns a
 *       {@code Mono<Validation>}: {@link Validation#ACCEPT} goes on, {@link Validation#IGNORE}
 *       drops, {@link Validation#REJECT} drops and costs the sender
 *       {@value #INVALID_MESSAGE_SCORE} misbehaviour points. A validator that errors counts as
 *       IGNORE. A value already there ({@code Mono.just}) is read at once; otherwise the node
 *       reads on from that peer while fewer than {@value #MAX_PENDING_VALIDATIONS} of its
 *       messages await their verdict, then stops reading it (TCP pushes back on that peer
 *       alone). Nothing unvalidated is ever relayed.</li>
 *   <li><b>Delivery and relay.</b> An accepted message goes to {@code node.messages(type)} and
 *       to every other peer ({@link GossipSettings#relayFanout()} 0), or to that many peers
 *       chosen at random. The frame is encoded once and its buffer shared by every peer's
 *       queue (peers with LZ4 on get large payloads compressed for them). A peer whose
 *       queue is full does not get it: the drop is counted, and a peer that stays full is
 *       disconnected as slow by its connection.</li>
 *   <li><b>Large messages</b> (from {@link GossipSettings#largeMessageThreshold()}) are announced
 *       instead: peers get an INV with the content hash and fetch the message with GET_DATA
 *       from the first peer that announced it, so each node receives about one copy. See
 *       {@link Announcements} for the request, cache and rate-limit rules.</li>
 * </ol>
 *
 * <p>Types in {@link GossipSettings#directTypes()} skip all this: they are delivered as they
 * arrive and never relayed (request/response protocols between two peers).
 *
 * <p><b>Threading.</b> Runs on the event loop of the peer a message came from, or on the
 * thread that completes an asynchronous validator; thread-safe.
 */
public final class Gossip {

    /** Misbehaviour points for a message its validator REJECTed. */
    public static final int INVALID_MESSAGE_SCORE = 25;

    /** Messages of one peer awaiting an asynchronous verdict before the node stops reading that peer. */
    public static final int MAX_PENDING_VALIDATIONS = 256;

    private static final Logger log = LoggerFactory.getLogger(Gossip.class);

    private final GossipSettings config;
    private final FrameSettings frameSettings;
    private final PeerManager peers;
    private final Consumer<PeerMessage> deliver;
    private final NodeRuntime runtime;
    private final MessageIds ids;
    private final SeenCache seen;
    private final Map<MessageType, Function<PeerMessage, Mono<Validation>>> validators = new ConcurrentHashMap<>();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder ignored = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder relayed = new LongAdder();
    private final LongAdder relayDrops = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final Announcements announcements;
    /** Each peer's {@link GossipSettings#gossipRate()}, in messages, on the runtime's ticker. */
    private final Map<Peer, TokenBucket> rates = new ConcurrentHashMap<>();
    private volatile Disposable expiry;

    /**
     * @param settings seen-cache size and ttl, relay fan-out, rate, large messages, direct types
     * @param frames the largest message, the compression threshold
     * @param peers where messages are relayed, and who is scored
     * @param deliver hands an accepted message to the node's subscribers
     * @param runtime the ticker of expiry and rate limits, the random source of relay fan-out,
     *     the secure random of the message-id seed, the timers of expiry and rate-limit waits
     */
    public Gossip(GossipSettings settings, FrameSettings frames, PeerManager peers, Consumer<PeerMessage> deliver,
                  NodeRuntime runtime) {
        this.config = Objects.requireNonNull(settings, "settings");
        this.frameSettings = Objects.requireNonNull(frames, "frames");
        this.peers = Objects.requireNonNull(peers, "peers");
        this.deliver = Objects.requireNonNull(deliver, "deliver");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.ids = MessageIds.withSeed(runtime.secureRandom().nextLong());
        this.seen = SeenCache.create(settings.seenCacheSize(), settings.seenCacheTtl(), runtime::nanoTime);
        this.announcements = new Announcements(settings, peers, runtime::nanoTime);
    }

    /** Starts expiring the seen-caches and stale fetches by time, even when no message arrives. */
    public void start() {
        long period = Math.min(config.seenCacheTtl().dividedBy(4).toNanos(), TimeUnit.SECONDS.toNanos(1));
        expiry = runtime.timers().schedulePeriodically(() -> {
            seen.expire();
            announcements.expire();
        }, period, period, TimeUnit.NANOSECONDS);
    }

    /** Called as a peer is admitted: sets up its rate limits (gossip, INV and GET_DATA). */
    public void onAdmitted(Peer peer) {
        announcements.onAdmitted(peer);
        int rate = config.gossipRate();
        if (rate > 0) {
            rates.put(peer, new TokenBucket(rate, 2.0 * rate, runtime.nanoTime()));
        }
    }

    /**
     * Called once the messages of a peer that left have all been handed to
     * {@link #onMessage}: drops its gossip rate limit. (Not at the close itself: messages read
     * before it may still be on their way, and stay under the limit.)
     */
    public void onInboundDone(Peer peer) {
        rates.remove(peer);
    }

    /** Stops the expiry timer. (Messages waiting under a rate limit go with their event loops.) */
    public void stop() {
        Disposable d = expiry;
        if (d != null) {
            d.dispose();
        }
    }

    /**
     * Sets the validator of {@code type} (replacing any); {@code null} removes it. See the class
     * comment for what each {@link Validation} does.
     */
    public void validator(MessageType type, Function<PeerMessage, Mono<Validation>> validator) {
        Objects.requireNonNull(type, "type");
        if (validator == null) {
            validators.remove(type);
        } else {
            validators.put(type, validator);
        }
    }

    /**
     * Handles a data message from {@code from}. Completes when it is handled: at once unless an
     * asynchronous validator is still deciding.
     */
    public Mono<Void> onMessage(Peer from, Message message) {
        MessageType type = message.type();
        if (type.equals(MessageType.MsgInv)) {
            announcements.onInv(from, message);
            return Mono.empty();
        }
        if (type.equals(MessageType.MsgGetData)) {
            announcements.onGetData(from, message);
            return Mono.empty();
        }
        if (config.isDirect(type)) {
            deliver.accept(new PeerMessage(from, message));
            return Mono.empty();
        }
        TokenBucket rate = rates.get(from);
        long wait = rate == null ? 0 : rate.reserve(runtime.nanoTime());
        if (wait > 0) {
            throttled.increment();
            return after(from.eventLoop(), wait)
                    .then(Mono.defer(() -> gossip(from, message)))
                    .onErrorResume(RejectedExecutionException.class, e -> Mono.empty()); // stopping
        }
        return gossip(from, message);
    }

    /**
     * Completes on {@code loop} {@code nanos} from now. A peer's messages arrive on its event
     * loop and their reserved turns only grow, so its waiting messages are handled there in the
     * order they arrived; they hold no thread while they wait, and a flooding peer's backlog is
     * handled by the loop that reads it, like its other messages. Errors with a
     * {@link RejectedExecutionException} once the loop is shutting down.
     */
    private static Mono<Void> after(EventLoop loop, long nanos) {
        return Mono.create(sink -> {
            ScheduledFuture<?> turn = loop.schedule(() -> sink.success(), nanos, TimeUnit.NANOSECONDS);
            sink.onCancel(() -> turn.cancel(false));
        });
    }

    /** Dedup, validation, delivery and relay of a gossip message. */
    private Mono<Void> gossip(Peer from, Message message) {
        MessageType type = message.type();
        if (!seen.markSeen(ids.dedupKey(message))) {
            duplicates.increment();
            return Mono.empty();
        }
        PeerMessage pm = new PeerMessage(from, message);
        ContentHash hash = announcements.isLarge(message) ? announcements.arrived(from, message) : null;
        Function<PeerMessage, Mono<Validation>> validator = validators.get(type);
        if (validator == null) {
            accept(pm, hash);
            return Mono.empty();
        }
        Mono<Validation> verdict;
        try {
            verdict = Objects.requireNonNull(validator.apply(pm), "the validator returned null");
            if (verdict instanceof Fuseable.ScalarCallable<?> ready) { // Mono.just, Mono.empty: no subscription
                apply(pm, (Validation) ready.call(), hash);
                return Mono.empty();
            }
        } catch (Exception e) {
            validatorFailed(pm, e);
            return Mono.empty();
        }
        return verdict
                .doOnNext(v -> apply(pm, v, hash))
                .switchIfEmpty(Mono.fromRunnable(() -> apply(pm, null, hash)))
                .onErrorResume(e -> {
                    validatorFailed(pm, e);
                    return Mono.empty();
                })
                .then();
    }

    private void apply(PeerMessage pm, Validation verdict, ContentHash hash) {
        if (verdict == Validation.ACCEPT) {
            accept(pm, hash);
        } else if (verdict == Validation.REJECT) {
            rejected.increment();
            Peer p = pm.peer();
            log.debug("{} rejected from {}", pm.message(), p);
            peers.misbehaved(p.id(), p.remoteAddress().getAddress(), INVALID_MESSAGE_SCORE,
                    "invalid " + pm.message().type());
        } else {
            ignored.increment(); // IGNORE, or no verdict
        }
    }

    private void validatorFailed(PeerMessage pm, Throwable e) {
        ignored.increment();
        log.warn("validator of {} failed on a message from {}; ignoring it", pm.message().type(), pm.peer(), e);
    }

    private void accept(PeerMessage pm, ContentHash hash) {
        accepted.increment();
        deliver.accept(pm);
        relay(pm.message(), pm.peer(), hash);
    }

    /**
     * Sends a message of this node to its peers (a random {@link GossipSettings#relayFanout()} of
     * them when set). The message is marked seen first, so its echoes are dropped; a message
     * this node has already seen is not sent again ({@code queued} 0). It is not delivered to
     * this node's own subscribers.
     */
    public BroadcastResult broadcast(Message message) {
        Objects.requireNonNull(message, "message");
        if (message.payloadLength() > frameSettings.maxMessageLength()) {
            throw new IllegalArgumentException("payload of " + message.payloadLength()
                    + " bytes is above the maximum message length " + frameSettings.maxMessageLength());
        }
        boolean direct = config.isDirect(message.type());
        if (!direct && !seen.markSeen(ids.dedupKey(message))) {
            return new BroadcastResult(0, 0);
        }
        return relay(message, null, !direct && announcements.isLarge(message) ? announcements.own(message) : null);
    }

    /** Relays to the targets: the frame, or for a large message (its {@code hash} given) an INV. */
    private BroadcastResult relay(Message message, Peer except, ContentHash hash) {
        if (hash != null) {
            announcements.keep(hash, message);
        }
        List<Peer> targets = targets(peers.peers(), except);
        if (targets.isEmpty()) {
            return new BroadcastResult(0, 0);
        }
        if (hash != null) {
            Message inv = announcements.inv(message, hash);
            int queued = 0;
            for (Peer p : targets) {
                queued += p.offer(inv) ? 1 : 0;
            }
            relayed.add(queued);
            relayDrops.add(targets.size() - queued);
            return new BroadcastResult(queued, targets.size() - queued);
        }
        boolean compressible = message.payloadLength() >= frameSettings.compressionThreshold();
        ByteBuf frame = FrameCodec.encode(ByteBufAllocator.DEFAULT, frameSettings, message, false);
        int queued = 0;
        int dropped = 0;
        try {
            for (Peer p : targets) {
                boolean ok = compressible && p.lz4()
                        ? p.offer(message) // compressed on its event loop, for this peer
                        : p.outboundQueue().offerFrame(frame.retainedDuplicate());
                if (ok) {
                    queued++;
                } else {
                    dropped++;
                }
            }
        } finally {
            frame.release();
        }
        relayed.add(queued);
        relayDrops.add(dropped);
        return new BroadcastResult(queued, dropped);
    }

    private List<Peer> targets(Collection<Peer> all, Peer except) {
        List<Peer> targets = new ArrayList<>(all.size());
        for (Peer p : all) {
            if (p != except && p.isActive()) {
                targets.add(p);
            }
        }
        int fanout = config.relayFanout();
        if (fanout > 0 && targets.size() > fanout) {
            RandomGenerator random = runtime.random();
            for (int i = 0; i < fanout; i++) { // a partial Fisher-Yates shuffle
                int j = i + random.nextInt(targets.size() - i);
                Peer t = targets.get(i);
                targets.set(i, targets.get(j));
                targets.set(j, t);
            }
            return targets.subList(0, fanout);
        }
        return targets;
    }

    /** The node's message ids (its dedup keys). */
    public MessageIds ids() {
        return ids;
    }

    /** The seen-cache. */
    public SeenCache seen() {
        return seen;
    }

    /** Repeats dropped. */
    public long duplicates() {
        return duplicates.sum();
    }

    /** First sightings accepted (delivered and relayed). */
    public long accepted() {
        return accepted.sum();
    }

    /** First sightings a validator ignored (or failed on). */
    public long ignored() {
        return ignored.sum();
    }

    /** First sightings a validator rejected. */
    public long rejected() {
        return rejected.sum();
    }

    /** Copies queued to peers, relays and broadcasts. */
    public long relayed() {
        return relayed.sum();
    }

    /** Copies not queued because a peer's queue was full. */
    public long relayDrops() {
        return relayDrops.sum();
    }

    /** Large messages announced with INV (relayed or broadcast). */
    public long announced() {
        return announcements.announced.sum();
    }

    /** Content hashes asked for with GET_DATA. */
    public long fetched() {
        return announcements.fetched.sum();
    }

    /** Large messages sent in answer to GET_DATA. */
    public long served() {
        return announcements.served.sum();
    }

    /** GET_DATA items for hashes this node does not hold (answered with nothing). */
    public long unknownRequests() {
        return announcements.unknownRequests.sum();
    }

    /**
     * INV items not asked for because their announcer already had
     * {@value Announcements#MAX_PENDING_PER_PEER} hashes being fetched from it.
     */
    public long fetchesOverPeerCap() {
        return announcements.perPeerFull.sum();
    }

    /** Large messages that arrived without this node asking that peer for them (handled as pushes). */
    public long unsolicitedLarge() {
        return announcements.unsolicited.sum();
    }

    /**
     * Gossip messages that arrived over their peer's {@link GossipSettings#gossipRate()} and
     * waited their turn.
     */
    public long throttled() {
        return throttled.sum();
    }

    /** INV and GET_DATA items dropped by the per-peer rate limits. */
    public long overLimitItems() {
        return announcements.overLimit.sum();
    }
}
