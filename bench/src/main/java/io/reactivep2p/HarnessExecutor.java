package io.reactivep2p;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH executor ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.reactivep2p.HarnessExecutor})
 * whose threads are Netty {@code FastThreadLocalThread}s, as event-loop threads are. JMH
 * instantiates it reflectively through the {@code (int, String)} constructor.
 */
public final class HarnessExecutor extends ThreadPoolExecutor {

    /**
     * @param maxThreads the number of benchmark threads
     * @param prefix the thread name prefix JMH chooses
     */
    public HarnessExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
