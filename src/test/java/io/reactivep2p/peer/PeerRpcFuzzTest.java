package io.reactivep2p.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.protocol.Ping;
import io.reactivep2p.protocol.Pong;
import io.reactivep2p.protocol.RpcFrame;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.transport.TransportSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * Fuzz test of requests and streams (docs/protocol.md §4.8) as a state machine: a node on an
 * in-memory channel with a frozen clock serves a request and a stream handler and makes calls
 * of its own, while the fuzzer, as its peer, sends any sequence of REQUEST, RESPONSE, ERROR,
 * REQUEST_N and CANCEL frames (well-formed or not, for live streams, ended ones or none),
 * answers or ignores the node's calls, sends HELLO again, PING, PONG, DISCONNECT or frames of
 * any type, and lets time pass. Whatever it does:
 * <ul>
 *   <li>every frame the node sends decodes, and it never sends a stream more items than the
 *       peer gave credits for;</li>
 *   <li>every publisher its handlers returned has ended or been cancelled once the connection
 *       has closed;</li>
 *   <li>the node's own streams never deliver more items than their subscriber asked for, a
 *       request at most one answer, and every call ends once the connection has closed and its
 *       timeout has passed;</li>
 *   <li>the connection stays up or ends with a DISCONNECT of the protocol's reasons, never on
 *       an internal error; Reactor drops no error; no buffer leaks (paranoid leak detection).</li>
 * </ul>
 *
 * <p>In a normal build this runs as a regression test over the inputs committed under
 * {@code src/test/resources/io/reactivep2p/peer/PeerRpcFuzzTestInputs/conversation/}. To fuzz
 * for real: {@code ./fuzz.sh 10m io.reactivep2p.peer.PeerRpcFuzzTest#conversation}.
 */
class PeerRpcFuzzTest {

    /** Answered by {@link #answer}: the first payload byte picks how. */
    private static final MessageType ASK = MessageType.fromCode(0x60);
    /** Streamed by {@link #stream}: the first payload bytes pick how many items, how large, how it ends. */
    private static final MessageType LIST = MessageType.fromCode(0x61);
    private static final int ACTIONS = 48;
    /** Bytes the fuzzer's peer may send in all per input, so that an input stays quick. */
    private static final int BYTES_PER_INPUT = 4 << 20;

    @FuzzTest(maxDuration = "10m")
    void conversation(FuzzedDataProvider data) {
        new Conversation(data).run();
    }

    private static Mono<Message> answer(Message request) {
        int how = request.payloadLength() == 0 ? 0 : request.payloadByte(0) & 0x7;
        return switch (how) {
            case 0 -> Mono.just(Message.of(ASK, request.payloadBytes()));
            case 1 -> Mono.empty();
            case 2 -> Mono.error(RpcException.application(7, "no"));
            case 3 -> Mono.error(new IllegalStateException("handler failed"));
            case 4 -> Mono.never();
            case 5 -> Mono.just(Message.of(ASK, new byte[PeerRpc.FRAGMENT_BYTES * 2 + 5])); // fragmented
            case 6 -> Mono.defer(() -> {
                throw new IllegalStateException("handler threw");
            });
            default -> Mono.just(Message.empty(ASK));
        };
    }

    private static Flux<Message> stream(Message request) {
        int items = request.payloadLength() > 0 ? request.payloadByte(0) & 0x1f : 3;
        int size = request.payloadLength() > 1 && (request.payloadByte(1) & 1) == 1 ? PeerRpc.FRAGMENT_BYTES + 100 : 16;
        int end = request.payloadLength() > 2 ? request.payloadByte(2) & 0x3 : 0;
        Flux<Message> body = Flux.range(0, items).map(i -> Message.of(LIST, new byte[size]));
        return switch (end) {
            case 0 -> body;
            case 1 -> body.concatWith(Flux.error(RpcException.application(9, "end")));
            case 2 -> body.concatWith(Flux.never());
            default -> body.concatWith(Flux.error(new IllegalStateException("stream failed")));
        };
    }

    /** One input: the node, its peer's model, the actions. */
    private static final class Conversation {
        private final FuzzedDataProvider data;
        private final EmbeddedChannel channel = new EmbeddedChannel();
        private final Sinks.One<Peer> handshake = Sinks.one();
        private final List<Throwable> dropped = new CopyOnWriteArrayList<>();
        /** Per stream id the peer opened: credits it gave since its last REQUEST of that id, items the node sent. */
        private final Map<Long, long[]> served = new HashMap<>();
        /** Ids of the node's calls, from its REQUEST frames. */
        private final List<Long> nodeCalls = new ArrayList<>();
        private final List<Recorder> calls = new ArrayList<>();
        private final List<Recorder> streams = new ArrayList<>();
        /** The node's handlers' publishers subscribed to and not yet ended or cancelled. */
        private final AtomicLong handling = new AtomicLong();
        /** What happened, for a finding's message. */
        private final List<String> trace = new ArrayList<>();
        private int bytesSent;
        private long lastPing;
        private Peer peer;

        Conversation(FuzzedDataProvider data) {
            this.data = data;
            channel.freezeTime();
            PeerSettings settings = PeerSettings.builder().handshakeTimeout(Duration.ofSeconds(5)).build();
            PeerManager manager = new PeerManager(NodeId.random(), 42L, settings, NodeRuntime.system());
            RpcService rpc = new RpcService(RpcSettings.defaults().withMaxInboundStreams(4).withMaxOutboundStreams(4)
                    .withRequestRate(50).withTimeout(Duration.ofSeconds(1)), manager);
            rpc.handleRequests(ASK, (p, request) -> answer(request)
                    .doOnSubscribe(x -> handling.incrementAndGet()).doFinally(x -> handling.decrementAndGet()));
            rpc.handleStreams(LIST, (p, request) -> stream(request)
                    .doOnSubscribe(x -> handling.incrementAndGet()).doFinally(x -> handling.decrementAndGet()));
            FrameEncoder encoder = new FrameEncoder(FrameSettings.defaults());
            channel.pipeline().addLast(encoder);
            PeerHandlers handlers = new PeerHandlers(settings, TransportSettings.defaults(), FrameSettings.defaults(),
                    manager, PeerObserver.NONE, NodeRuntime.system().random(), new AtomicLong(), rpc);
            Hello local = new Hello(Hello.VERSION, NodeId.random(), 3000, 42L, 0, 0, "node", new byte[0]);
            channel.pipeline().addLast(handlers.handler(local, Connection.from(channel),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Direction.INBOUND, encoder, handshake));
        }

        void run() {
            Hooks.onErrorDropped(dropped::add);
            try {
                drain(); // the node's HELLO
                receive(new Hello(Hello.VERSION, NodeId.random(), 0, 7L, 0, 0, "peer", new byte[0]).toMessage());
                peer = handshake.asMono().block(Duration.ofSeconds(1));
                for (int i = 0; i < ACTIONS && data.remainingBytes() > 0 && channel.isOpen(); i++) {
                    int action = data.consumeInt(0, 12);
                    trace.add("action " + action);
                    act(action);
                    channel.runPendingTasks();
                    drain();
                }
                channel.close();
                channel.advanceTimeBy(10, TimeUnit.SECONDS);
                channel.runPendingTasks();
                channel.runScheduledPendingTasks();
                drain();
                for (Recorder c : calls) {
                    assertThat(c.received).as("a request's answers; %s", trace).isLessThanOrEqualTo(1);
                    assertThat(c.ended).as("a request ends once the connection has closed; %s", trace).isTrue();
                }
                for (Recorder s : streams) {
                    assertThat(s.received).as("items delivered within the subscriber's demand; %s", trace).isLessThanOrEqualTo(s.asked);
                    assertThat(s.ended || s.cancelled).as("a stream ends once the connection has closed; %s", trace).isTrue();
                }
                assertThat(handling).as("the handlers' publishers end or are cancelled with the connection; %s", trace)
                        .hasValue(0);
                assertThat(peer.disconnection()).hasValueSatisfying(why -> {
                    if (why.side() == PeerEvent.Side.LOCAL) {
                        assertThat(why.detail()).as("not an internal error; %s", trace).isNotEqualTo("internal error");
                    }
                });
                assertThat(dropped).as("errors Reactor dropped; %s", trace).isEmpty();
            } finally {
                Hooks.resetOnErrorDropped();
                channel.finishAndReleaseAll();
            }
        }

        private void act(int action) {
            switch (action) {
                case 0 -> { // the peer asks
                    long id = streamId();
                    int mode = data.consumeInt(0, 3); // 3: no such mode
                    long credits = mode == 1 ? credits() : data.consumeBoolean() ? 0 : credits();
                    MessageType type = data.consumeBoolean() ? ASK : data.consumeBoolean() ? LIST : MessageType.fromCode(0x62);
                    byte[] payload = data.consumeBytes(data.consumeInt(0, 8));
                    ByteBuffer b = ByteBuffer.allocate(RpcFrame.REQUEST_OVERHEAD + payload.length);
                    b.putInt((int) id).put((byte) mode).putInt((int) credits).put((byte) type.code()).put(payload);
                    served.put(id, new long[] {mode == 0 ? 1 : mode == 1 ? credits : 0, 0});
                    receive(Message.wrap(MessageType.MsgRequest, b.array()));
                }
                case 1 -> { // the peer gives credits
                    long id = streamId();
                    long n = credits();
                    long[] s = served.get(id);
                    if (s != null) {
                        s[0] = Math.min(RpcFrame.MAX_CREDITS, s[0] + n);
                    }
                    receive(Message.wrap(MessageType.MsgRequestN,
                            ByteBuffer.allocate(8).putInt((int) id).putInt((int) n).array()));
                }
                case 2 -> receive(Message.wrap(MessageType.MsgCancel, ByteBuffer.allocate(4).putInt((int) streamId()).array()));
                case 3 -> { // the peer answers one of the node's calls, or another stream
                    long id = callId();
                    int flags = data.consumeBoolean() ? data.consumeInt(0, 255) : data.pickValue(new int[] {1, 2, 3, 5});
                    int size = itemSize();
                    ByteBuffer b = ByteBuffer.allocate(5 + ((flags & 1) != 0 ? 1 + size : 0));
                    b.putInt((int) id).put((byte) flags);
                    if ((flags & 1) != 0) {
                        b.put((byte) (data.consumeBoolean() ? ASK : LIST).code());
                    }
                    receive(Message.wrap(MessageType.MsgResponse, b.array()));
                }
                case 4 -> { // the peer ends one of the node's calls with an error
                    byte[] text = data.consumeBytes(data.consumeInt(0, 300));
                    ByteBuffer b = ByteBuffer.allocate(11 + text.length);
                    b.putInt((int) callId()).put((byte) data.consumeInt(0, 6)).putInt(data.consumeInt())
                            .putShort((short) text.length).put(text);
                    receive(Message.wrap(MessageType.MsgError, b.array()));
                }
                case 5 -> receive(Message.wrap(MessageType.fromCode(data.consumeInt(0x30, 0x34)),
                        data.consumeBytes(data.consumeInt(0, 40)))); // any bytes
                case 6 -> { // the node asks
                    Recorder c = new Recorder(Long.MAX_VALUE);
                    calls.add(c);
                    peer.request(Message.of(data.consumeBoolean() ? ASK : LIST, data.consumeBytes(data.consumeInt(0, 4))),
                            Duration.ofMillis(data.consumeInt(1, 2000))).subscribe(c);
                }
                case 7 -> { // the node opens a stream
                    Recorder s = new Recorder(data.consumeInt(0, 5));
                    streams.add(s);
                    peer.requestStream(Message.of(LIST, data.consumeBytes(data.consumeInt(0, 4))),
                            Duration.ofMillis(data.consumeInt(1, 2000))).subscribe(s);
                }
                case 8 -> { // one of the node's streams asks for more, or cancels
                    if (!streams.isEmpty()) {
                        Recorder s = streams.get(data.consumeInt(0, streams.size() - 1));
                        if (data.consumeBoolean()) {
                            s.more(data.consumeInt(1, 1000));
                        } else {
                            s.cancelled = true;
                            s.cancel();
                        }
                    }
                }
                case 9 -> peer.fireAndForget(Message.of(ASK, data.consumeBytes(data.consumeInt(0, 4)))).subscribe(v -> { }, e -> { });
                case 10 -> {
                    channel.advanceTimeBy(data.consumeInt(0, 3000), TimeUnit.MILLISECONDS);
                    channel.runScheduledPendingTasks();
                }
                case 11 -> { // the peer's other frames: HELLO again, PING, PONG, DISCONNECT, anything
                    switch (data.consumeInt(0, 4)) {
                        case 0 -> receive(new Hello(Hello.VERSION, NodeId.random(), 0, 7L, 0, 0, "again",
                                new byte[0]).toMessage());
                        case 1 -> receive(new Ping(data.consumeLong()).toMessage());
                        case 2 -> receive(new Pong(data.consumeBoolean() ? lastPing : data.consumeLong()).toMessage());
                        case 3 -> receive(Message.wrap(MessageType.MsgDisconnect,
                                data.consumeBytes(data.consumeInt(0, 40))));
                        default -> receive(Message.wrap(MessageType.fromCode(data.consumeInt(0, 255)),
                                data.consumeBytes(data.consumeInt(0, 40))));
                    }
                }
                default -> { // a call disposed from outside, as a caller's timeout would
                    if (!calls.isEmpty()) {
                        calls.get(data.consumeInt(0, calls.size() - 1)).dispose();
                    }
                }
            }
        }

        /** An id the peer's frames name: mostly a few small ones, so that they meet live streams. */
        private long streamId() {
            return data.consumeBoolean() ? data.consumeInt(0, 3) : data.consumeInt() & 0xFFFF_FFFFL;
        }

        private long credits() {
            return switch (data.consumeInt(0, 4)) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> data.consumeInt(1, 10);
                case 3 -> RpcFrame.MAX_CREDITS;
                default -> data.consumeInt() & 0xFFFF_FFFFL;
            };
        }

        private long callId() {
            return !nodeCalls.isEmpty() && data.consumeBoolean()
                    ? nodeCalls.get(data.consumeInt(0, nodeCalls.size() - 1)) : streamId();
        }

        /** Item bytes of a RESPONSE: small, or up to a few fragments, within the input's budget. */
        private int itemSize() {
            int size = data.consumeBoolean() ? data.consumeInt(0, 64) : data.consumeInt(0, 3 * PeerRpc.FRAGMENT_BYTES);
            return Math.max(0, Math.min(size, BYTES_PER_INPUT - bytesSent));
        }

        private void receive(Message message) {
            trace.add("peer sends " + message);
            bytesSent += message.payloadLength();
            ByteBuf frame = FrameCodec.encode(UnpooledByteBufAllocator.DEFAULT, FrameSettings.defaults(), message, false);
            channel.writeInbound(frame);
            for (Object in; (in = channel.readInbound()) != null; ) {
                io.netty.util.ReferenceCountUtil.release(in);
            }
        }

        /** Reads what the node sent: every frame decodes; items stay within the credits given. */
        private void drain() {
            for (ByteBuf frame; (frame = channel.readOutbound()) != null; ) {
                if (!frame.isReadable()) { // the streams' flush marker: no bytes on the wire
                    frame.release();
                    continue;
                }
                Message m;
                try {
                    m = FrameCodec.toMessage(frame);
                } finally {
                    frame.release();
                }
                trace.add("node sends " + m);
                if (m.type().equals(MessageType.MsgPing)) {
                    lastPing = Ping.decode(m).nonce();
                }
                if (!RpcFrame.handles(m.type())) {
                    continue; // HELLO, PING, PONG, DISCONNECT
                }
                RpcFrame f = m.type().equals(MessageType.MsgResponse) ? null : RpcFrame.decode(m);
                if (f instanceof RpcFrame.Request r) {
                    if (r.stream() != 0) {
                        nodeCalls.add(r.stream());
                    }
                } else if (f == null) {
                    RpcFrame.ResponseView r = RpcFrame.ResponseView.decode(m);
                    long[] s = served.get(r.stream());
                    if (r.itemType() != null && !r.follows() && s != null) {
                        s[1]++;
                        assertThat(s[1]).as("items sent on stream %d within its credits", r.stream()).isLessThanOrEqualTo(s[0]);
                    }
                }
            }
        }
    }

    /**
     * A node's call as its caller sees it: a request's subscriber asks for everything at once, a
     * stream's for a few items at a time.
     */
    private static final class Recorder extends BaseSubscriber<Message> {
        private final long first;
        long asked;
        long received;
        boolean ended;
        boolean cancelled;

        Recorder(long first) {
            this.first = first;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            more(first);
        }

        void more(long n) {
            if (n > 0) {
                asked = Operators.addCap(asked, n);
                request(n);
            }
        }

        @Override
        protected void hookOnNext(Message value) {
            received++;
        }

        @Override
        protected void hookOnError(Throwable e) {
            // an end as good as another: the invariants are about whether and when calls end
        }

        @Override
        protected void hookFinally(SignalType type) {
            ended = true;
        }
    }
}
