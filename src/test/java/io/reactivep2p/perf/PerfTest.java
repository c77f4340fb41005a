package io.reactivep2p.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.RawPeer;
import io.reactivep2p.peer.Disconnection;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The perf protocol between two nodes on loopback, and a server facing bad clients. */
class PerfTest {

    private final List<P2pNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(P2pNode::close);
    }

    private P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.listenHost("127.0.0.1").eventLoopThreads(1).build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(5));
    }

    private P2pNode perfNode() {
        return start(Perf.configure(NodeConfig.builder()));
    }

    @Test
    void aRunUploadsThenDownloadsAndBothSidesCountEveryByte() {
        P2pNode server = perfNode();
        P2pNode client = perfNode();
        PerfServer perf = PerfServer.attach(server, 1L << 30, 256 * 1024);
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        long upload = 5L * 1024 * 1024 + 123; // full chunks and a remainder
        long download = 3L * 1024 * 1024 + 7;

        PerfResult r = PerfClient.run(client, peer, upload, download, 64 * 1024, PerfClient.Data.RANDOM)
                .block(Duration.ofSeconds(30));

        assertThat(r.upload()).isEqualTo(upload);
        assertThat(r.download()).isEqualTo(download);
        assertThat(r.uploadNanos()).isPositive();
        assertThat(r.downloadNanos()).isPositive();
        assertThat(r.totalNanos()).isEqualTo(r.uploadNanos() + r.downloadNanos());
        assertThat(r.uploadBitsPerSecond()).isPositive();
        assertThat(perf.bytesReceived()).isEqualTo(upload);
        org.awaitility.Awaitility.await().until(() -> perf.served() == 1);
        assertThat(perf.bytesSent()).isEqualTo(download);
        // random data does not compress: the wire carries at least the payload
        assertThat(client.bytesSent()).isGreaterThan(upload);
    }

    @Test
    void zerosTravelCompressedWhenBothSidesSpeakLz4() {
        P2pNode server = perfNode();
        P2pNode client = perfNode();
        PerfServer.attach(server, 1L << 30);
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        long upload = 8L * 1024 * 1024;
        PerfResult r = PerfClient.run(client, peer, upload, 0, Perf.DEFAULT_CHUNK, PerfClient.Data.ZEROS)
                .block(Duration.ofSeconds(30));
        assertThat(r.upload()).isEqualTo(upload);
        assertThat(r.downloadNanos()).isZero();
        assertThat(client.bytesSent()).isLessThan(upload / 50);
    }

    @Test
    void latencySamplesAreRoundTripsOfEchoes() {
        P2pNode server = perfNode();
        P2pNode client = perfNode();
        PerfServer perf = PerfServer.attach(server, 0);
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        long before = client.bytesSent();
        long[] samples = PerfClient.latency(client, peer, 200).block(Duration.ofSeconds(30));
        assertThat(samples).hasSize(200);
        assertThat(java.util.Arrays.stream(samples).min().orElseThrow()).isPositive();
        assertThat(perf.echoed()).isEqualTo(200);
        assertThat(perf.served()).isZero(); // no run was started
        // one message of 16 bytes each way per sample: a 22-byte inner frame in a record of its own
        // (2-byte length, 16-byte tag); pings may add a few
        assertThat(client.bytesSent() - before).isBetween(200L * 40, 200L * 40 + 1000);
    }

    @Test
    void anEchoComesBackAsItWasSent() {
        P2pNode server = perfNode();
        P2pNode client = perfNode();
        PerfServer.attach(server, 0);
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        StepVerifier.create(client.messages(Perf.ECHO).map(pm -> pm.message().payload()).next())
                .then(() -> peer.send(Perf.control(Perf.ECHO, 42, -7)).subscribe())
                .assertNext(payload -> {
                    assertThat(payload.getLong(0)).isEqualTo(42);
                    assertThat(payload.getLong(8)).isEqualTo(-7);
                })
                .verifyComplete();
    }

    @Test
    void latencyFailsWhenTheConnectionClosesBeforeTheLastAnswer() {
        P2pNode server = perfNode(); // no PerfServer: the first sample is never answered
        P2pNode client = perfNode();
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        StepVerifier.create(PerfClient.latency(client, peer, 10))
                .then(() -> server.stop().block(Duration.ofSeconds(10)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("connection closed"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void nodesNotConfiguredForPerfAreRefused() {
        P2pNode plain = start(NodeConfig.builder());
        assertThatThrownBy(() -> PerfServer.attach(plain, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Perf.configure");
        P2pNode node = perfNode();
        assertThatThrownBy(() -> PerfServer.attach(node, 1, node.config().frameSettings().maxMessageLength()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk");
    }

    @Test
    void theClientFailsWhenTheServerGoesAwayMidRun() {
        P2pNode server = perfNode(); // no PerfServer: nobody answers
        P2pNode client = perfNode();
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        StepVerifier.create(PerfClient.run(client, peer, 1000, 1000, 100, PerfClient.Data.ZEROS))
                .then(() -> server.stop().block(Duration.ofSeconds(10)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("connection closed"))
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void aServerDisconnectsClientsThatBreakTheProtocolOrItsLimits() {
        P2pNode server = perfNode();
        PerfServer.attach(server, 1000);
        List<Message> bad = List.of(
                Perf.control(Perf.START, 1, 1001),                                  // asks above the limit
                Perf.control(Perf.START, 1, -1),                                    // 2^64 - 1 bytes
                Message.wrap(Perf.START, new byte[15]),                             // short
                Message.wrap(Perf.DATA, ByteBuffer.allocate(12).putLong(7).array()), // run never started
                Perf.control(Perf.DONE, 7, 0),                                      // run never started
                Message.wrap(Perf.DATA, new byte[3]),                               // no run id
                Message.wrap(Perf.ECHO, new byte[15]),                              // short
                Message.wrap(Perf.ECHO, new byte[17]));                             // long
        for (Message m : bad) {
            P2pNode client = perfNode();
            Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
            peer.send(m).block(Duration.ofSeconds(5));
            Disconnection why = peer.onClose().block(Duration.ofSeconds(10));
            assertThat(why.reason()).as("%s", m).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            assertThat(why.detail()).as("%s", m).startsWith("perf: ");
        }
    }

    @Test
    void runsInProgressPerPeerAreBounded() {
        P2pNode server = perfNode();
        PerfServer.attach(server, 1000);
        P2pNode client = perfNode();
        Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
        for (int run = 0; run < PerfServer.MAX_RUNS_PER_PEER; run++) {
            peer.send(Perf.control(Perf.START, run, 10)).block();
        }
        assertThat(peer.isActive()).isTrue();
        peer.send(Perf.control(Perf.START, 1_000, 10)).block();
        Disconnection why = peer.onClose().block(Duration.ofSeconds(10));
        assertThat(why.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        assertThat(why.detail()).contains("runs in progress");
    }

    /**
     * A run counts until its download is written, not only while it uploads: a client that
     * starts and ends runs asking for large downloads, and never reads them, cannot make the
     * server answer more than {@link PerfServer#MAX_RUNS_PER_PEER} at once.
     */
    @Test
    void runsBeingAnsweredCountAgainstTheLimitToo() throws Exception {
        P2pNode server = perfNode();
        PerfServer.attach(server, 1L << 30);
        try (RawPeer raw = RawPeer.connectSecure(server.address())) { // never reads
            org.awaitility.Awaitility.await().until(() -> !server.peers().isEmpty());
            Peer client = server.peers().iterator().next();
            for (int run = 0; run < PerfServer.MAX_RUNS_PER_PEER; run++) {
                raw.send(Perf.control(Perf.START, run, 1L << 30));
                raw.send(Perf.control(Perf.DONE, run, 0));
            }
            raw.send(Perf.control(Perf.START, 1_000, 10));
            Disconnection why = client.onClose().block(Duration.ofSeconds(10));
            assertThat(why.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            assertThat(why.detail()).contains("runs in progress");
        }
    }

    @Test
    void aClientStillUploadingWhenRefusedLearnsWhy() {
        P2pNode server = perfNode();
        PerfServer.attach(server, 1000);
        for (int i = 0; i < 5; i++) {
            P2pNode client = perfNode();
            Peer peer = client.connect(server.address()).block(Duration.ofSeconds(5));
            // Refused at its START, while 64 MiB more of its upload are on the way: the server
            // drains them instead of resetting the connection, so its DISCONNECT arrives.
            StepVerifier.create(PerfClient.run(client, peer, 64L << 20, 1001, 64 * 1024, PerfClient.Data.ZEROS))
                    .expectError(IllegalStateException.class)
                    .verify(Duration.ofSeconds(30));
            Disconnection why = peer.onClose().block(Duration.ofSeconds(10));
            assertThat(why.reason()).isEqualTo(DisconnectReason.PROTOCOL_ERROR);
            assertThat(why.detail()).contains("above 1000");
            client.close();
        }
    }
}
