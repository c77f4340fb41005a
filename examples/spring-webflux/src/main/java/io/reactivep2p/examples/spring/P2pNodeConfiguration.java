package io.reactivep2p.examples.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.reactivep2p.P2pNode;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The node and what runs it: built from {@link P2pProperties}, its meters in the application's
 * registry (so Actuator's {@code /actuator/metrics} and {@code /actuator/prometheus} show them),
 * started and stopped by {@link P2pNodeLifecycle}, its health reported by
 * {@link P2pHealthIndicator}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(P2pProperties.class)
class P2pNodeConfiguration {

    /**
     * The node, not started: {@link P2pNodeLifecycle} starts it. Its inferred destroy method,
     * {@link P2pNode#close()}, does nothing once the lifecycle has stopped it, and releases its
     * event loops if the application failed before starting it.
     */
    @Bean
    P2pNode p2pNode(P2pProperties properties, MeterRegistry registry) {
        P2pNode node = P2pNode.create(properties.toNodeConfig().meterRegistry(registry).build());
        PoolExchange.serve(node); // peers may ask for the best of its pool (GET /peers/{id}/mempool asks them)
        return node;
    }

    @Bean
    P2pNodeLifecycle p2pNodeLifecycle(P2pNode node) {
        return new P2pNodeLifecycle(node);
    }

    /** Named {@code p2p} in {@code /actuator/health}. */
    @Bean
    P2pHealthIndicator p2pHealthIndicator(P2pNode node) {
        return new P2pHealthIndicator(node);
    }
}
