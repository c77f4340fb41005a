package io.reactivep2p.examples.spring;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;

/**
 * Fails a test class whose buffers leaked, in the application's node, the web server or a
 * test's node: collects garbage, waits until the collector has processed references, then
 * allocates tracked buffers, which makes the detector report every leaked buffer it saw
 * collected.
 */
final class LeakChecks {

    private LeakChecks() {
    }

    static void assertNoLeaks(String where) {
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
        List<String> leaks = RecordingLeakDetector.drain();
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
