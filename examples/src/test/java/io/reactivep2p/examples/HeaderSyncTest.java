package io.reactivep2p.examples;

import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.RpcException;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.sim.Latency;
import io.reactivep2p.sim.Links;
import io.reactivep2p.test.TestNetwork;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Asking one peer, tested on a simulated network's virtual time: node 1 fetches headers from
 * node 0 over a 50 ms link, by request-stream (its demand crosses the wire as credits, so each
 * batch costs one round trip) and by request (a peer that does not answer times out).
 */
class HeaderSyncTest {

    static final MessageType GET_HEADERS = MessageType.of(0x90, "GET_HEADERS");
    static final MessageType HEADER = MessageType.of(0x91, "HEADER");

    static Message height(MessageType type, long height) {
        return Message.of(type, ByteBuffer.allocate(8).putLong(height).array());
    }

    static long height(Message m) {
        return m.payload().getLong(0);
    }

    private static TestNetwork twoNodes() {
        Links link = Links.builder().latency(Latency.fixed(Duration.ofMillis(50))).build();
        return TestNetwork.builder().nodes(2).degree(1).model(link).seed(3).start();
    }

    @Test
    void headersComeAsTheSubscriberAsksForThemOneRoundTripPerBatch() {
        try (TestNetwork net = twoNodes()) {
            net.node(0).handleStreams(GET_HEADERS, (peer, request) ->
                    Flux.range(0, 100).map(i -> height(HEADER, height(request) + i)));
            Peer node0 = net.node(1).peers().iterator().next();

            StepVerifier.withVirtualTime(() -> node0.requestStream(height(GET_HEADERS, 1000)).map(HeaderSyncTest::height),
                            net::time, 0)
                    .expectSubscription()
                    .thenRequest(10)                               // REQUEST with 10 credits
                    .expectNoEvent(Duration.ofMillis(99))          // 50 ms there, 50 ms back
                    .thenAwait(Duration.ofMillis(1))
                    .expectNext(1000L, 1001L, 1002L, 1003L, 1004L, 1005L, 1006L, 1007L, 1008L, 1009L)
                    .expectNoEvent(Duration.ofSeconds(1))          // no credits, no headers
                    .thenRequest(90)                               // REQUEST_N 90
                    .thenAwait(Duration.ofMillis(100))
                    .expectNextCount(90)
                    .verifyComplete();
        }
    }

    @Test
    void aPeerThatDoesNotAnswerTimesOut() {
        try (TestNetwork net = twoNodes()) {
            net.node(0).handleRequests(GET_HEADERS, (peer, request) -> Mono.never());
            Peer node0 = net.node(1).peers().iterator().next();

            StepVerifier.withVirtualTime(() -> node0.request(height(GET_HEADERS, 7), Duration.ofSeconds(2)),
                            net::time, 1)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofMillis(1999))
                    .thenAwait(Duration.ofMillis(1))
                    .expectErrorMatches(e -> e instanceof RpcException re && re.kind() == RpcException.Kind.TIMEOUT)
                    .verify();
        }
    }
}
