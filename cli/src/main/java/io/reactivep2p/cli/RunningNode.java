package io.reactivep2p.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.PeerManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import reactor.core.Exceptions;

/**
 * A started node of {@code p2p node}: the node, the Prometheus registry it records into, and
 * the metrics HTTP server if asked for. {@link #status()} samples what the status line shows.
 */
final class RunningNode implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * What {@code p2p node} was asked for.
     *
     * @param host the address to listen on (and to serve metrics on)
     * @param port the port to listen on; 0 for any free one
     * @param seeds peers dialled on start, unresolved
     * @param maxPeers connected peers at most, or {@code null} for the library's default
     * @param dataDir where the id and the address book are kept, or {@code null} for neither
     * @param metricsPort the port of {@code GET /metrics}, or {@code null} for none
     * @param allowLocal keep loopback and private addresses in the address book even though
     *     neither the host nor a seed is one
     */
    record Settings(String host, int port, List<Converters.Seed> seeds, Integer maxPeers, Path dataDir,
                    Integer metricsPort, boolean allowLocal, boolean plaintext) {
        Settings {
            Objects.requireNonNull(host, "host");
            seeds = List.copyOf(seeds);
        }

        /**
         * Whether the address book should keep local addresses: when asked, or when the node
         * listens on a loopback or private address, or a seed is one — then the network is a
         * local one, and peer exchange must not drop the addresses it is made of.
         */
        boolean localNetwork() {
            return allowLocal || isLocal(host) || seeds.stream().anyMatch(s -> isLocal(s.address().getHostString()));
        }
    }

    /**
     * One sample of the status line.
     *
     * @param inbound connected peers that dialled this node
     * @param outbound connected peers this node dialled
     * @param receivedPerSecond frames received per second since the previous sample, all types
     * @param sentPerSecond frames sent per second since the previous sample, all types
     * @param mempool transactions in the pool
     */
    record Status(int inbound, int outbound, double receivedPerSecond, double sentPerSecond, int mempool) {
    }

    private final P2pNode node;
    private final PrometheusMeterRegistry registry;
    private final MetricsServer metrics;
    private final Optional<Path> dataDir;
    private double lastReceived;
    private double lastSent;
    private long lastSampleNanos;

    private RunningNode(P2pNode node, PrometheusMeterRegistry registry, MetricsServer metrics, Optional<Path> dataDir) {
        this.node = node;
        this.registry = registry;
        this.metrics = metrics;
        this.dataDir = dataDir;
        this.lastSampleNanos = System.nanoTime();
    }

    /**
     * Starts the metrics server (if asked for), then the node.
     *
     * @throws CliException if a port cannot be bound or the data directory cannot be used
     */
    static RunningNode start(Settings settings) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        NodeConfig.Builder config = NodeConfig.builder()
                .listenHost(settings.host())
                .listenPort(settings.port())
                .seeds(settings.seeds().stream().filter(s -> s.id() == null).map(Converters.Seed::address).toList())
                .allowLocalAddresses(settings.localNetwork())
                .plaintext(settings.plaintext())
                .meterRegistry(registry);
        settings.seeds().stream().filter(s -> s.id() != null).forEach(s -> config.seed(s.address(), s.id()));
        if (settings.maxPeers() != null) {
            config.maxPeers(settings.maxPeers());
        }
        Optional<Path> dir = Optional.ofNullable(settings.dataDir());
        if (settings.dataDir() != null) {
            DataDir data = DataDir.open(settings.dataDir());
            config.identity(data.identity()).addressBookFile(data.addressBook());
        }
        P2pNode node;
        try {
            node = P2pNode.create(config.build());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        MetricsServer metrics = null;
        if (settings.metricsPort() != null) {
            try {
                metrics = MetricsServer.start(settings.host(), settings.metricsPort(), registry);
            } catch (IOException | RuntimeException e) {
                throw new CliException("cannot serve metrics on " + hostPort(settings.host(), settings.metricsPort())
                        + ": " + reason(e), e);
            }
        }
        try {
            node.start().block(START_TIMEOUT);
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            node.close();
            throw new CliException("cannot listen on " + hostPort(settings.host(), settings.port()) + ": " + reason(e), e);
        }
        return new RunningNode(node, registry, metrics, dir);
    }

    P2pNode node() {
        return node;
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Where {@code GET /metrics} is served, if it is. */
    Optional<InetSocketAddress> metricsAddress() {
        return Optional.ofNullable(metrics).map(MetricsServer::address);
    }

    /** The data directory, if there is one. */
    Optional<Path> dataDir() {
        return dataDir;
    }

    /** Samples the status: the rates are over the time since the previous sample (or the start). */
    synchronized Status status() {
        long now = System.nanoTime();
        double received = frames("p2p.messages.received");
        double sent = frames("p2p.messages.sent");
        double seconds = Math.max(1e-9, (now - lastSampleNanos) / 1e9);
        Status s = new Status(peers().inboundCount(), peers().outboundCount(), (received - lastReceived) / seconds,
                (sent - lastSent) / seconds, node.mempool().size());
        lastReceived = received;
        lastSent = sent;
        lastSampleNanos = now;
        return s;
    }

    private PeerManager peers() {
        return node.peerManager();
    }

    /** A counter summed over its {@code type} tag. */
    private double frames(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Stops the node (DISCONNECT to every peer, the address book saved) and the metrics server. */
    @Override
    public void close() {
        try {
            node.close();
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    /** Whether {@code host} is a loopback, link-local or private address (unspecified: no). */
    static boolean isLocal(String host) {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
        if (address.isAnyLocalAddress()) {
            return false; // 0.0.0.0 or :: listens on every interface, public ones included
        }
        byte[] b = address.getAddress();
        return address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || (b.length == 16 && (b[0] & 0xFE) == 0xFC); // IPv6 unique local, fc00::/7
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** A user-facing reason from a bind or connect failure: the innermost cause's message. */
    static String reason(Throwable e) {
        Throwable t = Exceptions.unwrap(e);
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (message.contains("Address already in use")) {
            return "address already in use";
        }
        if (message.contains("Connection refused")) {
            return "connection refused";
        }
        return message.strip();
    }
}
