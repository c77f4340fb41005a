package io.reactivep2p.runtime;

import io.netty.util.concurrent.Ticker;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.random.RandomGenerator;
import reactor.core.scheduler.Scheduler;

/**
 * Where a node takes its time, randomness, threads and channels from: the one seam between the
 * node and the machine. Every library class reads these here and nowhere else, so that a test
 * or a simulator can run nodes on a clock it advances itself, with every random choice from
 * one seed, over an in-memory transport. Immutable; shared by any number of nodes.
 *
 * <pre>{@code
 * NodeRuntime runtime = NodeRuntime.builder()
 *         .random(new Random(42))                  // every non-cryptographic choice from one seed
 *         .timers(virtualTimeScheduler)            // Reactor timers on a clock the test advances
 *         .transport(Transport.inMemory())         // LocalChannel instead of TCP
 *         .build();
 * P2pNode node = P2pNode.create(NodeConfig.builder().runtime(runtime).build());
 * }</pre>
 *
 * <p>{@link #system()}, the default, is what a node does without a runtime: the system clock
 * and {@link System#nanoTime()}, {@link java.util.concurrent.ThreadLocalRandom}, one
 * {@link SecureRandom}, Reactor's {@code Schedulers.parallel()} for timers and
 * {@code Schedulers.boundedElastic()} for blocking work, and TCP on native epoll where
 * available ({@link Transport#tcp()}).
 *
 * <p><b>Which time where.</b> Timers of a connection (handshake and keepalive timeouts, flush
 * delays) run on its Netty event loop and read that loop's {@code ticker()}: a runtime whose
 * {@link #ticker()} is virtual needs a {@link Transport} whose event loops use the same ticker.
 * Everything else reads {@link #ticker()} (expiry, rate limits) or {@link #clock()} (HELLO
 * timestamps, the address book), and schedules on {@link #timers()}.
 *
 * <p><b>Threading.</b> Every part must be thread-safe: nodes call them from their event loops
 * and timers concurrently.
 */
public final class NodeRuntime {

    private static final NodeRuntime SYSTEM = builder().build();

    private final Clock clock;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final SecureRandom secureRandom;
    /** {@code null}: Reactor's shared scheduler, looked up at each use (see {@link #timers()}). */
    private final Scheduler timers;
    private final Scheduler blocking;
    private final Transport transport;

    private NodeRuntime(Builder b) {
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.random = b.random;
        this.secureRandom = b.secureRandom;
        this.timers = b.timers;
        this.blocking = b.blocking;
        this.transport = b.transport;
    }

    /** The machine's own: system clocks, thread-local randomness, Reactor's schedulers, TCP. */
    public static NodeRuntime system() {
        return SYSTEM;
    }

    /** A builder starting from {@link #system()}'s parts. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this runtime's parts. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.clock = clock;
        b.ticker = ticker;
        b.random = random;
        b.secureRandom = secureRandom;
        b.timers = timers;
        b.blocking = blocking;
        b.transport = transport;
        return b;
    }

    /** The wall clock: HELLO timestamps and the address book's times. Default {@link Clock#systemUTC()}. */
    public Clock clock() {
        return clock;
    }

    /** {@link #clock()}'s milliseconds since the epoch. */
    public long currentTimeMillis() {
        return clock.millis();
    }

    /**
     * The monotonic clock of everything that expires or is rate-limited off the event loops
     * (bans, seen-caches, token buckets, the mempool). Default {@link Ticker#systemTicker()}.
     */
    public Ticker ticker() {
        return ticker;
    }

    /** {@link #ticker()}'s nanoseconds: only differences between two readings mean anything. */
    public long nanoTime() {
        return ticker.nanoTime();
    }

    /**
     * The source of every non-cryptographic random choice: PING nonces, relay fan-out, dial
     * backoff jitter, outbound rotation. Seed it ({@code new Random(seed)}) for a reproducible
     * run. Default: {@link java.util.concurrent.ThreadLocalRandom} of the calling thread.
     */
    public RandomGenerator random() {
        return random;
    }

    /**
     * The source of randomness an attacker must not predict: node ids, the HELLO nonce, the
     * message-id seed, the address book's bucket key. Default: one {@link SecureRandom}. A
     * simulation may pass a seeded one (e.g. {@code SHA1PRNG} seeded before its first use) to
     * be reproducible; a node on a real network never should.
     */
    public SecureRandom secureRandom() {
        return secureRandom;
    }

    /**
     * Where periodic and delayed work runs off the event loops: the dialer, expiry, rate-limit
     * waits, stop timeouts. Its {@code now()} is not read; its delays are. Default
     * {@code Schedulers.parallel()}, looked up at each call as Reactor's operators do, so that
     * what Reactor's hooks put there (a virtual-time scheduler of reactor-test, a fresh one after
     * {@code Schedulers.shutdownNow()}) is what the node uses.
     */
    public Scheduler timers() {
        return timers != null ? timers : SystemDefaults.timers();
    }

    /**
     * Where work that may block runs: the address book's file, and peer events handed to
     * application subscribers. Default {@code Schedulers.boundedElastic()}, looked up at each
     * call like {@link #timers()}.
     */
    public Scheduler blocking() {
        return blocking != null ? blocking : SystemDefaults.blocking();
    }

    /** Makes each node's event loops and channels. Default {@link Transport#tcp()}. */
    public Transport transport() {
        return transport;
    }

    @Override
    public String toString() {
        return this == SYSTEM
                ? "NodeRuntime.system()"
                : "NodeRuntime{clock=" + clock + ", transport=" + transport + "}";
    }

    /** Builds a {@link NodeRuntime}; every part not set is {@link #system()}'s. Not thread-safe. */
    public static final class Builder {
        private Clock clock = SystemDefaults.CLOCK;
        private Ticker ticker = SystemDefaults.TICKER;
        private RandomGenerator random = SystemDefaults.ThreadLocalRandomGenerator.INSTANCE;
        private SecureRandom secureRandom = SystemDefaults.SECURE_RANDOM;
        private Scheduler timers;
        private Scheduler blocking;
        private Transport transport = Transport.tcp();

        private Builder() {
        }

        /** See {@link NodeRuntime#clock()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** See {@link NodeRuntime#ticker()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** See {@link NodeRuntime#random()}; must be thread-safe ({@code java.util.Random} is). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** See {@link NodeRuntime#secureRandom()}. */
        public Builder secureRandom(SecureRandom secureRandom) {
            this.secureRandom = Objects.requireNonNull(secureRandom, "secureRandom");
            return this;
        }

        /** See {@link NodeRuntime#timers()}. */
        public Builder timers(Scheduler timers) {
            this.timers = Objects.requireNonNull(timers, "timers");
            return this;
        }

        /** See {@link NodeRuntime#blocking()}. */
        public Builder blocking(Scheduler blocking) {
            this.blocking = Objects.requireNonNull(blocking, "blocking");
            return this;
        }

        /** See {@link NodeRuntime#transport()}. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** The runtime. */
        public NodeRuntime build() {
            return new NodeRuntime(this);
        }
    }
}
