package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.sim.Simulation;
import io.reactivep2p.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simulator against real sockets: one 50-node network, the same topology and the same
 * transactions from the same origins, once on loopback TCP and once simulated with zero
 * latency. Flooding's deliveries and duplicates depend only on the topology (each node relays
 * to every neighbour but the one it first heard from: 2E − (n − 1) copies per transaction, of
 * which n − 1 are first arrivals), so they agree exactly; propagation times do not compare (on
 * virtual time the nodes' own work takes no time, and zero latency is zero).
 */
class SimulationFidelityTest {

    private static final int NODES = 50;
    private static final int TRANSACTIONS = 20;

    /** What a run counted, all nodes together. */
    private record Counts(long delivered, long duplicates) {
    }

    @Test
    void deliveriesAndDuplicatesAgreeExactlyWithLoopbackSockets() {
        Topology topology = Topology.random(NODES, 4, new Random(11));
        List<Transaction> txs = transactions();
        Counts sockets = onLoopback(topology, txs);
        Counts simulated = simulated(topology, txs);

        long copies = 2L * topology.links().size() - (NODES - 1);
        assertThat(sockets).isEqualTo(new Counts(TRANSACTIONS * (NODES - 1L),
                TRANSACTIONS * (copies - (NODES - 1))));
        assertThat(simulated).isEqualTo(sockets);
    }

    private static List<Transaction> transactions() {
        Random random = new Random(12);
        List<Transaction> txs = new ArrayList<>();
        for (int i = 0; i < TRANSACTIONS; i++) {
            byte[] from = new byte[Address.LENGTH];
            random.nextBytes(from);
            txs.add(Transaction.builder().from(Address.of(from)).to(Address.of(new byte[Address.LENGTH])).nonce(0)
                    .gasPrice(1 + i).gasLimit(21_000).build());
        }
        return txs;
    }

    private static int origin(int i) {
        return (i * 7) % NODES;
    }

    private static Counts onLoopback(Topology topology, List<Transaction> txs) {
        try (TestNetwork net = new TestNetwork()) {
            List<P2pNode> nodes = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                nodes.add(net.start(NodeConfig.builder().seenCacheSize(1 << 12)));
            }
            topology.connect(nodes, Duration.ofSeconds(60)).block();
            for (int i = 0; i < txs.size(); i++) {
                nodes.get(origin(i)).submit(txs.get(i)).block(Duration.ofSeconds(5));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> counts(nodes).delivered() == TRANSACTIONS * (NODES - 1L)
                    && nodes.stream().allMatch(n -> n.mempool().size() == TRANSACTIONS));
            // Late duplicates still on their way: wait until the count stops at what the topology gives.
            long expected = TRANSACTIONS * (2L * topology.links().size() - 2L * (NODES - 1));
            await().atMost(Duration.ofSeconds(30)).until(() -> counts(nodes).duplicates() >= expected);
            return counts(nodes);
        }
    }

    private static Counts simulated(Topology topology, List<Transaction> txs) {
        try (Simulation sim = Simulation.builder().seed(13).build()) {
            List<P2pNode> nodes = sim.addNodes(NODES, c -> c.outboundTarget(0).seenCacheSize(1 << 12));
            sim.startAll();
            sim.connect(topology);
            for (int i = 0; i < txs.size(); i++) {
                sim.await(nodes.get(origin(i)).submit(txs.get(i)), Duration.ofSeconds(5));
            }
            sim.runFor(Duration.ofSeconds(5));
            return counts(nodes);
        }
    }

    /** Deliveries: every pool's transactions but the origin's own; duplicates: gossip's count. */
    private static Counts counts(List<P2pNode> nodes) {
        long pooled = 0;
        long duplicates = 0;
        for (P2pNode n : nodes) {
            pooled += n.mempool().size();
            duplicates += n.gossip().duplicates();
        }
        return new Counts(pooled - TRANSACTIONS, duplicates);
    }
}
