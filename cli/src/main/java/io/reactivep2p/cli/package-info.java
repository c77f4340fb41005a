/**
 * The {@code p2p} command line: {@code p2p node} runs one node (status lines, Prometheus
 * metrics, a data directory), {@code p2p demo} a network of nodes in one process that
 * gossips transactions and measures how fast they reach every node, {@code p2p perf server}
 * and {@code p2p perf client} measure throughput and latency between two processes.
 */
package io.reactivep2p.cli;
