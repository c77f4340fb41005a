package io.reactivep2p.transport;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap as every garbage collection leaves it, from the JVM's GC notifications: the heap
 * after each collection (what a leak makes grow), its largest value per interval, and the
 * largest heap seen before a collection (the peak). Sampling {@code MemoryMXBean} alone would
 * read the heap at a random point of the allocation saw-tooth.
 *
 * <p>Heap after a young collection still holds old-generation garbage that a later mixed or
 * full collection frees, so its trend can rise for a while without a leak; {@link #live()}
 * forces a full collection for the heap that is really reachable.
 */
final class HeapWatch implements AutoCloseable {

    private static final String SYSTEM_GC = "System.gc()";

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private final AtomicLong lastAfterGc = new AtomicLong(-1);
    private final AtomicLong intervalMaxAfterGc = new AtomicLong(-1);
    private final AtomicLong peakBeforeGc = new AtomicLong();
    private final AtomicLong explicitCollections = new AtomicLong();
    private volatile long explicitAfterGc = -1;

    /** Starts listening to every collector. */
    HeapWatch() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo gc = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        GcInfo info = gc.getGcInfo();
        long after = heap(info.getMemoryUsageAfterGc());
        if (SYSTEM_GC.equals(gc.getGcCause())) {
            explicitAfterGc = after;
            explicitCollections.incrementAndGet();
        }
        lastAfterGc.set(after);
        intervalMaxAfterGc.accumulateAndGet(after, Math::max);
        peakBeforeGc.accumulateAndGet(heap(info.getMemoryUsageBeforeGc()), Math::max);
    }

    private long heap(Map<String, MemoryUsage> pools) {
        long sum = 0;
        for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
            if (heapPools.contains(e.getKey())) {
                sum += e.getValue().getUsed();
            }
        }
        return sum;
    }

    /** Heap used now, garbage included. */
    static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap after the latest collection; -1 before the first. */
    long lastAfterGc() {
        return lastAfterGc.get();
    }

    /** The largest heap after a collection since the last call (-1 when none ran), and starts a new interval. */
    long takeIntervalMaxAfterGc() {
        return intervalMaxAfterGc.getAndSet(-1);
    }

    /** The largest heap before a collection so far: the peak of the heap, to within one allocation. */
    long peak() {
        return Math.max(peakBeforeGc.get(), used());
    }

    /** Collections and the time they took so far, all collectors. */
    static long[] collections() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /**
     * The reachable heap: the heap right after {@code System.gc()} (a full collection with G1
     * and the other stock collectors unless {@code -XX:+ExplicitGCInvokesConcurrent}), as the
     * collector's notification reports it; reading the heap a moment later would add what the
     * running program allocated meanwhile. Stops the world for the collection. Falls back to
     * the heap used now if no notification arrives within 5 s.
     */
    long live() throws InterruptedException {
        long before = explicitCollections.get();
        System.gc();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (explicitCollections.get() == before) {
            if (System.nanoTime() > deadline) {
                return used();
            }
            Thread.sleep(1);
        }
        return explicitAfterGc;
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // not registered: nothing to remove
            }
        }
    }
}
