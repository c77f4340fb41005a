package io.reactivep2p.examples.spring;

import static org.awaitility.Awaitility.await;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import java.time.Duration;

/**
 * A second node in the test JVM, on 127.0.0.1, that dials the application's node as a remote
 * peer would. One event loop, no dialer, a small seen-cache.
 */
final class TestPeer implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(20);

    private final P2pNode node;
    private final P2pNode app;

    private TestPeer(P2pNode node, P2pNode app) {
        this.node = node;
        this.app = app;
    }

    /** A started node, not connected yet. */
    static TestPeer start(P2pNode app) {
        P2pNode node = P2pNode.create(NodeConfig.builder()
                .listenHost("127.0.0.1")
                .eventLoopThreads(1)
                .outboundTarget(0)
                .seenCacheSize(1 << 12)
                .build());
        return new TestPeer(node.start().block(WAIT), app);
    }

    /** A started node, connected: both sides have admitted each other. */
    static TestPeer connected(P2pNode app) {
        TestPeer peer = start(app);
        peer.connect();
        return peer;
    }

    /** Dials the application's node and waits until it has admitted this one too. */
    void connect() {
        node.connect(app.address()).block(WAIT);
        await().atMost(WAIT).until(() -> app.peers().stream().anyMatch(p -> p.id().equals(node.id())));
    }

    P2pNode node() {
        return node;
    }

    String idHex() {
        return node.id().toHex();
    }

    /** Stops this node (DISCONNECT to the application's) and waits until the application's node has let it go. */
    @Override
    public void close() {
        node.close();
        await().atMost(WAIT).until(() -> app.peers().stream().noneMatch(p -> p.id().equals(node.id())));
    }
}
