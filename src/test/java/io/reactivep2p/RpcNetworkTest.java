package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.RpcException;
import io.reactivep2p.peer.RpcService;
import io.reactivep2p.peer.RpcSettings;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.RpcFrame;
import io.reactivep2p.protocol.RpcFrame.Mode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Requests, streams and fire-and-forgets between two nodes over loopback, and peers that abuse them. */
class RpcNetworkTest {

    static final MessageType GET_HEADER = MessageType.of(0x81, "GET_HEADER");
    static final MessageType GET_BLOCKS = MessageType.of(0x82, "GET_BLOCKS");
    static final MessageType NOTE = MessageType.of(0x83, "NOTE");

    private final TestNetwork nodes = new TestNetwork();

    @AfterEach
    void stopAll() {
        nodes.close();
    }

    static Message number(MessageType type, long n) {
        return Message.of(type, ByteBuffer.allocate(8).putLong(n).array());
    }

    static long number(Message m) {
        return m.payload().getLong(0);
    }

    /** Node a serves, node b asks: b's peer for a. */
    private Peer askerOf(P2pNode server, P2pNode asker) {
        return asker.connect(server.address()).block(Duration.ofSeconds(5));
    }

    @Test
    void aRequestGetsItsAnswerAnEmptyAnswerOrATypedError() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        a.handleRequests(GET_HEADER, (peer, request) -> {
            long n = number(request);
            if (n == 404) {
                return Mono.error(RpcException.application(404, "no such header"));
            }
            if (n == 500) {
                return Mono.error(new IllegalStateException("the database password is hunter2"));
            }
            if (n == 0) {
                return Mono.empty();
            }
            return Mono.just(number(GET_HEADER, n + 1));
        });
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.request(number(GET_HEADER, 41)).map(RpcNetworkTest::number))
                .expectNext(42L).verifyComplete();
        StepVerifier.create(toA.request(number(GET_HEADER, 0))).verifyComplete();
        StepVerifier.create(toA.request(number(GET_HEADER, 404)))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcException.class, re -> {
                    assertThat(re.kind()).isEqualTo(RpcException.Kind.APPLICATION);
                    assertThat(re.code()).isEqualTo(404);
                    assertThat(re.getMessage()).isEqualTo("no such header");
                }));
        StepVerifier.create(toA.request(number(GET_HEADER, 500)))
                .verifyErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcException.class, re -> {
                    assertThat(re.kind()).isEqualTo(RpcException.Kind.FAILED);
                    assertThat(re.getMessage()).isEqualTo("handler failed"); // the details stay with the responder
                }));
        StepVerifier.create(toA.request(number(NOTE, 1)))
                .verifyErrorSatisfies(e -> assertThat(((RpcException) e).kind()).isEqualTo(RpcException.Kind.NO_HANDLER));
        assertThat(a.rpc().requestsServed()).isEqualTo(4);
        assertThat(a.rpc().noHandler()).isEqualTo(1);
        assertThat(b.rpc().requestsSent()).isEqualTo(5);
    }

    @Test
    void aSlowAnswerTimesOutAndTheResponderIsCancelled() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        AtomicInteger cancelled = new AtomicInteger();
        a.handleRequests(GET_HEADER, (peer, request) -> Mono.<Message>never().doOnCancel(cancelled::incrementAndGet));
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.request(number(GET_HEADER, 1), Duration.ofMillis(200)))
                .verifyErrorSatisfies(e -> assertThat(((RpcException) e).kind()).isEqualTo(RpcException.Kind.TIMEOUT));
        await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 1); // the CANCEL crossed the wire

        // Disposing the subscription cancels too.
        toA.request(number(GET_HEADER, 2)).subscribe().dispose();
        await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 2);
    }

    @Test
    void aStreamSendsNoMoreThanTheSubscriberAskedFor() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        AtomicLong produced = new AtomicLong();
        a.handleStreams(GET_BLOCKS, (peer, request) -> Flux.range(0, 1000)
                .map(i -> number(GET_BLOCKS, number(request) + i))
                .doOnNext(m -> produced.incrementAndGet()));
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.requestStream(number(GET_BLOCKS, 100)).map(RpcNetworkTest::number), 0)
                .thenRequest(5)
                .expectNext(100L, 101L, 102L, 103L, 104L)
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> assertThat(produced.get()).as("items the responder produced for 5 credits").isEqualTo(5))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(995)
                .verifyComplete();
        assertThat(produced.get()).isEqualTo(1000);
    }

    @Test
    void largeItemsTravelInFragmentsAndArriveWhole() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        int[] sizes = {100 * 1024, 32 * 1024 - 512, 32 * 1024 - 511, 1 << 20, 3 * (1 << 20) + 7, 10}; // around a fragment
        List<Message> items = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(3);
        for (int size : sizes) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            items.add(Message.of(GET_BLOCKS, payload));
        }
        a.handleStreams(GET_BLOCKS, (peer, request) -> Flux.fromIterable(items));
        byte[] largest = new byte[4 << 20]; // the maximum message length: a whole RESPONSE could not carry it
        random.nextBytes(largest);
        Message max = Message.of(GET_HEADER, largest);
        a.handleRequests(GET_HEADER, (peer, request) -> Mono.just(number(request) == 0 ? items.get(3) : max));
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.requestStream(number(GET_BLOCKS, 0)), 1)
                .expectNext(items.get(0))
                .thenRequest(Long.MAX_VALUE)
                .expectNext(items.get(1), items.get(2), items.get(3), items.get(4), items.get(5))
                .verifyComplete();
        StepVerifier.create(toA.request(number(GET_HEADER, 0))).expectNext(items.get(3)).verifyComplete();
        StepVerifier.create(toA.request(number(GET_HEADER, 1))).expectNext(max).verifyComplete();
    }

    /** On the wire: a large answer to a request/response is fragments, its last one NEXT|COMPLETE. */
    @Test
    void aLargeAnswerTravelsInFragments_theLastOneCompleting() throws Exception {
        P2pNode a = nodes.start();
        byte[] payload = new byte[(1 << 20) + 5];
        new java.util.Random(5).nextBytes(payload);
        a.handleRequests(GET_HEADER, (peer, request) -> Mono.just(Message.of(GET_HEADER, payload)));
        try (RawPeer raw = RawPeer.connectSecure(a.address())) {
            raw.send(new RpcFrame.Request(9, Mode.RESPONSE, 0, number(GET_HEADER, 1)).toMessage());
            java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
            int fragments = 0;
            RpcFrame.Response r;
            do {
                Message m = raw.read();
                if (!m.type().equals(MessageType.MsgResponse)) {
                    continue;
                }
                r = (RpcFrame.Response) RpcFrame.decode(m);
                assertThat(r.stream()).isEqualTo(9);
                assertThat(r.item().payloadLength()).isLessThanOrEqualTo(32 * 1024 - 512);
                assertThat(r.follows()).isNotEqualTo(r.complete()); // all follow but the last, which completes
                joined.writeBytes(r.item().payloadBytes());
                fragments++;
                if (r.complete()) {
                    break;
                }
            } while (true);
            assertThat(fragments).isEqualTo(33); // 32 of 32,256 bytes and a last of 16,389
            assertThat(joined.toByteArray()).isEqualTo(payload);
        }
    }

    @Test
    void fragmentsOfAnAnswerOfAnotherTypeOrEndingWithoutAnItemAreProtocolErrors() throws Exception {
        Function<Peer, Publisher<Message>> ask = peer -> peer.request(number(GET_HEADER, 0));
        brokenResponder(ask, 0, (raw, stream) -> {
            raw.send(new RpcFrame.Response(stream, number(GET_HEADER, 1), false, true).toMessage());
            raw.send(new RpcFrame.Response(stream, number(GET_BLOCKS, 2), true).toMessage());
        });
        brokenResponder(ask, 0, (raw, stream) -> {
            raw.send(new RpcFrame.Response(stream, number(GET_HEADER, 1), false, true).toMessage());
            raw.send(new RpcFrame.Response(stream, null, true).toMessage());
        });
        brokenResponder(ask, 0, (raw, stream) -> {
            raw.send(new RpcFrame.Response(stream, number(GET_HEADER, 1), false, true).toMessage());
            raw.send(new RpcFrame.Response(stream, number(GET_HEADER, 2), false).toMessage()); // an item, no end
        });
    }

    @Test
    void cancellingAStreamStopsTheResponderAndAnErrorEndsIt() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        AtomicInteger cancelled = new AtomicInteger();
        a.handleStreams(GET_BLOCKS, (peer, request) -> number(request) == 0
                ? Flux.<Message>error(RpcException.application(7, "pruned"))
                : Flux.<Message, Long>generate(() -> 0L, (n, sink) -> {
                    sink.next(number(GET_BLOCKS, n));
                    return n + 1;
                }).doOnCancel(cancelled::incrementAndGet));
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.requestStream(number(GET_BLOCKS, 1)).take(10).count())
                .expectNext(10L).verifyComplete();
        await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.get() == 1);
        StepVerifier.create(toA.requestStream(number(GET_BLOCKS, 0)))
                .verifyErrorSatisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(7));
    }

    @Test
    void aConnectionLostEndsEveryCallAndFireAndForgetReachesTheHandler() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        List<Long> notes = new CopyOnWriteArrayList<>();
        a.handleRequests(GET_HEADER, (peer, request) -> {
            if (request.type().equals(GET_HEADER) && number(request) == 99) {
                notes.add(99L);
            }
            return Mono.never();
        });
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.fireAndForget(number(GET_HEADER, 99))).verifyComplete();
        await().atMost(Duration.ofSeconds(5)).until(() -> notes.size() == 1);
        StepVerifier.create(toA.request(number(GET_HEADER, 1)))
                .then(() -> toA.disconnect(DisconnectReason.REQUESTED, "bye").subscribe())
                .verifyErrorSatisfies(e -> assertThat(((RpcException) e).kind())
                        .isEqualTo(RpcException.Kind.CONNECTION_LOST));
    }

    @Test
    void theHandlersOfARequestAndAFireAndForgetAreCancelledWhenTheConnectionCloses() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        List<String> handling = new CopyOnWriteArrayList<>();
        List<String> cancelled = new CopyOnWriteArrayList<>();
        a.handleRequests(GET_HEADER, (peer, request) -> Mono.<Message>never()
                .doOnSubscribe(s -> handling.add("#" + number(request)))
                .doOnCancel(() -> cancelled.add("#" + number(request))));
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.fireAndForget(number(GET_HEADER, 1))).verifyComplete();
        toA.request(number(GET_HEADER, 2)).subscribe(m -> { }, e -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> handling.size() == 2);
        toA.disconnect(DisconnectReason.REQUESTED, "bye").block(Duration.ofSeconds(5));

        // A peer that reconnects cannot leave handlers running beyond its limit per connection.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(cancelled).containsExactlyInAnyOrder("#1", "#2"));
    }

    @Test
    void aStreamNotYetAskedForAnItemEndsWhenTheConnectionCloses() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start();
        a.handleStreams(GET_HEADER, (peer, request) -> Flux.range(0, 3).map(i -> number(GET_HEADER, i)));
        Peer toA = askerOf(a, b);

        StepVerifier.create(toA.requestStream(number(GET_HEADER, 1)), 0)
                .expectSubscription()
                .then(() -> toA.disconnect(DisconnectReason.REQUESTED, "bye").subscribe())
                .expectErrorSatisfies(e -> assertThat(((RpcException) e).kind())
                        .isEqualTo(RpcException.Kind.CONNECTION_LOST))
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(toA.requestStream(number(GET_HEADER, 1)), 0) // subscribed after the close
                .expectErrorSatisfies(e -> assertThat(((RpcException) e).kind())
                        .isEqualTo(RpcException.Kind.CONNECTION_LOST))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void requestsOverThePeersLimitAreRefusedAndScored() {
        P2pNode a = nodes.start(NodeConfig.builder().rpc(RpcSettings.defaults().withMaxInboundStreams(4)));
        P2pNode b = nodes.start();
        a.handleRequests(GET_HEADER, (peer, request) -> Mono.never());
        Peer toA = askerOf(a, b);

        for (int i = 0; i < 4; i++) {
            toA.request(number(GET_HEADER, i)).subscribe(m -> { }, e -> { });
        }
        StepVerifier.create(toA.request(number(GET_HEADER, 4)))
                .verifyErrorSatisfies(e -> assertThat(((RpcException) e).kind()).isEqualTo(RpcException.Kind.REFUSED));
        assertThat(a.rpc().refused()).isEqualTo(1);
        assertThat(a.peerManager().score(b.id())).isEqualTo(RpcService.OVER_LIMIT_SCORE);
    }

    @Test
    void thisNodesOwnLimitOfCallsInFlightRefusesLocally() {
        P2pNode a = nodes.start();
        P2pNode b = nodes.start(NodeConfig.builder().rpc(RpcSettings.defaults().withMaxOutboundStreams(2)));
        a.handleRequests(GET_HEADER, (peer, request) -> Mono.never());
        Peer toA = askerOf(a, b);
        toA.request(number(GET_HEADER, 1)).subscribe(m -> { }, e -> { });
        toA.request(number(GET_HEADER, 2)).subscribe(m -> { }, e -> { });
        StepVerifier.create(toA.request(number(GET_HEADER, 3)))
                .verifyErrorSatisfies(e -> assertThat(((RpcException) e).kind()).isEqualTo(RpcException.Kind.REFUSED));
        assertThat(a.rpc().refused()).isZero(); // never sent
    }

    // ---- hostile peers (a raw peer speaking the secure channel) ----

    @Test
    void framesForUnknownStreamsAreCountedAndIgnored() throws Exception {
        P2pNode node = nodes.start();
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.peers().size() == 1);
            raw.send(new RpcFrame.Cancel(77).toMessage());                                  // cancel nothing
            raw.send(new RpcFrame.RequestN(78, 5).toMessage());                             // credit nothing
            raw.send(new RpcFrame.Response(79, number(GET_HEADER, 1), true).toMessage());   // answer nobody asked for
            raw.send(RpcFrame.StreamError.of(80, RpcFrame.ErrorCode.FAILED, 0, "?").toMessage());
            await().atMost(Duration.ofSeconds(5)).until(() -> node.rpc().unknownStreamFrames() == 4);
            assertThat(node.peers()).hasSize(1);
            assertThat(node.peerManager().score(raw.id())).isZero();
        }
    }

    @Test
    void aRequestFloodIsRefusedAtTheRateAndTheFlooderBanned() throws Exception {
        P2pNode node = nodes.start(NodeConfig.builder().rpc(RpcSettings.defaults().withRequestRate(10)));
        node.handleRequests(GET_HEADER, (peer, request) -> Mono.just(request));
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.peers().size() == 1);
            for (int i = 1; i <= 100; i++) { // a burst of 20 passes, then 5 points per refusal: 100 at the 40th
                raw.send(new RpcFrame.Request(i, Mode.RESPONSE, 0, number(GET_HEADER, i)).toMessage());
            }
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.MISBEHAVIOUR);
            assertThat(node.peerManager().isBanned(raw.id())).isTrue();
            assertThat(node.rpc().refused()).isGreaterThanOrEqualTo(20);
            assertThat(node.rpc().requestsServed()).isLessThanOrEqualTo(21);
        }
    }

    @Test
    void creditsOverTheirLimitOrAReusedLiveIdAreProtocolErrors() throws Exception {
        P2pNode node = nodes.start();
        node.handleStreams(GET_BLOCKS, (peer, request) -> Flux.never());
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> node.peers().size() == 1);
            raw.send(new RpcFrame.Request(1, Mode.STREAM, RpcFrame.MAX_CREDITS, number(GET_BLOCKS, 0)).toMessage());
            raw.send(new RpcFrame.RequestN(1, RpcFrame.MAX_CREDITS).toMessage()); // saturates: not an overflow
            raw.send(Message.of(MessageType.MsgRequestN, ByteBuffer.allocate(8).putInt(1).putInt(-1).array())); // 2^32 − 1
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        }
        try (RawPeer raw = RawPeer.connectSecure(node.address())) {
            raw.send(new RpcFrame.Request(5, Mode.STREAM, 1, number(GET_BLOCKS, 0)).toMessage());
            raw.send(new RpcFrame.Request(5, Mode.STREAM, 1, number(GET_BLOCKS, 0)).toMessage()); // id 5 is live
            assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        }
    }

    /** What a raw responder answers to a stream's REQUEST (its stream id given). */
    @FunctionalInterface
    interface RawAnswer {
        void answer(RawPeer raw, long stream) throws java.io.IOException;
    }

    /**
     * A stream with one credit asked of a raw peer that answers with {@code answer}: the node
     * receives {@code good} items, then the stream fails with PROTOCOL and the node disconnects
     * the raw peer with a protocol error.
     */
    private void brokenResponder(int good, RawAnswer answer) throws Exception {
        brokenResponder(peer -> peer.requestStream(number(GET_BLOCKS, 0)), good, answer);
    }

    /** As above, for the call {@code call} makes of the raw peer (a request, or a stream asked with one credit). */
    private void brokenResponder(Function<Peer, Publisher<Message>> call, int good, RawAnswer answer) throws Exception {
        P2pNode node = nodes.start();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Peer> dialled = node.connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort())).toFuture();
            try (Socket socket = listener.accept(); RawPeer raw = RawPeer.acceptedSecure(socket)) {
                Peer toRaw = dialled.get(5, TimeUnit.SECONDS);
                StepVerifier.create(call.apply(toRaw), 1)
                        .then(() -> {
                            try {
                                Message m;
                                do {
                                    m = raw.read();
                                } while (!m.type().equals(MessageType.MsgRequest));
                                RpcFrame.Request r = (RpcFrame.Request) RpcFrame.decode(m);
                                if (r.mode() == Mode.STREAM) {
                                    assertThat(r.credits()).isEqualTo(1); // the subscriber's demand, no more
                                }
                                answer.answer(raw, r.stream());
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                        .expectNextCount(good)
                        .verifyErrorSatisfies(e -> assertThat(((RpcException) e).kind()).isEqualTo(RpcException.Kind.PROTOCOL));
                assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            }
        }
    }

    @Test
    void aResponderSendingBeyondTheCreditsItWasGivenIsAProtocolError() throws Exception {
        brokenResponder(1, (raw, stream) -> {
            raw.send(new RpcFrame.Response(stream, number(GET_BLOCKS, 1), false).toMessage());
            raw.send(new RpcFrame.Response(stream, number(GET_BLOCKS, 2), false).toMessage());
        });
    }

    @Test
    void fragmentsOfAnotherTypeOrPastTheMaximumOrEndingMidItemAreProtocolErrors() throws Exception {
        brokenResponder(0, (raw, stream) -> {
            raw.send(new RpcFrame.Response(stream, number(GET_BLOCKS, 1), false, true).toMessage());
            raw.send(new RpcFrame.Response(stream, number(GET_HEADER, 2), false).toMessage());
        });
        byte[] mib = new byte[1 << 20];
        brokenResponder(0, (raw, stream) -> {
            for (int i = 0; i < 5; i++) { // 5 MiB of one item: over the 4 MiB maximum message length
                raw.send(new RpcFrame.Response(stream, Message.of(GET_BLOCKS, mib), false, true).toMessage());
            }
        });
        brokenResponder(0, (raw, stream) -> {
            raw.send(new RpcFrame.Response(stream, number(GET_BLOCKS, 1), false, true).toMessage());
            raw.send(new RpcFrame.Response(stream, null, true).toMessage());
        });
    }

    @Test
    void aStreamNeverReadHoldsABoundedQueueAndItsPeerIsDisconnectedAsSlow() throws Exception {
        int queueBytes = 8 << 20; // the default
        P2pNode node = nodes.start(NodeConfig.builder()
                .slowPeerTimeout(Duration.ofMillis(500)).pingInterval(Duration.ofMillis(250)).maxMissedPongs(100));
        AtomicLong produced = new AtomicLong();
        byte[] block = new byte[64 * 1024];
        node.handleStreams(GET_BLOCKS, (peer, request) -> Flux.<Message>generate(sink -> sink.next(Message.of(GET_BLOCKS, block)))
                .doOnNext(m -> produced.incrementAndGet()));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(node.address());
            RawPeer raw = RawPeer.connectSecure(s);
            // A billion bytes of credit, and then never a read.
            raw.send(new RpcFrame.Request(1, Mode.STREAM, RpcFrame.MAX_CREDITS, number(GET_BLOCKS, 0)).toMessage());
            await().atMost(Duration.ofSeconds(10)).until(() -> node.peers().isEmpty());
            // What the responder produced: the socket buffers, the queue and one item, not the credits.
            assertThat(produced.get() * block.length).isLessThan(queueBytes + 16L * (1 << 20));
        }
    }
}
