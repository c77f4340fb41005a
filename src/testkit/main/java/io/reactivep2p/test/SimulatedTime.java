package io.reactivep2p.test;

import io.reactivep2p.sim.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * Reactor-test's virtual time, made the simulation's: {@code StepVerifier.withVirtualTime}'s
 * {@code thenAwait(d)} and {@code expectNoEvent(d)} run the network for {@code d} of simulated
 * time, and what the test's own code schedules with a delay on Reactor's schedulers (which
 * {@code withVirtualTime} replaces with this one) runs on the simulation's clock too, in order
 * with the nodes' events. Made by {@link TestNetwork#time()}, one per verification.
 *
 * <p>Tasks handed to a worker of this scheduler with a delay (rare outside operators such as
 * {@code bufferTimeout}) run on Reactor's own virtual clock instead, at the end of each
 * advance. Tasks without a delay run at once, as on any {@link VirtualTimeScheduler}.
 *
 * <p>Used from the thread that owns the simulation, as the simulation itself.
 */
public final class SimulatedTime extends VirtualTimeScheduler {

    private final Simulation sim;

    SimulatedTime(Simulation sim) {
        super(false);
        this.sim = sim;
    }

    @Override
    public long now(TimeUnit unit) {
        return unit.convert(sim.elapsed().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
        return delay <= 0 ? super.schedule(task) : sim.runtime().timers().schedule(task, delay, unit);
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return sim.runtime().timers().schedulePeriodically(task, initialDelay, period, unit);
    }

    @Override
    public void advanceTime() {
        sim.runFor(Duration.ZERO);
        super.advanceTime();
    }

    @Override
    public void advanceTimeBy(Duration delayTime) {
        sim.runFor(delayTime);
        super.advanceTimeBy(delayTime);
    }

    @Override
    public void advanceTimeTo(Instant instant) {
        long target = instant.toEpochMilli() * 1_000_000L;
        advanceTimeBy(Duration.ofNanos(Math.max(0, target - now(TimeUnit.NANOSECONDS))));
    }
}
