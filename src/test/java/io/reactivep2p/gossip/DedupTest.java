package io.reactivep2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.peer.TestPeers;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class DedupTest {

    private final EmbeddedChannel channelA = new EmbeddedChannel();
    private final EmbeddedChannel channelB = new EmbeddedChannel();
    private final Peer a = TestPeers.peer(channelA);
    private final Peer b = TestPeers.peer(channelB);
    private final Dedup dedup = Dedup.of(SeenCache.create(1024, Duration.ofMinutes(1)), MessageIds.withSeed(1));

    @AfterEach
    void close() {
        channelA.finishAndReleaseAll();
        channelB.finishAndReleaseAll();
    }

    private static PeerMessage pm(Peer from, MessageType type, String text) {
        return new PeerMessage(from, Message.of(type, text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void passesFirstSightingsWhicheverPeerSentThemAndCountsRepeats() {
        PeerMessage x = pm(a, MessageType.MsgTx, "x");
        PeerMessage xAgain = pm(b, MessageType.MsgTx, "x");
        PeerMessage y = pm(b, MessageType.MsgTx, "y");
        PeerMessage xBlock = pm(a, MessageType.MsgBlock, "x"); // same payload, another type: another message
        StepVerifier.create(Flux.just(x, xAgain, y, x, xBlock).transform(dedup))
                .expectNext(x, y, xBlock)
                .verifyComplete();
        assertThat(dedup.passed()).isEqualTo(3);
        assertThat(dedup.duplicates()).isEqualTo(2);
    }

    @Test
    void honoursDemandAndSharesTheSeenSetAcrossStreams() {
        Sinks.Many<PeerMessage> source = Sinks.many().unicast().onBackpressureBuffer();
        PeerMessage first = pm(a, MessageType.MsgTx, "1");
        PeerMessage second = pm(a, MessageType.MsgTx, "2");
        StepVerifier.create(source.asFlux().transform(dedup), 0)
                .then(() -> {
                    source.tryEmitNext(first);
                    source.tryEmitNext(first);
                    source.tryEmitNext(second);
                })
                .expectNoEvent(Duration.ofMillis(50)) // nothing requested yet
                .thenRequest(1)
                .expectNext(first)
                .thenRequest(1)
                .expectNext(second) // the repeat was dropped, not handed on
                .then(source::tryEmitComplete)
                .verifyComplete();
        // A second stream through the same operator: what the first passed is a repeat here.
        StepVerifier.create(Flux.just(first, pm(b, MessageType.MsgTx, "3")).transform(dedup))
                .expectNextMatches(pm -> new String(pm.message().payloadBytes(), StandardCharsets.UTF_8).equals("3"))
                .verifyComplete();
        assertThat(dedup.duplicates()).isEqualTo(2);
    }
}
