package io.reactivep2p.peer;

import io.reactivep2p.protocol.ProtocolException;

/**
 * Told of what happens on a node's connections beyond single frames: handshakes, round trips,
 * protocol errors. How the node feeds its handshake, RTT and rejected-frame meters (see
 * {@code io.reactivep2p.metrics.MetricsRecorder}), without this package knowing of meters.
 *
 * <p><b>Threading.</b> Called on connection event loops, concurrently from several: must be
 * thread-safe, cheap and non-blocking.
 */
public interface PeerObserver {

    /** Observes nothing. */
    PeerObserver NONE = new PeerObserver() {
        @Override
        public void frameRejected(ProtocolException.Kind kind) {
        }

        @Override
        public void handshake(Direction direction, long nanos) {
        }

        @Override
        public void rtt(long nanos) {
        }
    };

    /** Bytes from a peer that broke the protocol (the connection is then closed). */
    void frameRejected(ProtocolException.Kind kind);

    /** A handshake completed and the peer was admitted, {@code nanos} after the connection opened. */
    void handshake(Direction direction, long nanos);

    /** A PONG answered a PING after {@code nanos}. */
    void rtt(long nanos);
}
