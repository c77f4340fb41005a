package io.reactivep2p.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** {@link BlockSync} over loopback: every block arrives, checked, from one peer and from three. */
class BlockSyncTest {

    private final List<P2pNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(P2pNode::close);
    }

    private P2pNode start() {
        P2pNode node = P2pNode.create(NodeConfig.builder().listenHost("127.0.0.1").outboundTarget(0).build());
        nodes.add(node);
        return node.start().block(Duration.ofSeconds(10));
    }

    @Test
    void aNodeFetchesEveryBlockFromOnePeerAndFromThree() {
        P2pNode fetcher = start();
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            P2pNode server = start();
            BlockSync.serve(server, 4096);
            peers.add(fetcher.connect(server.address()).block(Duration.ofSeconds(10)));
        }
        StepVerifier.create(BlockSync.fetch(peers.subList(0, 1), 650, 4096)).expectNext(650L).verifyComplete();
        StepVerifier.create(BlockSync.fetch(peers, 650, 4096)).expectNext(650L).verifyComplete();
        assertThat(fetcher.rpc().requestsSent()).isEqualTo(7 + 7); // 100-block chunks
        assertThat(nodes.stream().skip(1).mapToLong(n -> n.rpc().requestsServed()).sum()).isEqualTo(14);
    }
}
