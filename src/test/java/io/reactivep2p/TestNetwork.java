package io.reactivep2p;

import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Nodes on loopback in one JVM, for network tests; closing it stops every node it started. */
final class TestNetwork implements AutoCloseable {

    private final List<P2pNode> nodes = new ArrayList<>();

    /**
     * Starts a node on 127.0.0.1 with one event loop, no dialer of its own, and 65,536 seen ids
     * (1 MiB) instead of the default 16 MiB: up to 50 nodes share the test JVM's heap.
     */
    P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.listenHost("127.0.0.1").eventLoopThreads(1).outboundTarget(0)
                .seenCacheSize(1 << 16).build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(5));
    }

    P2pNode start() {
        return start(NodeConfig.builder());
    }

    static void connect(P2pNode from, P2pNode to) {
        from.connect(to.address()).block(Duration.ofSeconds(10));
    }

    /** A random connected topology: a random tree, then random edges up to about {@code degree} per node. */
    List<P2pNode> random(int size, int degree, long seed) {
        return random(size, degree, seed, NodeConfig::builder);
    }

    /** {@link #random(int, int, long)} with nodes configured by {@code config}. */
    List<P2pNode> random(int size, int degree, long seed, java.util.function.Supplier<NodeConfig.Builder> config) {
        List<P2pNode> net = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            net.add(start(config.get()));
        }
        Topology.random(size, degree, new Random(seed)).connect(net, Duration.ofSeconds(30)).block();
        return net;
    }

    /** Three nodes a - b - c: what c gets from a went through b. */
    List<P2pNode> line() {
        return line(NodeConfig.builder(), NodeConfig.builder(), NodeConfig.builder());
    }

    /** Three nodes a - b - c, each with its configuration. */
    List<P2pNode> line(NodeConfig.Builder a, NodeConfig.Builder b, NodeConfig.Builder c) {
        List<P2pNode> line = List.of(start(a), start(b), start(c));
        connect(line.get(0), line.get(1));
        connect(line.get(1), line.get(2));
        return line;
    }

    @Override
    public void close() {
        nodes.parallelStream().forEach(P2pNode::close);
        nodes.clear();
    }
}
