/**
 * The test kit: {@link io.reactivep2p.test.TestNetwork}, a simulated network of real nodes
 * for an application's tests, and {@link io.reactivep2p.test.SimulatedTime}, which makes
 * {@code StepVerifier}'s virtual time the network's. Add {@code io.reactivep2p:reactive-p2p-test}
 * with test scope.
 */
package io.reactivep2p.test;
