package io.reactivep2p.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects Netty leak reports: runs a garbage collection, waits until the collector has
 * processed references (a sentinel weak reference is enqueued), then allocates tracked
 * buffers, which makes the detector report every leaked buffer it has seen collected.
 */
public final class LeakChecks {

    private LeakChecks() {
    }

    /**
     * Runs {@code test} with leak tracking sampled (Netty's SIMPLE level: one buffer in 128
     * tracked), then restores the level. For tests that move hundreds of thousands of buffers,
     * where paranoid tracking (a stack trace per touch) costs many times the test; a systematic
     * leak is still reported and fails the class.
     */
    public static <T> T sampled(Supplier<T> test) {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        try {
            return test.get();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    /** {@link #sampled(Supplier)} for a test without a result. */
    public static void sampled(Runnable test) {
        sampled(() -> {
            test.run();
            return null;
        });
    }

    /** The leak reports since the last call. */
    public static List<String> collect() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid");
        }
        for (int i = 0; i < 3; i++) {
            gcAndAwaitReferenceProcessing();
            for (ByteBufAllocator alloc : new ByteBufAllocator[] {
                    PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT}) {
                alloc.buffer(1).release();
                alloc.heapBuffer(1).release();
                alloc.directBuffer(1).release();
            }
        }
        return RecordingLeakDetector.drain();
    }

    /** Throws an {@link AssertionError} listing the leaks when there are any. */
    public static void assertNoLeaks(String where) {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) reported after " + where + ":\n"
                    + String.join("\n", leaks));
        }
    }

    private static void gcAndAwaitReferenceProcessing() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        try {
            if (queue.remove(5_000) == null) {
                throw new IllegalStateException("no reference processing within 5 s of System.gc()");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }
}
