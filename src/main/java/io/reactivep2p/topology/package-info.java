/**
 * Topologies: which of N nodes dials which, generated (a random connected graph of a given
 * degree) or given, and the wiring of a list of running nodes to one. For demos, soak runs,
 * tests and simulations that connect nodes themselves instead of through discovery.
 */
package io.reactivep2p.topology;
