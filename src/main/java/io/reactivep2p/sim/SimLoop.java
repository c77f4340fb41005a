package io.reactivep2p.sim;

import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.concurrent.MockTicker;

/**
 * The one event loop of a simulation: Netty's {@link ManualIoEventLoop} over in-memory
 * channels, on a clock that moves only when {@link Simulation} advances it, run by the thread
 * that owns the simulation. It exposes when its next timer is due, which tells the simulation
 * how far to move the clock.
 */
final class SimLoop extends ManualIoEventLoop {

    SimLoop(Thread owner, MockTicker ticker) {
        super(null, owner, LocalIoHandler.newFactory(), ticker);
    }

    /** The ticker time at which the earliest timer is due, or -1 without timers. */
    long nextDeadline() {
        return nextScheduledTaskDeadlineNanos(); // (hasScheduledTasks() means: has one due now)
    }
}
