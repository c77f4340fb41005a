package io.reactivep2p.discovery;

import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.GetPeers;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.PeerAddress;
import io.reactivep2p.protocol.Peers;
import io.reactivep2p.runtime.NodeRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Finds peers and keeps the outbound slots full: the seeds, the {@link AddressBook}, peer
 * exchange (GET_PEERS / PEERS), and a dialer. A {@code P2pNode} runs one; applications reach
 * its address book through the node.
 *
 * <ul>
 *   <li><b>Learning.</b> A peer we dialled is marked good in the book (its entry moves to
 *       "tried"); an inbound peer's listen address (its IP, the port of its HELLO) is added as
 *       "new"; so are the addresses of PEERS answers, each with the answering peer as source.
 *       Entries carrying this node's own id are never added.</li>
 *   <li><b>Peer exchange.</b> Right after the handshake and every
 *       {@link DiscoverySettings#peerExchangeInterval()} the node asks each outbound peer for up to
 *       {@value Peers#MAX_PEERS} addresses, and each inbound peer too while it has fewer
 *       outbound peers than its target. It answers a peer's GET_PEERS with a random sample of
 *       good addresses from its book (never the asker, at most the count asked), at most once
 *       per half that interval per peer: further requests are dropped and counted. A PEERS
 *       answers the one outstanding request: an unsolicited PEERS is dropped without being
 *       decoded, and one with more entries than asked is cut to the count asked; both cost
 *       the sender {@value #BAD_PEERS_SCORE} misbehaviour points.</li>
 *   <li><b>Dialer.</b> Every {@link DiscoverySettings#dialInterval()}, and whenever a peer leaves, it
 *       dials until connected plus pending outbound peers reach
 *       {@link DiscoverySettings#outboundTarget()}: first the seeds never reached yet, then the book's
 *       picks — addresses of a network group not used by another outbound peer first, then any
 *       — skipping connected ids and addresses, banned ones, dials in progress and entries
 *       backing off; the seeds again when the book has nothing to offer. A failed dial backs
 *       the address off exponentially with jitter (seeds too); a dial that reaches this node
 *       itself removes the address.</li>
 *   <li><b>Rotation.</b> About every {@link DiscoverySettings#outboundRotation()}, while every
 *       outbound slot is taken and the book offers another address, one of the outbound peers
 *       the dialer took from the book (never a seed, never a peer the application dialled),
 *       chosen at random, is disconnected (REQUESTED) and its slot dialled afresh, so that the
 *       outbound graph keeps changing: it heals a network split in two once the link is back,
 *       and gives new nodes outbound slots.</li>
 *   <li><b>Persistence.</b> With {@link DiscoverySettings#addressBookFile()}, the book is loaded on
 *       start (a corrupt file is logged and ignored) and saved atomically every
 *       {@value #SAVE_INTERVAL_MINUTES} minutes and on stop.</li>
 * </ul>
 *
 * <p><b>Threading.</b> The dialer's state lives on one worker of the runtime's
 * {@link NodeRuntime#timers() timers};
 * message handling runs on the peer's event loop and hands its book work to that worker, so
 * no event loop ever scans or samples the book. Thread-safe.
 */
public final class Discovery {

    /** Misbehaviour points for an unsolicited PEERS, or one with more entries than asked. */
    public static final int BAD_PEERS_SCORE = 20;

    static final long SAVE_INTERVAL_MINUTES = 5;
    private static final Logger log = LoggerFactory.getLogger(Discovery.class);

    private final DiscoverySettings config;
    private final NodeId self;
    private final PeerManager peers;
    private final Dialer dialer;
    private final NodeRuntime runtime;
    private final AddressBook book;
    private final Scheduler.Worker worker;
    private final Map<Peer, Exchange> exchanges = new ConcurrentHashMap<>();
    private final AtomicLong admissions = new AtomicLong();
    private final List<Seed> seeds = new ArrayList<>();
    private final Set<InetSocketAddress> pending = new HashSet<>(); // worker only
    /** Connected peers the dialer took from the book (not seeds, not the application's own dials); worker only. */
    private final Set<Peer> fromBook = new LinkedHashSet<>(); // in order: rotation draws from it
    /** The address of the last outbound peer let go by rotation, and until when it is not redialled; worker only. */
    private InetSocketAddress rotatedOut;
    private long rotatedOutUntilMillis;
    private long nextRotationMillis; // worker only
    private final AtomicLong ignoredRequests = new AtomicLong();
    private final AtomicLong badAnswers = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private volatile boolean running;
    private volatile boolean loaded;
    private long lastSaveMillis;

    /** The exchange state with one peer; guarded by itself. */
    private static final class Exchange {
        /** Admission order: the tick asks in it (a run on virtual time asks as the same run did). */
        final long order;
        int asked;                       // count of the outstanding GET_PEERS; 0: none
        long lastAskMillis = Long.MIN_VALUE / 2;
        long lastAnswerMillis = Long.MIN_VALUE / 2;

        Exchange(long order) {
            this.order = order;
        }
    }

    /** How discovery dials: the node's dial ({@code P2pNode}). */
    @FunctionalInterface
    public interface Dialer {
        /**
         * Connects to {@code address} and emits the admitted peer, or errors.
         *
         * @param id the node id known for the address, or {@code null}
         * @param pinned whether only that id will do (a seed written {@code id@host:port}) or it
         *     is a hint that may be stale (the address book's)
         */
        Mono<Peer> dial(InetSocketAddress address, NodeId id, boolean pinned);
    }

    /** A configured seed and its backoff; worker only. */
    private static final class Seed {
        final InetSocketAddress address;
        boolean reached;
        boolean self;
        Peer peer;
        int failures;
        long retryAtMillis;

        Seed(InetSocketAddress address) {
            this.address = address;
        }

        boolean dialable(long now, Set<InetSocketAddress> pending) {
            return !self && retryAtMillis <= now && (peer == null || !peer.isActive()) && !pending.contains(address);
        }
    }

    /**
     * @param settings seeds, target, intervals, book settings and file
     * @param self this node's id: never added to the book, never dialled
     * @param peers the node's peers: connected ids and addresses, bans, scores
     * @param dialer connects to an address, given the node id known for it if any, and emits the
     *     admitted peer ({@code P2pNode}'s dial: Noise IK under a known id, XX once more if that
     *     fails)
     * @param runtime the wall clock (the book keeps its milliseconds, and saves them), the
     *     random source of jitter and rotation, the secure random of the book's key, the timers
     *     the dialer runs on and the blocking scheduler the book is saved on
     */
    public Discovery(DiscoverySettings settings, NodeId self, PeerManager peers,
                     Dialer dialer, NodeRuntime runtime) {
        this.config = Objects.requireNonNull(settings, "settings");
        this.self = Objects.requireNonNull(self, "self");
        this.peers = Objects.requireNonNull(peers, "peers");
        this.dialer = Objects.requireNonNull(dialer, "dialer");
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.book = new AddressBook(settings.addressBook(), runtime.secureRandom());
        this.worker = runtime.timers().createWorker();
        settings.seeds().forEach(s -> seeds.add(new Seed(s)));
    }

    /** The address book. */
    public AddressBook addressBook() {
        return book;
    }

    /** GET_PEERS dropped by the per-peer answer limit. */
    public long ignoredRequests() {
        return ignoredRequests.get();
    }

    /** Outbound peers let go by {@link DiscoverySettings#outboundRotation()}. */
    public long rotations() {
        return rotations.get();
    }

    /** PEERS that were unsolicited or longer than asked. */
    public long badAnswers() {
        return badAnswers.get();
    }

    /** Loads the book from its file, if configured. Blocking I/O: call off the event loops. */
    public void load() {
        loaded = true;
        config.addressBookFile().ifPresent(file -> {
            int n = book.load(file);
            log.info("address book: {} entries loaded from {}", n, file);
        });
    }

    /** Dials every seed, then runs the dialer periodically. */
    public void start() {
        running = true;
        lastSaveMillis = runtime.currentTimeMillis();
        nextRotationMillis = lastSaveMillis + rotationWait();
        run(() -> {
            long now = runtime.currentTimeMillis();
            for (Seed seed : seeds) {
                if (seed.dialable(now, pending)) {
                    dial(seed.address, seed);
                }
            }
        });
        long interval = config.dialInterval().toNanos();
        worker.schedulePeriodically(this::tick, interval, interval, TimeUnit.NANOSECONDS);
    }

    /** Stops dialling and asking; dials in progress complete or fail on their own. */
    public void stop() {
        running = false;
        worker.dispose();
    }

    /**
     * Called as a peer is admitted (inside admission: quick, non-blocking). Learns its
     * address, and asks it for addresses when the rules above say so.
     */
    public void onAdmitted(Peer peer) {
        exchanges.put(peer, new Exchange(admissions.getAndIncrement()));
        peer.onClose().subscribe(why -> {
            exchanges.remove(peer);
            if (peer.direction() == Direction.OUTBOUND) {
                run(this::tick); // an outbound slot is free: refill it now rather than at the next tick
            }
        });
        run(() -> {
            long now = runtime.currentTimeMillis();
            if (peer.direction() == Direction.OUTBOUND) {
                book.markGood(peer.remoteAddress(), peer.id(), now);
            } else {
                peer.listenAddress().ifPresent(a -> book.add(a, peer.id(), peer.remoteAddress().getAddress(), now));
            }
            if (shouldAsk(peer)) {
                ask(peer, now);
            }
        });
    }

    /** Whether {@code type} is handled here (GET_PEERS and PEERS). */
    public static boolean handles(MessageType type) {
        return type.equals(MessageType.MsgGetPeers) || type.equals(MessageType.MsgPeers);
    }

    /**
     * Handles a GET_PEERS or PEERS from {@code peer}; runs on its event loop.
     *
     * @throws io.reactivep2p.protocol.ProtocolException for a malformed payload: the caller
     *     treats it as any protocol error (DISCONNECT, score)
     */
    public void onMessage(Peer peer, Message message) {
        Exchange ex = exchanges.get(peer);
        if (ex == null) {
            return; // the peer has gone
        }
        long now = runtime.currentTimeMillis();
        if (message.type().equals(MessageType.MsgGetPeers)) {
            int max = GetPeers.decode(message).max();
            synchronized (ex) {
                if (now - ex.lastAnswerMillis < config.peerExchangeInterval().toMillis() / 2) {
                    ignoredRequests.incrementAndGet();
                    return;
                }
                ex.lastAnswerMillis = now;
            }
            run(() -> answer(peer, max));
        } else if (message.type().equals(MessageType.MsgPeers)) {
            int asked;
            synchronized (ex) {
                asked = ex.asked;
                ex.asked = 0;
            }
            if (asked == 0) {
                misbehaved(peer, "unsolicited PEERS"); // not even decoded
                return;
            }
            List<PeerAddress> addresses = Peers.decode(message).peers();
            if (addresses.size() > asked) {
                misbehaved(peer, "PEERS with " + addresses.size() + " entries, " + asked + " asked");
                addresses = addresses.subList(0, asked);
            }
            List<PeerAddress> learnt = addresses;
            InetAddress source = peer.remoteAddress().getAddress();
            run(() -> learn(learnt, source));
        }
    }

    // ---- worker ----

    private void tick() {
        if (!running) {
            return;
        }
        try {
            long now = runtime.currentTimeMillis();
            fill(now);
            rotate(now);
            List<Map.Entry<Peer, Exchange>> inOrder = new ArrayList<>(exchanges.entrySet());
            inOrder.sort(Comparator.comparingLong(e -> e.getValue().order));
            for (Map.Entry<Peer, Exchange> e : inOrder) {
                Exchange ex = e.getValue();
                boolean due;
                synchronized (ex) {
                    due = now - ex.lastAskMillis >= config.peerExchangeInterval().toMillis();
                }
                if (due && shouldAsk(e.getKey())) {
                    ask(e.getKey(), now);
                }
            }
            if (now - lastSaveMillis >= TimeUnit.MINUTES.toMillis(SAVE_INTERVAL_MINUTES)) {
                lastSaveMillis = now;
                runtime.blocking().schedule(this::save);
            }
        } catch (RuntimeException e) {
            log.warn("discovery tick failed", e);
        }
    }

    private void fill(long now) {
        int free = config.outboundTarget() - peers.outboundCount() - pending.size();
        for (Seed seed : seeds) {
            if (free > 0 && !seed.reached && seed.dialable(now, pending)) {
                dial(seed.address, seed);
                free--;
            }
        }
        if (free <= 0) {
            return;
        }
        Set<InetSocketAddress> connected = connectedAddresses();
        Set<Long> groups = new HashSet<>();
        for (Peer p : peers.peers()) {
            if (p.direction() == Direction.OUTBOUND) {
                groups.add(NetworkGroup.of(p.remoteAddress().getAddress()));
            }
        }
        for (InetSocketAddress a : pending) {
            if (!a.isUnresolved()) {
                groups.add(NetworkGroup.of(a.getAddress()));
            }
        }
        while (free > 0) {
            Optional<InetSocketAddress> pick = book.select(now, (a, id) -> skip(a, id, connected)
                    || groups.contains(NetworkGroup.of(a.getAddress())));
            if (pick.isEmpty()) {
                pick = book.select(now, (a, id) -> skip(a, id, connected));
            }
            if (pick.isEmpty()) {
                log.debug("{}: {} outbound slots free, {} dials pending, nothing to dial in a book of {}",
                        self.shortHex(), free, pending.size(), book.size());
                break;
            }
            groups.add(NetworkGroup.of(pick.get().getAddress()));
            dial(pick.get(), null);
            free--;
        }
        for (Seed seed : seeds) {
            if (free > 0 && seed.dialable(now, pending)) {
                dial(seed.address, seed);
                free--;
            }
        }
    }

    /**
     * Lets one outbound peer go, at random, when the rotation is due and every slot is taken,
     * provided the book has another address to dial: the slot is refilled at once by the
     * peer's departure, and the address let go is not redialled before the next rotation. Only
     * peers the dialer took from the book go: never a seed, never a peer the application
     * dialled itself ({@code P2pNode.connect}).
     */
    private void rotate(long now) {
        if (config.outboundRotation().isZero() || now < nextRotationMillis) {
            return;
        }
        nextRotationMillis = now + rotationWait();
        if (config.outboundTarget() == 0 || peers.outboundCount() < config.outboundTarget()) {
            return;
        }
        Set<InetSocketAddress> connected = connectedAddresses();
        List<Peer> outbound = new ArrayList<>();
        for (Peer p : fromBook) {
            if (p.isActive()) {
                outbound.add(p);
            }
        }
        if (outbound.isEmpty() || book.select(now, (a, id) -> skip(a, id, connected)).isEmpty()) {
            return;
        }
        Peer out = outbound.get(runtime.random().nextInt(outbound.size()));
        rotatedOut = out.remoteAddress();
        rotatedOutUntilMillis = nextRotationMillis;
        rotations.incrementAndGet();
        log.debug("rotating outbound peer {} out", out);
        out.disconnect(DisconnectReason.REQUESTED, "outbound rotation").subscribe();
    }

    /** The remote and listen addresses of the connected peers: not to be dialled. */
    private Set<InetSocketAddress> connectedAddresses() {
        Set<InetSocketAddress> connected = new HashSet<>();
        for (Peer p : peers.peers()) {
            connected.add(p.remoteAddress());
            p.listenAddress().ifPresent(connected::add);
        }
        return connected;
    }

    private long rotationWait() {
        long interval = config.outboundRotation().toMillis();
        return interval / 2 + runtime.random().nextLong(interval + 1);
    }

    private boolean skip(InetSocketAddress address, NodeId id, Set<InetSocketAddress> connected) {
        return pending.contains(address)
                || (address.equals(rotatedOut) && runtime.currentTimeMillis() < rotatedOutUntilMillis)
                || connected.contains(address)
                || peers.isBanned(address.getAddress())
                || (id != null && (id.equals(self) || peers.peer(id) != null || peers.isBanned(id)));
    }

    private void dial(InetSocketAddress address, Seed seed) {
        pending.add(address);
        log.debug("{} dialling {}{}", self.shortHex(), address, seed != null ? " (seed)" : "");
        NodeId pinned = seed != null ? config.seedIds().get(address) : null;
        NodeId known = seed != null ? pinned : book.entry(address).map(AddressBook.Entry::nodeId).orElse(null);
        dialer.dial(address, known, pinned != null).subscribe(
                peer -> run(() -> {
                    pending.remove(address);
                    if (seed == null && peer.isActive()) {
                        fromBook.add(peer);
                        peer.onClose().subscribe(why -> run(() -> fromBook.remove(peer)));
                    }
                    if (seed != null) {
                        seed.reached = true;
                        seed.peer = peer;
                        seed.failures = 0;
                    }
                }),
                error -> run(() -> {
                    pending.remove(address);
                    dialFailed(address, seed, error);
                }));
    }

    private void dialFailed(InetSocketAddress address, Seed seed, Throwable error) {
        long now = runtime.currentTimeMillis();
        boolean itself = error instanceof PeerException pe && pe.reason() == DisconnectReason.SELF_CONNECTION;
        log.debug("{}: dial to {} failed: {}", self.shortHex(), address, error.toString());
        if (itself) {
            book.remove(address);
        } else {
            book.markFailed(address, now);
        }
        if (seed != null) {
            seed.self = itself;
            // The seed's node is connected already, by a connection it dialled: reached.
            seed.reached |= error instanceof PeerException pe && pe.reason() == DisconnectReason.DUPLICATE_CONNECTION;
            seed.failures++;
            seed.retryAtMillis = now + config.addressBook().backoffMillis(seed.failures, runtime.random());
            if (!seed.reached) {
                log.info("seed {} not reached ({}), retrying in {} ms", address, error.getMessage(), seed.retryAtMillis - now);
            }
        }
    }

    private boolean shouldAsk(Peer peer) {
        return peer.direction() == Direction.OUTBOUND || peers.outboundCount() < config.outboundTarget();
    }

    private void ask(Peer peer, long now) {
        Exchange ex = exchanges.get(peer);
        if (ex == null) {
            return;
        }
        synchronized (ex) {
            ex.asked = Peers.MAX_PEERS;
            ex.lastAskMillis = now;
        }
        peer.offer(new GetPeers(Peers.MAX_PEERS).toMessage());
    }

    private void answer(Peer peer, int max) {
        List<PeerAddress> sample = book.sample(max, peer.listenAddress().orElse(null), peer.id());
        peer.offer(new Peers(sample).toMessage());
    }

    private void learn(List<PeerAddress> addresses, InetAddress source) {
        long now = runtime.currentTimeMillis();
        for (PeerAddress a : addresses) {
            if (!a.nodeId().equals(self)) {
                book.add(new InetSocketAddress(a.address(), a.port()), a.nodeId(), source, now);
            }
        }
    }

    private void misbehaved(Peer peer, String why) {
        badAnswers.incrementAndGet();
        peers.misbehaved(peer.id(), peer.remoteAddress().getAddress(), BAD_PEERS_SCORE, why);
    }

    /**
     * Saves the book to its file, if configured and once {@link #load() loaded} (a node that
     * never started does not overwrite its file). Blocking I/O: call off the event loops.
     */
    public void save() {
        Optional<Path> file = config.addressBookFile();
        if (file.isPresent() && loaded) {
            try {
                book.save(file.get());
            } catch (IOException | RuntimeException e) {
                log.warn("could not save the address book to {}: {}", file.get(), e.toString());
            }
        }
    }

    /** Runs {@code task} on the worker; dropped once stopped. */
    private void run(Runnable task) {
        if (!running) {
            return;
        }
        try {
            worker.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("discovery task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // stopped meanwhile
        }
    }
}
