package io.reactivep2p.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty's leak detector, counting its reports for a program that runs outside the test
 * harness (the library's {@code RecordingLeakDetector} lives in its test jar). Every report is
 * also printed to standard error and the first {@value #KEPT} are kept for the report.
 *
 * <p>{@link #install()} must run before anything touches a Netty buffer: Netty creates each
 * detector once, when the class holding it loads ({@code AbstractByteBuf} for buffers), and
 * never asks the factory again. {@link #installed()} tells whether it took.
 *
 * <p>Netty reports a leak only when a buffer was garbage-collected without being released and
 * a later allocation polls the detector's reference queue; it reports each distinct access
 * record once. {@link #collect()} forces both.
 */
final class CountingLeakDetector<T> extends ResourceLeakDetector<T> {

    /** Reports kept in full, for the JSON report; later ones are only counted. */
    static final int KEPT = 5;

    private static final AtomicLong REPORTS = new AtomicLong();
    private static final AtomicInteger DETECTORS = new AtomicInteger();
    private static final List<String> FIRST = new ArrayList<>(); // guarded by itself

    private CountingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        DETECTORS.incrementAndGet();
    }

    /** Makes Netty create every leak detector from now on as a counting one. */
    static void install() {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <R> ResourceLeakDetector<R> newResourceLeakDetector(Class<R> resource, int samplingInterval,
                                                                      long maxActive) {
                return new CountingLeakDetector<>(resource, samplingInterval);
            }

            @Override
            public <R> ResourceLeakDetector<R> newResourceLeakDetector(Class<R> resource, int samplingInterval) {
                return new CountingLeakDetector<>(resource, samplingInterval);
            }
        });
    }

    /** Whether Netty's buffers report to this class: false when they were loaded before {@link #install()}. */
    static boolean installed() {
        ByteBufAllocator.DEFAULT.buffer(1).release(); // loads the buffer classes, creating their detector
        return DETECTORS.get() > 0;
    }

    /** Leak reports so far. */
    static long reports() {
        return REPORTS.get();
    }

    /** The first {@value #KEPT} reports, with Netty's access records. */
    static List<String> firstReports() {
        synchronized (FIRST) {
            return List.copyOf(FIRST);
        }
    }

    /**
     * Makes Netty report every leaked buffer it can see now: a garbage collection, a wait until
     * the collector has processed references (a sentinel weak reference is enqueued), then
     * tracked allocations, which poll the detectors' queues. Three rounds, as buffers freed by
     * one round's finalization may only be collected by the next. Returns {@link #reports()}.
     */
    static long collect() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
            System.gc();
            if (queue.remove(5_000) == null) {
                throw new IllegalStateException("no reference processing within 5 s of System.gc()");
            }
            sentinel.clear();
            for (ByteBufAllocator alloc : new ByteBufAllocator[] {
                    ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                alloc.buffer(1).release();
                alloc.heapBuffer(1).release();
                alloc.directBuffer(1).release();
            }
        }
        return reports();
    }

    @Override
    protected boolean needReport() {
        return true; // the default asks whether the logger is at ERROR; counting must not depend on logging
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        record("LEAK: " + resourceType + " was garbage-collected without release()" + records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        record("LEAK: " + resourceType + " was garbage-collected without release() (no access records)");
    }

    private static void record(String report) {
        long n = REPORTS.incrementAndGet();
        synchronized (FIRST) {
            if (FIRST.size() < KEPT) {
                FIRST.add(report);
            }
        }
        System.err.println("leak report " + n + ": " + report);
    }
}
