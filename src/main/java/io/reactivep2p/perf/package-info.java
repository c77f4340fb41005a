/**
 * Perf: libp2p perf's semantics on this toolkit's connections — upload, download and
 * request/response round trips between two nodes ({@link io.reactivep2p.perf.PerfServer},
 * {@link io.reactivep2p.perf.PerfClient}); specified in docs/protocol.md §7.
 */
package io.reactivep2p.perf;
