package io.reactivep2p.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.reactivep2p.peer.Direction;
import io.reactivep2p.peer.PeerObserver;
import io.reactivep2p.protocol.FrameObserver;
import io.reactivep2p.protocol.ProtocolException;
import java.util.List;

/**
 * What a node reports as it runs: frames in and out, protocol errors, handshakes and round
 * trips, as they happen; counters and gauges it already keeps (peers, gossip, seen-cache,
 * mempool) are read when {@linkplain #bindTo bound}.
 *
 * <pre>{@code
 * NodeConfig config = NodeConfig.builder().meterRegistry(registry).build();   // Micrometer
 * NodeConfig quiet = NodeConfig.builder().build();                            // NOOP: nothing recorded
 * }</pre>
 *
 * <p>The meters of {@link #micrometer} are listed, with their tags, in the README's
 * "Metrics" section. No meter is ever tagged with a peer's id or address.
 *
 * <p><b>Threading.</b> The event methods are called on connection event loops, concurrently
 * from several, once per frame on the hot path: implementations must be thread-safe, cheap
 * and non-blocking.
 */
public interface MetricsRecorder extends FrameObserver, PeerObserver {

    /** Records nothing; the default. */
    MetricsRecorder NOOP = new MetricsRecorder() {
        @Override
        public void frameRead(int typeCode, int wireBytes) {
        }

        @Override
        public void frameWritten(int typeCode, int wireBytes) {
        }

        @Override
        public void frameRejected(ProtocolException.Kind kind) {
        }

        @Override
        public void handshake(Direction direction, long nanos) {
        }

        @Override
        public void rtt(long nanos) {
        }

        @Override
        public void bindTo(MeteredNode node) {
        }
    };

    /**
     * A recorder into {@code registry}, for one node: a second node bound to the same recorder
     * would find its gauges taken by the first (give each node its own, with its own tag).
     *
     * @param commonTags added to every meter, e.g. {@code Tag.of("node", "a")} to tell several
     *     nodes of one process apart (each needs its own value)
     */
    static MetricsRecorder micrometer(MeterRegistry registry, Tag... commonTags) {
        return new MicrometerMetrics(registry, List.of(commonTags));
    }

    /**
     * Registers what is read from the node rather than recorded: called once, as the node is
     * created. The meters keep reading the node after it stops (its final values) for as long
     * as the application holds the node: the registry holds it weakly, so a dropped node does
     * not leak through its meters (they then read NaN).
     */
    void bindTo(MeteredNode node);
}
