/**
 * Metrics: {@link io.reactivep2p.metrics.MetricsRecorder}, and its Micrometer implementation
 * behind {@link io.reactivep2p.metrics.MetricsRecorder#micrometer}. Meter names and tags are
 * listed in the README's "Metrics" section.
 */
package io.reactivep2p.metrics;
