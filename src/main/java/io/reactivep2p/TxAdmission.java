package io.reactivep2p;

import io.reactivep2p.gossip.Validation;
import io.reactivep2p.mempool.Mempool;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.ProtocolException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The node's validator of TX messages: decodes the transaction (a malformed one is
 * REJECTed), runs the application's TX validator if it set one, and offers what passes to
 * the mempool; what the pool takes is ACCEPTed (delivered and relayed), what it refuses is
 * IGNOREd. Also runs the pool's expiry timer.
 */
final class TxAdmission {

    private static final Logger log = LoggerFactory.getLogger(TxAdmission.class);
    private static final Mono<Validation> ACCEPT = Mono.just(Validation.ACCEPT);
    private static final Mono<Validation> IGNORE = Mono.just(Validation.IGNORE);
    private static final Mono<Validation> REJECT = Mono.just(Validation.REJECT);
    /** The longest wait between expiry runs of an otherwise idle pool. */
    private static final Duration MAX_EXPIRY_PERIOD = Duration.ofSeconds(10);

    private final Mempool<Transaction> mempool;
    private final LongAdder malformed = new LongAdder();
    private volatile Function<PeerMessage, Mono<Validation>> validator;
    private volatile Disposable expiry;

    TxAdmission(Mempool<Transaction> mempool) {
        this.mempool = mempool;
    }

    /** The application's check of a TX before the pool sees it; {@code null} for none. */
    void validator(Function<PeerMessage, Mono<Validation>> validator) {
        this.validator = validator;
    }

    /** TX messages that did not decode (REJECTed). */
    long malformed() {
        return malformed.sum();
    }

    Mono<Validation> validate(PeerMessage pm) {
        Transaction tx;
        try {
            tx = Transaction.decode(pm.message());
        } catch (ProtocolException e) {
            malformed.increment();
            log.debug("malformed TX from {}: {}", pm.peer(), e.getMessage());
            return REJECT;
        }
        Function<PeerMessage, Mono<Validation>> v = validator;
        if (v == null) {
            return just(offer(tx));
        }
        Mono<Validation> verdict = Objects.requireNonNull(v.apply(pm), "the TX validator returned null");
        if (verdict instanceof Fuseable.ScalarCallable<?> ready) { // decided already: no subscription
            Validation decided;
            try {
                decided = (Validation) ready.call();
            } catch (Exception e) {
                return Mono.error(e);
            }
            return just(decided == Validation.ACCEPT ? offer(tx) : decided == Validation.REJECT ? Validation.REJECT
                    : Validation.IGNORE);
        }
        return verdict.map(decided -> decided == Validation.ACCEPT ? offer(tx) : decided);
    }

    private Validation offer(Transaction tx) {
        return mempool.add(tx).accepted() ? Validation.ACCEPT : Validation.IGNORE;
    }

    /** The verdict as a shared, already completed {@code Mono}. */
    private static Mono<Validation> just(Validation v) {
        return v == Validation.ACCEPT ? ACCEPT : v == Validation.REJECT ? REJECT : IGNORE;
    }

    /** Starts expiring the pool every tenth of its ttl, at least every 10 s, on {@code timers}. */
    void start(Scheduler timers) {
        Duration ttl = mempool.config().ttl();
        long period = Math.max(1, Math.min(ttl.dividedBy(10).toNanos(), MAX_EXPIRY_PERIOD.toNanos()));
        expiry = timers.schedulePeriodically(mempool::expire, period, period, TimeUnit.NANOSECONDS);
    }

    /** Stops the timer and completes the pool's events. */
    void stop() {
        Disposable d = expiry;
        if (d != null) {
            d.dispose();
        }
        mempool.close();
    }
}
