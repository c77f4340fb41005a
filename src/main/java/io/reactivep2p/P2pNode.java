package io.reactivep2p;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.reactivep2p.discovery.Discovery;
import io.reactivep2p.discovery.DiscoverySettings;
import io.reactivep2p.gossip.BroadcastResult;
import io.reactivep2p.gossip.Gossip;
import io.reactivep2p.gossip.Validation;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Mempool;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.metrics.MeteredNode;
import io.reactivep2p.noise.StaticStaticCache;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerException;
import io.reactivep2p.peer.PeerEvent;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.peer.PeerHandlers;
import io.reactivep2p.peer.RpcService;
import io.reactivep2p.protocol.Disconnect;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameDecoder;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.ProtocolException;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.runtime.Transport;
import io.reactivep2p.transport.ByteCounter;
import io.reactivep2p.transport.PipelineNames;
import io.reactivep2p.transport.SecureChannelHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.reactivestreams.Publisher;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A peer-to-peer node: listens for peers, dials them, runs the handshake and keepalive, and
 * delivers what peers send.
 *
 * <pre>{@code
 * import static io.reactivep2p.protocol.MessageType.MsgTx;
 *
 * P2pNode node = P2pNode.create(NodeConfig.builder().listenPort(3000).seeds("10.0.0.5:3000").build());
 * node.messages(MsgTx).subscribe(m -> handle(m.peer(), m.message()));   // hot; may subscribe before start
 * node.start().block();
 * node.send(peer, Message.of(MsgTx, bytes)).subscribe();
 * node.close();
 * }</pre>
 *
 * <p><b>Threading.</b> The node runs on its own event loops
 * ({@link io.reactivep2p.transport.TransportSettings#eventLoopThreads()} daemon threads, made by
 * its {@link NodeConfig#runtime() runtime}'s transport); its timers run on the runtime's
 * {@link NodeRuntime#timers() timers}. Every method is thread-safe and non-blocking, and returns a lazy
 * {@code Mono}/{@code Flux} where it does I/O. Subscribers' callbacks run on the event loop
 * of the peer concerned: hand slow work to another scheduler ({@code publishOn}).
 *
 * <p><b>Lifecycle.</b> {@link #start()} once; {@link #stop()} (or {@link #close()}) sends
 * DISCONNECT to every peer, closes every connection and the listener, completes every
 * message and event stream, and shuts the event loops down.
 */
public final class P2pNode implements AutoCloseable, MeteredNode {

    private static final Logger log = LoggerFactory.getLogger(P2pNode.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The largest buffer one socket read fills. Netty's default is 64 KiB; a bulk stream of
     * megabyte messages takes a quarter of the reads (and of their system calls) with 256 KiB.
     * Read buffers are sized adaptively from 2 KiB and live only while their bytes are being
     * decoded: an idle connection holds none.
     */
    private static final int MAX_READ_BYTES = 256 * 1024;

    private final NodeConfig config;
    private final NodeRuntime runtime;
    private final Transport transport;
    private final long nonce;
    private final PeerManager peers;
    private final Discovery discovery;
    private final Gossip gossip;
    private final Mempool<Transaction> mempool;
    private final TxAdmission txAdmission;
    /** Peers whose static-static agreement a node keeps: 1,024 × about 150 bytes. */
    private static final int STATIC_STATIC_PEERS = 1024;
    private final LoopResources loops;
    /** IK's static-static agreements with the peers met, for this node's identity (secure channel). */
    private final StaticStaticCache staticStatic;
    /** What every dial shares, configured once: not pooled (a peer owns its connection), the loops, the options. */
    private final TcpClient dialer;
    private final PeerHandlers handlers;
    private final RpcService rpc;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    /** Open channels, in the order they opened (closed in it at stop: a simulated run stays the same run). */
    private final Set<Channel> channels = Collections.synchronizedSet(new LinkedHashSet<>());
    private final AtomicLong unknownFrames = new AtomicLong();
    private final AtomicLong droppedDeliveries = new AtomicLong();
    private final ByteCounter bytes = new ByteCounter();
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private volatile DisposableServer server;
    private volatile int listenPort;

    private enum State { NEW, STARTING, STARTED, STOPPED }

    /**
     * A {@link #messages} subscriber: its type filter, its sink, and the payload bytes buffered
     * for it. A class, not a record: removed by identity, and the first removal does not link
     * a record's {@code equals} (tens of milliseconds on the event loop of a fresh JVM).
     */
    private static final class Subscriber {
        final MessageType type;
        final FluxSink<PeerMessage> sink;
        final AtomicLong bufferedBytes;

        Subscriber(MessageType type, FluxSink<PeerMessage> sink, AtomicLong bufferedBytes) {
            this.type = type;
            this.sink = sink;
            this.bufferedBytes = bufferedBytes;
        }
    }

    private P2pNode(NodeConfig config) {
        this.config = config;
        this.runtime = config.runtime();
        this.transport = runtime.transport();
        this.nonce = nonZero(runtime.secureRandom());
        this.peers = new PeerManager(config.nodeId(), nonce, config.peer(), runtime, this::onAdmitted);
        this.discovery = new Discovery(config.discovery(), config.nodeId(), peers, this::dialKnown, runtime);
        this.gossip = new Gossip(config.gossip(), config.frameSettings(), peers, this::deliver, runtime);
        this.mempool = new Mempool<>(config.mempool(), runtime.ticker()::nanoTime);
        this.txAdmission = new TxAdmission(mempool);
        gossip.validator(MessageType.MsgTx, txAdmission::validate);
        this.rpc = new RpcService(config.rpc(), peers);
        this.handlers = new PeerHandlers(config.peer(), config.transport(), config.frameSettings(), peers,
                config.metrics(), runtime.random(), unknownFrames, rpc);
        this.staticStatic = new StaticStaticCache(config.identity().keyPair(), STATIC_STATIC_PEERS);
        this.loops = transport.loops("p2p-" + config.nodeId().shortHex(), config.transport().eventLoopThreads());
        this.dialer = transport.dialer(TcpClient.newConnection())
                .runOn(loops)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, writeBufferWaterMark())
                .option(ChannelOption.RCVBUF_ALLOCATOR, readBuffers())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.peer().handshakeTimeout().toMillis()));
        config.metrics().bindTo(this);
    }

    /** A node that is not started yet. */
    public static P2pNode create(NodeConfig config) {
        return new P2pNode(Objects.requireNonNull(config, "config"));
    }

    /** This node's id. */
    public NodeId id() {
        return config.nodeId();
    }

    /** The configuration. */
    public NodeConfig config() {
        return config;
    }

    /**
     * Loads the address book (if {@link io.reactivep2p.discovery.DiscoverySettings#addressBookFile() persisted}), binds the
     * listener, dials the seeds and starts discovery. Emits this node once it listens (peers
     * are found in the background; failed dials are logged and retried with backoff). Errors
     * if already started or if the port cannot be bound.
     */
    public Mono<P2pNode> start() {
        return Mono.defer(() -> {
            if (!state.compareAndSet(State.NEW, State.STARTING)) {
                return Mono.error(new IllegalStateException("node was already started"));
            }
            TcpServer listener = transport.listen(TcpServer.create().runOn(loops), config.listenHost(),
                    config.listenPort());
            return Mono.fromRunnable(discovery::load).subscribeOn(runtime.blocking()).then(listener
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, writeBufferWaterMark())
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, readBuffers())
                    .doOnConnection(this::onInbound)
                    .handle((in, out) -> out.neverComplete())
                    .bind()
                    .doOnError(e -> state.compareAndSet(State.STARTING, State.NEW))
                    .map(bound -> {
                        InetSocketAddress address = transport.address(bound.channel().localAddress());
                        listenPort = address.getPort();
                        server = bound;
                        warmUpAllocator(bound.channel());
                        if (!state.compareAndSet(State.STARTING, State.STARTED)) {
                            bound.dispose();
                            throw new IllegalStateException("node was stopped while starting");
                        }
                        log.info("node {} listening on {}", config.nodeId().shortHex(), address);
                        discovery.start();
                        gossip.start();
                        txAdmission.start(runtime.timers());
                        return this;
                    }));
        });
    }

    /**
     * Takes the one-time cost of the buffer allocator at start rather than on the first
     * connection's handshake: Netty's first buffer sets up its allocator and, where Java Flight
     * Recorder is available, the allocator's JFR event types (100-200 ms on a 2-core machine,
     * unless {@code -Dio.netty.jfr.enabled=false}).
     */
    private static void warmUpAllocator(Channel listener) {
        listener.alloc().directBuffer(FrameCodec.HEADER_LENGTH).release(); // the allocator the peers' channels use
    }

    /**
     * Whether the node is running: {@link #start()} has completed and {@link #stop()} has not
     * been called. A node runs once; it cannot be started again after a stop.
     */
    public boolean isRunning() {
        return state.get() == State.STARTED;
    }

    /** The address the node listens on, once started. */
    public InetSocketAddress address() {
        DisposableServer s = server;
        if (s == null) {
            throw new IllegalStateException("node is not started");
        }
        return transport.address(s.channel().localAddress());
    }

    /**
     * Dials {@code address} and completes the handshake. Emits the admitted peer, or errors
     * with a {@link io.reactivep2p.peer.PeerException} carrying the reason the handshake was
     * refused (by either side), or with the connection error. With the secure channel, the
     * handshake is Noise XX: any key the peer proves is its id.
     */
    public Mono<Peer> connect(InetSocketAddress address) {
        return connect(address, null);
    }

    /**
     * Dials the node {@code expected} at {@code address}: with the secure channel, Noise IK
     * under that key (half a round trip less than XX), and the dial fails unless the peer
     * proves it; a plaintext node checks the id its HELLO claims. {@code null}: any id.
     */
    public Mono<Peer> connect(InetSocketAddress address, NodeId expected) {
        return connect(address, expected, expected != null);
    }

    /** A dial with the pattern chosen: XX with an expected id checks the key it authenticates. */
    private Mono<Peer> connect(InetSocketAddress address, NodeId expected, boolean ik) {
        Objects.requireNonNull(address, "address");
        return Mono.defer(() -> {
            if (state.get() != State.STARTED) {
                return Mono.error(new IllegalStateException("node is not started"));
            }
            Sinks.One<Peer> handshake = Sinks.one();
            AtomicReference<Connection> connection = new AtomicReference<>();
            // A node listening on one address dials from it too: its peers learn the address it
            // accepts connections on (the connection's IP with the HELLO's port).
            return transport.dial(dialer, address, address())
                    .doOnConnected(conn -> {
                        connection.set(conn);
                        install(conn, Direction.OUTBOUND, handshake, addCodec(conn, config.plaintext() ? null
                                : SecureChannelHandler.dialer(config.frameSettings().magic(), config.identity().keyPair(),
                                        expected == null ? null : expected.toBytes(), ik, this::helloV2,
                                        runtime.secureRandom()).staticStaticCache(staticStatic)));
                    })
                    .connect()
                    .then(handshake.asMono())
                    .flatMap(peer -> expected == null || peer.id().equals(expected) ? Mono.just(peer)
                            : peer.disconnect(DisconnectReason.REQUESTED, "not the node dialled").then(Mono.error(
                                    new PeerException(DisconnectReason.REQUESTED, "dialled " + expected + " at " + address
                                            + ", reached " + peer.id()))))
                    .doOnCancel(() -> {
                        Connection c = connection.get();
                        if (c != null) {
                            c.dispose();
                        }
                    });
        });
    }

    private WriteBufferWaterMark writeBufferWaterMark() {
        int high = config.transport().writeBufferHighWaterMark();
        return new WriteBufferWaterMark(high / 2, high);
    }

    /**
     * Discovery's dial, with the id known for the address if any: Noise IK under that id; if
     * that handshake fails before the secure channel is up (the node's key changed, the id came
     * wrong through peer exchange, or the node refused before its handshake), once more with XX.
     * A hint (the book's id) then accepts the key the node proves, which the book learns; a
     * pinned id (a seed written {@code id@host:port}) accepts no other. Plaintext: an ordinary
     * dial, checking a pinned id against the HELLO's claim.
     */
    private Mono<Peer> dialKnown(InetSocketAddress address, NodeId known, boolean pinned) {
        if (known == null) {
            return connect(address);
        }
        if (config.plaintext()) {
            return pinned ? connect(address, known) : connect(address);
        }
        return connect(address, known, true).onErrorResume(
                e -> e instanceof PeerException pe && pe.secureHandshakeFailed(),
                e -> {
                    log.debug("IK dial of {} at {} failed ({}); retrying with XX", known.shortHex(), address,
                            e.getMessage());
                    return connect(address, pinned ? known : null, false);
                });
    }

    /**
     * Dials {@code host:port}, or {@code <64 hex id>@host:port}: the node of that id only
     * ({@link #connect(InetSocketAddress, NodeId)}).
     */
    public Mono<Peer> connect(String hostPort) {
        return Mono.defer(() -> connect(DiscoverySettings.parseSeedAddress(hostPort),
                DiscoverySettings.parseSeedId(hostPort)));
    }

    /** The connected peers: a live, unmodifiable view. */
    public Collection<Peer> peers() {
        return peers.peers();
    }

    /** The peer manager: limits, scores, bans. */
    public PeerManager peerManager() {
        return peers;
    }

    /**
     * Answers {@code peer.request(m)} and {@code peer.fireAndForget(m)} of peers for messages of
     * {@code type}: the handler's {@code Mono} gives the one answer (empty: none; an
     * {@link io.reactivep2p.peer.RpcException#application} error: an application error with its
     * code). The handler is called on the requesting peer's event loop: it must not block
     * (return {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())} for
     * blocking work). Each peer's requests in flight and per second are bounded
     * ({@link NodeConfig#rpc()}). An answer may be as large as the maximum message length; one
     * over 32,256 bytes travels in fragments, with the connection's other frames between them.
     * When the connection closes, the {@code Mono}s still running are cancelled, a
     * fire-and-forget's included.
     *
     * <pre>{@code
     * node.handleRequests(GET_HEADER, (peer, request) ->
     *         Mono.justOrEmpty(chain.header(request.payload().getLong(0))).map(Header::toMessage));
     * }</pre>
     *
     * @return disposing it removes the handler
     * @throws IllegalStateException if {@code type} has a request handler already
     */
    public Disposable handleRequests(MessageType type, RpcService.RequestHandler handler) {
        return rpc.handleRequests(type, handler);
    }

    /**
     * Answers {@code peer.requestStream(m)} of peers for messages of {@code type}: the
     * handler's publisher is asked for items as the requester's demand arrives as credits, one
     * at a time while the connection is writable, and cancelled when the requester cancels or
     * leaves. Called on the peer's event loop, as {@link #handleRequests}.
     *
     * <pre>{@code
     * node.handleStreams(GET_BLOCKS, (peer, request) ->
     *         chain.blocksFrom(request.payload().getLong(0)).map(Block::toMessage));
     * }</pre>
     *
     * @return disposing it removes the handler
     * @throws IllegalStateException if {@code type} has a stream handler already
     */
    public Disposable handleStreams(MessageType type, RpcService.StreamHandler handler) {
        return rpc.handleStreams(type, handler);
    }

    /** Requests and streams between peers: handlers, limits and counts; see {@link RpcService}. */
    @Override
    public RpcService rpc() {
        return rpc;
    }

    /** Seeds, address book, peer exchange and the dialer; see {@link Discovery}. */
    public Discovery discovery() {
        return discovery;
    }

    /** Peer events; see {@link PeerManager#events()}. */
    public Flux<PeerEvent> peerEvents() {
        return peers.events();
    }

    /**
     * The messages of {@code type} from every peer, hot: each subscriber sees what arrives
     * after it subscribed, and may subscribe before {@link #start()}. Gossip types are
     * delivered once per message — the first copy, once its validator accepted it (see
     * {@link #validator}) — whichever peer it came from;
     * {@link io.reactivep2p.gossip.GossipSettings#directTypes() direct types} as they arrive. The peer-exchange messages (GET_PEERS, PEERS) are handled by the node's
     * discovery and not delivered.
     *
     * <p><b>Overflow policy.</b> Each subscriber has a buffer of its own of at most
     * {@link NodeConfig#subscriberBufferSize()} messages and
     * {@link NodeConfig#subscriberBufferBytes()} payload bytes. A subscriber that does not keep
     * up loses the newest messages beyond its buffer (counted in {@link #droppedDeliveries()});
     * it never slows the other subscribers or the sockets. Completes when the node stops.
     */
    public Flux<PeerMessage> messages(MessageType type) {
        return subscribe(Objects.requireNonNull(type, "type"));
    }

    /** The messages of every type; same contract as {@link #messages(MessageType)}. */
    public Flux<PeerMessage> messages() {
        return subscribe(null);
    }

    private Flux<PeerMessage> subscribe(MessageType type) {
        return Flux.defer(() -> {
            AtomicLong buffered = new AtomicLong();
            return Flux.<PeerMessage>create(sink -> {
                        Subscriber s = new Subscriber(type, sink, buffered);
                        subscribers.add(s);
                        sink.onDispose(() -> subscribers.remove(s));
                        if (state.get() == State.STOPPED) {
                            sink.complete();
                        }
                    }, FluxSink.OverflowStrategy.IGNORE)
                    .onBackpressureBuffer(config.subscriberBufferSize(), dropped -> {
                        buffered.addAndGet(-dropped.message().payloadLength());
                        droppedDeliveries.incrementAndGet();
                    }, BufferOverflowStrategy.DROP_LATEST)
                    .doOnNext(pm -> buffered.addAndGet(-pm.message().payloadLength()));
        });
    }

    /**
     * Gossips a message of this node to its peers (see {@link Gossip#broadcast}): emits how
     * many peers it was queued to, and to how many it was not because their queue was full. A
     * message this node has already seen is not sent again. Lazy; never blocks.
     *
     * <pre>{@code
     * node.broadcast(Message.of(MsgTx, bytes)).subscribe(r -> log.info("sent to {} peers", r.queued()));
     * }</pre>
     */
    public Mono<BroadcastResult> broadcast(Message message) {
        Objects.requireNonNull(message, "message");
        return Mono.fromSupplier(() -> {
            if (state.get() != State.STARTED) {
                throw new IllegalStateException("node is not started");
            }
            return gossip.broadcast(message);
        });
    }

    /**
     * Gossips every message of {@code messages}, one at a time: the next is requested when the
     * previous was queued and its result consumed, so a slow result subscriber slows the
     * publisher. Emits one result per message.
     */
    public Flux<BroadcastResult> broadcast(Publisher<Message> messages) {
        Objects.requireNonNull(messages, "messages");
        return Flux.from(messages).concatMap(this::broadcast, 1);
    }

    /**
     * Sets the validator of gossiped messages of {@code type} ({@code null} removes it): it
     * decides, for each first sighting, whether the message is delivered and relayed
     * ({@link Validation#ACCEPT}), dropped ({@link Validation#IGNORE}) or dropped with the
     * sender scored ({@link Validation#REJECT}). It runs on the sender's event loop and must
     * not block: return {@code Mono.just(verdict)} for a quick check, or a {@code Mono} that
     * completes later (e.g. {@code subscribeOn(boundedElastic())}) for a slow one.
     *
     * <p>TX is special: the node decodes each TX as a {@link Transaction} (REJECTing one that
     * does not decode), runs the validator set here (e.g. a signature check), and offers what
     * it ACCEPTs to the {@link #mempool()}, which has the last word.
     *
     * <pre>{@code
     * node.validator(MsgTx, pm -> Mono.just(signatureValid(pm.message()) ? Validation.ACCEPT : Validation.REJECT));
     * }</pre>
     */
    public void validator(MessageType type, Function<PeerMessage, Mono<Validation>> validator) {
        if (Objects.requireNonNull(type, "type").equals(MessageType.MsgTx)) {
            txAdmission.validator(validator);
        } else {
            gossip.validator(type, validator);
        }
    }

    /**
     * The node's transaction pool, fed by gossip: every TX that decodes (a malformed one is
     * REJECTed: the sender is scored) and passes the application's TX {@link #validator} is
     * offered to it; the node relays and delivers only what the pool takes, and IGNOREs what
     * it refuses. Limits in {@link NodeConfig#mempool()}; its {@link Mempool#events()}
     * complete when the node stops.
     */
    public Mempool<Transaction> mempool() {
        return mempool;
    }

    /**
     * Offers a transaction of this node's to its pool and, if the pool takes it, gossips it to
     * the peers. Emits what the pool did; a refused transaction is not sent. The application's
     * TX validator is not run: check local transactions before submitting them. Lazy; errors
     * if the node is not started.
     *
     * <pre>{@code
     * node.submit(tx).subscribe(r -> log.info("{} {}", tx.id(), r));   // ADDED, or why not
     * }</pre>
     */
    public Mono<AddResult> submit(Transaction tx) {
        Objects.requireNonNull(tx, "tx");
        return Mono.fromSupplier(() -> {
            if (state.get() != State.STARTED) {
                throw new IllegalStateException("node is not started");
            }
            AddResult result = mempool.add(tx);
            if (result.accepted()) {
                gossip.broadcast(tx.toMessage());
            }
            return result;
        });
    }

    /** TX messages from peers that did not decode as transactions (each REJECTed). */
    public long malformedTransactions() {
        return txAdmission.malformed();
    }

    /** Gossip counters, the seen-cache and message ids. */
    public Gossip gossip() {
        return gossip;
    }

    /** Queues {@code message} for {@code peer}; see {@link Peer#send(Message)}. */
    public Mono<Void> send(Peer peer, Message message) {
        return Objects.requireNonNull(peer, "peer").send(message);
    }

    /** Frames received with a type this version does not define (ignored). */
    public long unknownFrames() {
        return unknownFrames.get();
    }

    /** Bytes read from all connections, frame headers included, as on the wire. */
    public long bytesReceived() {
        return bytes.read();
    }

    /** Bytes written to all connections, as on the wire. */
    public long bytesSent() {
        return bytes.written();
    }

    /** Messages dropped for subscribers of {@link #messages} that did not keep up. */
    public long droppedDeliveries() {
        return droppedDeliveries.get();
    }

    /**
     * Sends DISCONNECT ({@link DisconnectReason#REQUESTED}) to every peer, closes every
     * connection and the listener, completes the message and event streams, and releases the
     * event loops. Idempotent.
     */
    public Mono<Void> stop() {
        return Mono.defer(() -> {
            State was = state.getAndSet(State.STOPPED);
            if (was == State.STOPPED) {
                return Mono.empty();
            }
            discovery.stop(); // no new dials while the peers go
            gossip.stop();
            txAdmission.stop();
            List<Mono<Void>> closing = new ArrayList<>();
            for (Peer p : peers.peers()) {
                closing.add(p.disconnect(DisconnectReason.REQUESTED, "node stopping"));
            }
            DisposableServer s = server;
            return Mono.when(closing)
                    .timeout(STOP_TIMEOUT, Mono.empty(), runtime.timers())
                    // The peers complete on their event loops, which are about to shut down.
                    .publishOn(runtime.blocking())
                    .then(Mono.fromRunnable(discovery::save))
                    .then(Mono.defer(() -> {
                        List<Channel> open;
                        synchronized (channels) {
                            open = new ArrayList<>(channels);
                        }
                        open.forEach(Channel::close);
                        if (s == null) {
                            return Mono.empty();
                        }
                        s.dispose();
                        return s.onDispose().timeout(STOP_TIMEOUT, Mono.empty(), runtime.timers());
                    }))
                    .then(Mono.fromRunnable(() -> {
                        subscribers.forEach(sub -> sub.sink.complete());
                        peers.complete();
                    }))
                    .then(loops.disposeLater(Duration.ZERO, STOP_TIMEOUT))
                    .doOnSuccess(v -> log.info("node {} stopped", config.nodeId().shortHex()));
        });
    }

    /** {@link #stop()}, blocking until done. */
    @Override
    public void close() {
        stop().block(STOP_TIMEOUT.multipliedBy(3));
    }

    // ---- connections ----

    private void onInbound(Connection conn) {
        Channel channel = conn.channel();
        InetSocketAddress remote = transport.address(channel.remoteAddress());
        DisconnectReason refusal = state.get() == State.STARTED
                ? peers.acceptInbound(remote.getAddress())
                : DisconnectReason.REQUESTED;
        if (refusal != null && !config.plaintext()) {
            // No channel exists yet to say why, and a handshake to say it would cost the X25519
            // work the refusal saves: closed at once.
            log.debug("refused inbound {}: {}", remote, refusal);
            channel.close();
            return;
        }
        FrameEncoder encoder = addCodec(conn, config.plaintext() ? null : SecureChannelHandler.responder(
                config.frameSettings().magic(), config.identity().keyPair(), this::helloV2, runtime.secureRandom())
                .staticStaticCache(staticStatic));
        if (refusal != null) {
            log.debug("refused inbound {}: {}", remote, refusal);
            channel.writeAndFlush(Disconnect.of(refusal, "refused").toMessage()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        channel.closeFuture().addListener(f -> peers.inboundClosed(remote.getAddress()));
        install(conn, Direction.INBOUND, Sinks.one(), encoder);
    }

    /** The byte counter, the secure channel (unless plaintext) and the frame codec; returns the encoder. */
    private FrameEncoder addCodec(Connection conn, SecureChannelHandler secure) {
        FrameEncoder encoder = new FrameEncoder(config.frameSettings(), config.metrics());
        if (secure != null) {
            conn.addHandlerFirst(PipelineNames.SECURE, secure); // the byte counter goes in front of it
        }
        conn.addHandlerFirst(PipelineNames.BYTE_COUNTER, bytes)
                .addHandlerLast(PipelineNames.FRAME_DECODER,
                        new FrameDecoder(config.frameSettings(), config.metrics()).handshaking())
                .addHandlerLast(PipelineNames.FRAME_ENCODER, encoder);
        return encoder;
    }

    private void install(Connection conn, Direction direction, Sinks.One<Peer> handshake, FrameEncoder encoder) {
        Channel channel = conn.channel();
        channels.add(channel);
        channel.closeFuture().addListener(f -> channels.remove(channel));
        conn.addHandlerLast(PipelineNames.PEER, handlers.handler(hello(), conn, transport.address(channel.remoteAddress()),
                direction, encoder, handshake));
    }

    private static AdaptiveRecvByteBufAllocator readBuffers() {
        return new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES);
    }

    /** This node's HELLO, stamped now. */
    private Hello hello() {
        return new Hello(config.plaintext() ? Hello.VERSION : Hello.VERSION_2, config.nodeId(), listenPort, nonce,
                config.lz4() ? Hello.CAP_LZ4 : 0, runtime.currentTimeMillis(), config.userAgent(), config.status());
    }

    /** This node's HELLO as the secure channel's handshake payload. */
    private byte[] helloV2() {
        return hello().toV2Payload();
    }

    /** A random nonce other than 0: a version 2 HELLO carries none and reads as 0. */
    private static long nonZero(java.security.SecureRandom random) {
        long n;
        do {
            n = random.nextLong();
        } while (n == 0);
        return n;
    }

    /** Runs on the peer's event loop as it is admitted: from here on it reads as we consume. */
    private void onAdmitted(Peer peer) {
        discovery.onAdmitted(peer);
        gossip.onAdmitted(peer);
        // flatMap bounds the messages awaiting an asynchronous validator or their turn under
        // the peer's gossip rate; past that bound the connection stops reading this peer.
        peer.inbound()
                .doFinally(signal -> gossip.onInboundDone(peer))
                .flatMap(m -> route(peer, m), Gossip.MAX_PENDING_VALIDATIONS)
                .subscribe();
    }

    private Mono<Void> route(Peer peer, Message message) {
        try {
            if (Discovery.handles(message.type())) {
                discovery.onMessage(peer, message);
                return Mono.empty();
            }
            return gossip.onMessage(peer, message);
        } catch (ProtocolException e) { // a malformed GET_PEERS, PEERS, INV or GET_DATA
            log.debug("protocol error from {}: {}", peer, e.getMessage());
            config.metrics().frameRejected(e.kind());
            peers.misbehaved(peer.id(), peer.remoteAddress().getAddress(), PeerManager.PROTOCOL_ERROR_SCORE,
                    e.getMessage());
            peer.disconnect(e.reason(), e.getMessage()).subscribe();
            return Mono.empty();
        }
    }

    private void deliver(PeerMessage pm) {
        MessageType type = pm.message().type();
        int size = pm.message().payloadLength();
        for (Subscriber s : subscribers) {
            if (s.type == null || s.type.equals(type)) {
                if (s.bufferedBytes.get() + size > config.subscriberBufferBytes()) {
                    droppedDeliveries.incrementAndGet(); // over this subscriber's byte budget
                    continue;
                }
                s.bufferedBytes.addAndGet(size);
                s.sink.next(pm);
            }
        }
    }

    @Override
    public String toString() {
        return "P2pNode{" + config.nodeId().shortHex() + (server == null ? "" : ", " + address()) + "}";
    }
}
