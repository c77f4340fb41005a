/**
 * Reactor Netty glue: pipeline handler names and the per-peer outbound queue with its flush
 * policy.
 */
package io.reactivep2p.transport;
