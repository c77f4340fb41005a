/**
 * The {@code p2p} command line: {@code p2p node} runs one node (status lines, Prometheus
 * metrics, a data directory), {@code p2p demo} a network of nodes in one process that
 * gossips transactions and measures how fast they reach every node.
 */
package io.reactivep2p.cli;
