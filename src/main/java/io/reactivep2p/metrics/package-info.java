/**
 * Metrics: {@link io.reactivep2p.metrics.MetricsRecorder}, and its Micrometer implementation
 * behind {@link io.reactivep2p.metrics.MetricsRecorder#micrometer}. A recorder is told of
 * frames and peers as they happen (it is a {@code FrameObserver} and a {@code PeerObserver})
 * and reads the rest from a {@link io.reactivep2p.metrics.MeteredNode}. Meter names and tags
 * are listed in the README's "Metrics" section.
 */
package io.reactivep2p.metrics;
