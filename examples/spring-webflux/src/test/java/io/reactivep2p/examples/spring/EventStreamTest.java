package io.reactivep2p.examples.spring;

import static io.reactivep2p.examples.spring.TestPeer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Transaction;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@code GET /events}: server-sent events of the transactions and peers the node sees. */
class EventStreamTest extends AppTestBase {

    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT =
            new ParameterizedTypeReference<>() { };

    /**
     * The stream, open: the response has arrived, which the application sends only once its
     * subscriptions to the node are in place (the opening comment).
     */
    private Flux<ServerSentEvent<Map<String, Object>>> openEvents() {
        return client.get().uri("/events").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(EVENT)
                .getResponseBody();
    }

    private static Flux<ServerSentEvent<Map<String, Object>>> named(Flux<ServerSentEvent<Map<String, Object>>> events,
                                                                  String name) {
        return events.filter(e -> name.equals(e.event()));
    }

    @Test
    void events_beginWithAComment() {
        StepVerifier.create(openEvents())
                .assertNext(e -> {
                    assertThat(e.comment()).isEqualTo("connected");
                    assertThat(e.data()).isNull();
                })
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void events_carryEachTransactionFromAPeer() {
        peer = TestPeer.connected(app);
        String from = TestTransactions.newSender();
        Transaction tx = TestTransactions.tx(from, 0, 77);

        StepVerifier.create(named(openEvents(), "tx"))
                .then(() -> assertThat(peer.node().submit(tx).block(WAIT)).isEqualTo(AddResult.ADDED))
                .assertNext(e -> assertThat(e.data())
                        .containsEntry("id", tx.id().toHex())
                        .containsEntry("peer", peer.idHex())
                        .containsEntry("from", from)
                        .containsEntry("gasPrice", 77)
                        .containsEntry("size", tx.size()))
                .thenCancel()
                .verify(WAIT);
    }

    @Test
    void events_carryPeersConnectingAndDisconnecting() {
        peer = TestPeer.start(app);

        StepVerifier.create(named(openEvents(), "peer"))
                .then(peer::connect)
                .assertNext(e -> assertThat(e.data())
                        .containsEntry("type", "CONNECTED")
                        .containsEntry("peer", peer.idHex())
                        .containsEntry("direction", "INBOUND")
                        .containsEntry("reason", null))
                .then(peer::close)
                .assertNext(e -> assertThat(e.data())
                        .containsEntry("type", "DISCONNECTED")
                        .containsEntry("peer", peer.idHex())
                        .containsEntry("reason", "REQUESTED")
                        .containsEntry("side", "REMOTE"))
                .thenCancel()
                .verify(WAIT);
        peer = null;
    }

    @Test
    void events_completeWhenTheApplicationStops_andStreamsOpenedLaterCompleteAtOnce() {
        EventStreamController controller = new EventStreamController(app);
        controller.start();

        StepVerifier.create(controller.events())
                .assertNext(e -> assertThat(e.comment()).isEqualTo("connected"))
                .then(controller::stop)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(controller.events()).expectComplete().verify(WAIT);
    }
}
