package io.reactivep2p.metrics;

import io.reactivep2p.gossip.Gossip;
import io.reactivep2p.mempool.Mempool;
import io.reactivep2p.peer.PeerManager;
import io.reactivep2p.peer.RpcService;

/**
 * What a {@link MetricsRecorder} reads from a node rather than being told: the counters and
 * sizes its components keep anyway. A {@code P2pNode} is one; so may be anything else that
 * runs these components.
 *
 * <p>A recorder's meters hold the object {@linkplain MetricsRecorder#bindTo bound} weakly: it
 * must be something the application keeps (the node itself), not a view made for the call.
 */
public interface MeteredNode {

    /** Connected peers by direction. */
    PeerManager peerManager();

    /** Duplicates, verdicts, relays, drops, the seen-cache. */
    Gossip gossip();

    /** Size, bytes, what was taken, refused, evicted, expired and removed. */
    Mempool<?> mempool();

    /** Messages dropped for application subscribers that did not keep up. */
    long droppedDeliveries();

    /** TX messages from peers that did not decode as transactions. */
    long malformedTransactions();

    /** Requests and streams between peers: opened, served, refused, unanswerable; null when there are none. */
    default RpcService rpc() {
        return null;
    }
}
