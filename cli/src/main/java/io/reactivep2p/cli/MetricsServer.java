package io.reactivep2p.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Serves a {@link PrometheusMeterRegistry} as Prometheus text at {@code GET /metrics}, with the
 * JDK's HTTP server (one dispatcher thread: a scrape renders a few kilobytes). Other paths
 * answer 404, other methods 405.
 */
final class MetricsServer implements AutoCloseable {

    /** The Prometheus text exposition format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String PATH = "/metrics";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Binds {@code host:port} (port 0: any free one) and starts serving.
     *
     * @throws IOException if the address cannot be bound
     */
    static MetricsServer start(String host, int port, PrometheusMeterRegistry registry) throws IOException {
        Objects.requireNonNull(registry, "registry");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/", exchange -> {
            try {
                handle(exchange, registry);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return new MetricsServer(server);
    }

    private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        String method = exchange.getRequestMethod();
        if (!PATH.equals(exchange.getRequestURI().getPath())) {
            respond(exchange, 404, "text/plain; charset=utf-8", "not found; metrics are at " + PATH + "\n", method);
        } else if (!"GET".equals(method) && !"HEAD".equals(method)) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n", method);
        } else {
            respond(exchange, 200, CONTENT_TYPE, registry.scrape(), method);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(method);
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The bound address (with the actual port when 0 was asked for). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops at once; requests in progress are cut. */
    @Override
    public void close() {
        server.stop(0);
    }
}
