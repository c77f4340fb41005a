package io.reactivep2p.runtime;

import io.netty.util.concurrent.Ticker;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The machine's own time, randomness and schedulers: {@link NodeRuntime#system()}'s parts. */
@SuppressForbidden(reason = "the runtime's defaults: the one place that reads the machine's own")
final class SystemDefaults {

    static final Clock CLOCK = Clock.systemUTC();
    static final Ticker TICKER = Ticker.systemTicker();
    static final SecureRandom SECURE_RANDOM = new SecureRandom();

    private SystemDefaults() {
    }

    /** Reactor's shared parallel scheduler, looked up at each call as Reactor's operators do. */
    static Scheduler timers() {
        return Schedulers.parallel();
    }

    /** Reactor's shared bounded-elastic scheduler, looked up at each call. */
    static Scheduler blocking() {
        return Schedulers.boundedElastic();
    }

    /**
     * {@link ThreadLocalRandom} behind a shareable object: each call takes the calling thread's
     * generator, as {@code ThreadLocalRandom.current().nextX()} would (the instance itself must
     * not be kept and shared across threads).
     */
    @SuppressForbidden(reason = "the runtime's default random source")
    enum ThreadLocalRandomGenerator implements RandomGenerator {
        INSTANCE;

        @Override
        public long nextLong() {
            return ThreadLocalRandom.current().nextLong();
        }

        @Override
        public int nextInt() {
            return ThreadLocalRandom.current().nextInt();
        }

        @Override
        public int nextInt(int bound) {
            return ThreadLocalRandom.current().nextInt(bound);
        }

        @Override
        public long nextLong(long bound) {
            return ThreadLocalRandom.current().nextLong(bound);
        }

        @Override
        public double nextDouble() {
            return ThreadLocalRandom.current().nextDouble();
        }
    }
}
