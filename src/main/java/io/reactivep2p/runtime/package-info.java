/**
 * The node's runtime: the one seam between a node and the machine it runs on. A
 * {@link io.reactivep2p.runtime.NodeRuntime} supplies the wall clock and monotonic ticker, a
 * seedable random source, cryptographic randomness, the schedulers that timers and blocking
 * work run on, and the {@link io.reactivep2p.runtime.Transport} that makes event loops and
 * channels (TCP, or in memory). Library code takes time, randomness and threads from here
 * only; the build enforces it (forbiddenapis, {@code src/forbidden-apis.txt}).
 */
package io.reactivep2p.runtime;
