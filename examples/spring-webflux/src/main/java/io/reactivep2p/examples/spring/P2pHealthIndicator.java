package io.reactivep2p.examples.spring;

import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.PeerManager;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The node's health: {@code UP} with at least one connected peer, {@code DOWN} with none.
 *
 * <p>A node without peers is running but useless: what it is given reaches nobody, and it
 * hears nothing. That is {@code DOWN} ("not functioning as expected"), not
 * {@code OUT_OF_SERVICE}, which Actuator reserves for a component deliberately taken out of
 * use. Both map to HTTP 503, so a load balancer or monitor sees it either way.
 *
 * <p>The first node of a new network has no peers until someone dials it; so this indicator
 * belongs in a readiness check, never in a liveness check (a restart would not find it peers).
 * {@code application.yml} adds it to the {@code readiness} group.
 *
 * <p>Details: the peer counts by direction, the listen address, the node id and the pool size.
 * It reads counters only: it neither blocks nor does I/O.
 */
final class P2pHealthIndicator implements HealthIndicator {

    private final P2pNode node;

    P2pHealthIndicator(P2pNode node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    @Override
    public Health health() {
        PeerManager peers = node.peerManager();
        int connected = node.peers().size();
        return (connected > 0 ? Health.up() : Health.down())
                .withDetail("peers", connected)
                .withDetail("inbound", peers.inboundCount())
                .withDetail("outbound", peers.outboundCount())
                .withDetail("listenAddress", listenAddress())
                .withDetail("nodeId", node.id().toHex())
                .withDetail("mempoolSize", node.mempool().size())
                .build();
    }

    private String listenAddress() {
        try {
            return node.address().toString();
        } catch (IllegalStateException notStarted) {
            return "not listening";
        }
    }
}
