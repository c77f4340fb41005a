/**
 * The simulated network: many real nodes in one JVM, on one thread, on virtual time, over
 * links that model latency, bandwidth, loss and partitions. {@link io.reactivep2p.sim.Simulation}
 * runs them; {@link io.reactivep2p.sim.Links} and {@link io.reactivep2p.sim.Latency} say what
 * the links do.
 */
package io.reactivep2p.sim;
