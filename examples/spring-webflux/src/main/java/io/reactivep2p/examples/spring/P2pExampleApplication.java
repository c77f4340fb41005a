package io.reactivep2p.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Runs a node with its HTTP API.
 *
 * <pre>
 * java -jar reactive-p2p-example-spring-0.1.0-SNAPSHOT.jar --server.port=8080 --p2p.port=3000
 * </pre>
 */
@SpringBootApplication
public class P2pExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(P2pExampleApplication.class, args);
    }
}
