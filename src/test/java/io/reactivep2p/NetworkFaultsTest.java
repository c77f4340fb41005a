package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults around a network of 30 nodes that find each other through seeds and peer exchange:
 * nodes killed abruptly in the middle of gossip, then restarted; the network split in two by
 * dropping every packet between the halves, then healed. Delivery is checked message by
 * message, node by node.
 */
class NetworkFaultsTest {

    private static final Logger log = LoggerFactory.getLogger(NetworkFaultsTest.class);
    private static final int NODES = 30;
    private static final int KILLED = 9; // 30 %
    private static final String NFT_TABLE = "reactive_p2p_partition_test";

    private final List<P2pNode> nodes = new ArrayList<>();
    /** Message number → the nodes (by index in {@link #nodes}) that received it. */
    private final Map<Integer, Set<Integer>> received = new ConcurrentHashMap<>();
    private final AtomicInteger published = new AtomicInteger();
    private final Random random = new Random(7);
    private Process child;

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        heal();
        nodes.forEach(P2pNode::close);
    }

    /** Starts a node, subscribed to record what it receives. */
    private P2pNode start(NodeConfig.Builder config) {
        P2pNode node = P2pNode.create(config.build());
        int index = nodes.size();
        nodes.add(node);
        node.messages(FaultNodes.APP).subscribe((PeerMessage m) ->
                received.computeIfAbsent(m.message().payload().getInt(0), k -> ConcurrentHashMap.newKeySet()).add(index));
        return node.start().block(Duration.ofSeconds(10));
    }

    /** Broadcasts the next numbered message from {@code origin}; returns its number. */
    private int publish(P2pNode origin) {
        int seq = published.getAndIncrement();
        received.computeIfAbsent(seq, k -> ConcurrentHashMap.newKeySet()).add(nodes.indexOf(origin));
        origin.broadcast(message(seq)).block();
        return seq;
    }

    private static Message message(int seq) {
        return Message.of(FaultNodes.APP, ByteBuffer.allocate(64).putInt(seq).array());
    }

    /** Waits until every message in {@code seqs} reached every node in {@code at}; logs what is missing if not. */
    private void awaitDelivered(List<Integer> seqs, List<P2pNode> at, Duration within) {
        Set<Integer> indexes = ConcurrentHashMap.newKeySet();
        at.forEach(n -> indexes.add(nodes.indexOf(n)));
        try {
            untilEveryoneHas(seqs, indexes, within);
        } catch (AssertionError | RuntimeException e) {
            for (int seq : seqs) {
                for (int i : indexes) {
                    if (!received.getOrDefault(seq, Set.of()).contains(i)) {
                        P2pNode n = nodes.get(i);
                        log.warn("message {} missing at node {}: seen by its gossip {}, deliveries dropped {}, peers {}",
                                seq, i, n.gossip().seen().contains(n.gossip().ids().dedupKey(message(seq))),
                                n.droppedDeliveries(), n.peers());
                    }
                }
            }
            throw e;
        }
    }

    private void untilEveryoneHas(List<Integer> seqs, Set<Integer> indexes, Duration within) {
        await().atMost(within).untilAsserted(() -> {
            for (int seq : seqs) {
                assertThat(received.getOrDefault(seq, Set.of())).as("nodes that got message %d", seq)
                        .containsAll(indexes);
            }
        });
    }

    private static long outbound(P2pNode node) {
        return node.peers().stream().filter(p -> p.direction() == Direction.OUTBOUND && p.isActive()).count();
    }

    /**
     * Whether every node of {@code group} has its outbound slots full, or is connected to all
     * {@code live} nodes but itself already (nothing is left to dial).
     */
    private static boolean slotsFull(List<P2pNode> group, int live) {
        return group.stream().allMatch(n -> outbound(n) == FaultNodes.OUTBOUND_TARGET
                || n.peers().stream().filter(Peer::isActive).count() == live - 1);
    }

    // ---- kill ----

    /**
     * 30 nodes, 9 of them in a JVM of their own. While the 21 others gossip, that JVM is
     * killed: every message published from then on reaches every survivor, and the survivors'
     * outbound slots are full again within 10 s. The 9 restart on their ports and rejoin: new
     * messages reach all 30.
     */
    @Test
    void thirtyPercentKilledMidGossipThenRestarted() throws Exception {
        String host = "127.0.0.1";
        List<P2pNode> survivors = new ArrayList<>();
        for (int i = 0; i < NODES - KILLED; i++) {
            survivors.add(start(FaultNodes.config(host, 0, seeds(survivors))));
        }
        List<Integer> victimPorts = startChild(KILLED, host, seeds(survivors));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(slotsFull(survivors, NODES)).as("outbound slots full (outbound/peers): %s",
                    survivors.stream().map(n -> outbound(n) + "/" + n.peers().size()).toList()).isTrue();
            assertThat(victimPorts).as("victims connected to survivors")
                    .allMatch(port -> survivors.stream().anyMatch(s -> hasPeerOnPort(s, port)));
        });

        AtomicBoolean gossiping = new AtomicBoolean(true);
        AtomicInteger firstAfterKill = new AtomicInteger(-1);
        Thread publisher = new Thread(() -> {
            while (gossiping.get()) {
                publish(survivors.get(random.nextInt(survivors.size())));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // pacing: about 100 messages/s
            }
        }, "publisher");
        publisher.start();
        await().until(() -> published.get() >= 100); // gossip under way

        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();
        firstAfterKill.set(published.get());
        await().atMost(Duration.ofSeconds(10)).until(() -> survivors.stream()
                .noneMatch(s -> victimPorts.stream().anyMatch(port -> hasPeerOnPort(s, port))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(slotsFull(survivors, survivors.size()))
                .as("outbound slots full again (outbound/peers): %s",
                        survivors.stream().map(n -> outbound(n) + "/" + n.peers().size()).toList()).isTrue());
        double refill = (System.nanoTime() - killedAt) / 1e9;
        await().until(() -> published.get() >= firstAfterKill.get() + 200);
        gossiping.set(false);
        publisher.join();
        List<Integer> afterKill = range(firstAfterKill.get(), published.get());
        awaitDelivered(afterKill, survivors, Duration.ofSeconds(10));
        log.info("killed {} of {} nodes: survivors' outbound slots full again {} s later; {} messages published"
                + " after the kill reached all {} survivors", KILLED, NODES, String.format("%.2f", refill),
                afterKill.size(), survivors.size());

        // Restart the killed nodes on their ports: they rejoin and get what is published next.
        for (int port : victimPorts) {
            start(FaultNodes.config(host, port, seeds(survivors)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> slotsFull(nodes, NODES));
        List<Integer> afterRestart = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            afterRestart.add(publish(nodes.get(random.nextInt(nodes.size()))));
        }
        awaitDelivered(afterRestart, nodes, Duration.ofSeconds(10));
    }

    /** Two nodes of {@code from} at random (fewer when it has fewer): a node's seeds. */
    private List<InetSocketAddress> seeds(List<P2pNode> from) {
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 0; i < Math.min(2, from.size()); i++) {
            seeds.add(from.get(random.nextInt(from.size())).address());
        }
        return seeds;
    }

    private static boolean hasPeerOnPort(P2pNode node, int port) {
        return node.peers().stream().anyMatch(p -> p.isActive()
                && (p.remoteAddress().getPort() == port || p.listenAddress().map(a -> a.getPort() == port).orElse(false)));
    }

    /**
     * Starts {@link FaultNodes#main} with {@code count} nodes in a JVM of its own; returns their
     * ports. They are fixed, and below the kernel's ephemeral range: a node that restarts on a
     * port of that range may find it taken by the source port of some outbound connection.
     */
    private List<Integer> startChild(int count, String host, List<InetSocketAddress> seeds) throws IOException {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            int port = 20_000 + random.nextInt(12_000);
            if (!ports.contains(port) && free(host, port)) {
                ports.add(port);
            }
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dio.netty.leakDetection.level=disabled",
                "--enable-native-access=ALL-UNNAMED", // Netty's epoll, lz4-java: no warning on JDK 24+
                "-cp", System.getProperty("java.class.path"),
                FaultNodes.class.getName(), host,
                String.join(",", ports.stream().map(String::valueOf).toList())));
        seeds.forEach(s -> command.add(s.getHostString() + ":" + s.getPort()));
        child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        do {
            line = out.readLine();
        } while (line != null && !line.equals("READY"));
        assertThat(line).as("the child's nodes started").isEqualTo("READY");
        return ports;
    }

    private static boolean free(String host, int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // ---- partition ----

    /**
     * 30 nodes, 15 on 127.0.1.x and 15 on 127.0.2.x, connected across the halves. Then every
     * packet between the halves is dropped (nftables; needs root): the connections across go
     * silent and time out, messages published in each half reach every node of that half and
     * none of the other. Then the link heals: outbound rotation (1 s here) makes connections
     * across again, and new messages reach all 30.
     */
    @Test
    void splitInTwoThenHealed() throws Exception {
        assumeTrue(nft("list", "tables"), "needs nftables and root");
        heal(); // a table left by an earlier run
        List<P2pNode> a = new ArrayList<>();
        List<P2pNode> b = new ArrayList<>();
        for (int i = 1; i <= NODES / 2; i++) {
            for (List<P2pNode> half : List.of(a, b)) {
                String host = (half == a ? "127.0.1." : "127.0.2.") + i;
                half.add(start(FaultNodes.config(host, 0, seeds(nodes)).outboundRotation(Duration.ofSeconds(1))));
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> slotsFull(nodes, NODES) && crossLinks() > 0);

        partition();
        long splitAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> crossLinks() == 0);
        log.info("partition: the last connection across closed {} s after the split",
                String.format("%.2f", (System.nanoTime() - splitAt) / 1e9));
        List<Integer> inA = new ArrayList<>();
        List<Integer> inB = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            inA.add(publish(a.get(random.nextInt(a.size()))));
            inB.add(publish(b.get(random.nextInt(b.size()))));
        }
        awaitDelivered(inA, a, Duration.ofSeconds(10));
        awaitDelivered(inB, b, Duration.ofSeconds(10));
        Set<Integer> indexesOfB = ConcurrentHashMap.newKeySet();
        b.forEach(n -> indexesOfB.add(nodes.indexOf(n)));
        for (int seq : inA) { // the split was real: nothing crossed it
            assertThat(received.get(seq)).doesNotContainAnyElementsOf(indexesOfB);
        }

        heal();
        long healedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> crossLinks() >= 2);
        log.info("healed: {} connections across {} s later", crossLinks(),
                String.format("%.2f", (System.nanoTime() - healedAt) / 1e9));
        List<Integer> afterHeal = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            afterHeal.add(publish(nodes.get(random.nextInt(nodes.size()))));
        }
        awaitDelivered(afterHeal, nodes, Duration.ofSeconds(10));
        assertThat(nodes.stream().mapToLong(n -> n.discovery().rotations()).sum()).isPositive();
    }

    /** Connections between the halves (the third byte of the address tells the half), counted at both ends. */
    private long crossLinks() {
        long links = 0;
        for (P2pNode n : nodes) {
            byte half = n.address().getAddress().getAddress()[2];
            links += n.peers().stream()
                    .filter(p -> p.isActive() && p.remoteAddress().getAddress().getAddress()[2] != half).count();
        }
        return links;
    }

    private static void partition() throws Exception {
        assertThat(nft("add", "table", "inet", NFT_TABLE)).isTrue();
        assertThat(nft("add", "chain", "inet", NFT_TABLE, "out",
                "{ type filter hook output priority 0; policy accept; }")).isTrue();
        assertThat(nft("add", "rule", "inet", NFT_TABLE, "out",
                "ip", "saddr", "127.0.1.0/24", "ip", "daddr", "127.0.2.0/24", "drop")).isTrue();
        assertThat(nft("add", "rule", "inet", NFT_TABLE, "out",
                "ip", "saddr", "127.0.2.0/24", "ip", "daddr", "127.0.1.0/24", "drop")).isTrue();
    }

    private static void heal() throws Exception {
        if (nft("list", "table", "inet", NFT_TABLE)) {
            assertThat(nft("delete", "table", "inet", NFT_TABLE)).isTrue();
        }
    }

    /** Runs {@code nft} with these arguments; whether it succeeded (false when it is missing). */
    private static boolean nft(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("nft");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }
}
