/**
 * A reactive-p2p node in a Spring Boot WebFlux application: the node as a bean with the
 * application's lifecycle, an HTTP API to submit transactions and read peers and the mempool,
 * a server-sent event stream of what the node sees, and Actuator health and metrics.
 */
package io.reactivep2p.examples.spring;
