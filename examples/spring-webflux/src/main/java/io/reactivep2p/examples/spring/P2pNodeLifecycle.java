package io.reactivep2p.examples.spring;

import io.reactivep2p.P2pNode;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the node with the application and stops it, with a DISCONNECT to every peer, when the
 * application stops.
 *
 * <p><b>Order.</b> Its phase is below the web server's, so the node listens before the HTTP
 * API takes requests, and on shutdown it stops only after the web server has drained the
 * requests in flight (Spring stops the highest phase first): a {@code POST /tx} accepted
 * during shutdown is still gossiped. The event streams end earlier, see
 * {@link EventStreamController}.
 *
 * <p><b>Threads.</b> {@link #start()} blocks the thread that refreshes the application
 * context (never an event loop) until the node listens, so a port that cannot be bound fails
 * the start-up. {@link #stop(Runnable)} does not block: Spring waits for its callback, which
 * runs once the peers are told and the event loops released.
 *
 * <p>A {@link P2pNode} starts once: after a stop, {@link #start()} fails.
 */
final class P2pNodeLifecycle implements SmartLifecycle {

    /** Below the web server's start/stop phase, by Boot's own spacing of its phases. */
    static final int PHASE = WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1024;

    /** Loading the address book and binding the port: seconds at most; this only bounds a hang. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(P2pNodeLifecycle.class);

    private final P2pNode node;
    private volatile boolean running;

    P2pNodeLifecycle(P2pNode node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    @Override
    public void start() {
        node.start().block(START_TIMEOUT);
        running = true;
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        node.stop().subscribe(null, e -> {
            log.warn("node {} did not stop cleanly", node.id().shortHex(), e);
            callback.run();
        }, callback);
    }

    @Override
    public void stop() {
        running = false;
        node.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
