package io.reactivep2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.Message;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.util.concurrent.Queues;

/**
 * One peer's outbound data queue, bounded in bytes and in messages, drained into the channel
 * on its event loop with one flush per drain.
 *
 * <p>Why: a flush is a system call. Any thread may {@link #offer} messages; the first offer
 * into an idle queue schedules one drain task on the event loop, and every message offered
 * before that task runs goes out with the same flush. Under load many messages share a
 * flush; an isolated message costs one task hop. The drain writes only while the channel is
 * writable (below Netty's write-buffer high-water mark) and resumes on
 * {@link #onWritable()}, so what a peer that does not read can hold is this queue's budget
 * plus the channel's high-water mark plus the one frame written while just under the mark —
 * never more.
 *
 * <p>With a flush delay (see {@link TransportSettings#flushDelay()}) the drain
 * still writes at once, but the flush waits up to that delay for more data to share its
 * system call. It happens earlier when the written bytes reach the channel's high-water mark
 * (the channel turns unwritable), so one delayed flush carries at most about that much.
 *
 * <p>Control frames (PING, PONG, DISCONNECT) do not go through this queue: they are written
 * and flushed at once with {@link #sendNow} — the fast lane, never delayed (flushing them
 * also flushes any data waiting for a delayed flush).
 *
 * <p>Thread-safe: {@link #offer} and {@link #offerFrame} from any thread; the drain runs on
 * the channel's event loop.
 */
public final class OutboundQueue {

    private final Channel channel;
    private final int maxBytes;
    private final int maxMessages;
    private final boolean flushEachMessage;
    private final long flushDelayNanos;
    private final Runnable flushTask = this::delayedFlush;
    private boolean flushScheduled; // event loop only
    private final Queue<Object> queue = Queues.unboundedMultiproducer().get();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable drainTask = this::drain;
    private volatile long fullSinceNanos;
    private volatile boolean closed;

    /**
     * A queue with the budget and flush rules of {@code settings}.
     *
     * @param channel the peer's channel; writes go through its pipeline (the frame encoder)
     */
    public OutboundQueue(Channel channel, TransportSettings settings) {
        this(channel, settings.outboundQueueBytes(), settings.outboundQueueMessages(), settings.flushPolicy(),
                settings.flushDelay().toNanos());
    }

    /**
     * @param channel the peer's channel; writes go through its pipeline (the frame encoder)
     * @param maxBytes queued bytes at most, counted as encoded frame sizes before compression
     * @param maxMessages queued messages at most
     */
    public OutboundQueue(Channel channel, int maxBytes, int maxMessages) {
        this(channel, maxBytes, maxMessages, FlushPolicy.COALESCE);
    }

    /**
     * @param channel the peer's channel; writes go through its pipeline (the frame encoder)
     * @param maxBytes queued bytes at most, counted as encoded frame sizes before compression
     * @param maxMessages queued messages at most
     * @param flushPolicy one flush per drain, or one per message
     */
    public OutboundQueue(Channel channel, int maxBytes, int maxMessages, FlushPolicy flushPolicy) {
        this(channel, maxBytes, maxMessages, flushPolicy, 0);
    }

    /**
     * @param channel the peer's channel; writes go through its pipeline (the frame encoder)
     * @param maxBytes queued bytes at most, counted as encoded frame sizes before compression
     * @param maxMessages queued messages at most
     * @param flushPolicy one flush per drain, or one per message
     * @param flushDelayNanos with {@link FlushPolicy#COALESCE}, how long written data may wait
     *     for its flush; 0 flushes at the end of each drain
     */
    public OutboundQueue(Channel channel, int maxBytes, int maxMessages, FlushPolicy flushPolicy, long flushDelayNanos) {
        if (flushDelayNanos < 0) {
            throw new IllegalArgumentException("flushDelayNanos must be >= 0, got " + flushDelayNanos);
        }
        this.channel = channel;
        this.maxBytes = maxBytes;
        this.maxMessages = maxMessages;
        this.flushEachMessage = flushPolicy == FlushPolicy.EACH_MESSAGE;
        this.flushDelayNanos = flushEachMessage ? 0 : flushDelayNanos;
    }

    /**
     * Queues a message.
     *
     * @return {@code false} when the queue is full or closed: the message is dropped, and the
     *     caller counts it
     */
    public boolean offer(Message message) {
        return enqueue(message, FrameCodec.HEADER_LENGTH + (long) message.payloadLength());
    }

    /**
     * Queues an encoded frame, taking ownership of the buffer: it is released if refused.
     * Used to share one encoded frame between many peers (each offer holds its own
     * reference, e.g. {@code frame.retainedDuplicate()}).
     *
     * @return {@code false} when the queue is full or closed
     */
    public boolean offerFrame(ByteBuf frame) {
        if (!enqueue(frame, frame.readableBytes())) {
            frame.release();
            return false;
        }
        return true;
    }

    private boolean enqueue(Object item, long size) {
        if (closed) {
            return false;
        }
        // Reserve with compare-and-set, never over the bounds even for a moment: bytes() and
        // size() are read from other threads (slow-peer checks, metrics, tests).
        int n;
        do {
            n = count.get();
            if (n >= maxMessages) {
                return refuse();
            }
        } while (!count.compareAndSet(n, n + 1));
        long b;
        do {
            b = bytes.get();
            if (b + size > maxBytes) {
                count.decrementAndGet();
                return refuse();
            }
        } while (!bytes.compareAndSet(b, b + size));
        queue.offer(item);
        if (closed) {
            // Lost the race with close(): the item is in the queue, so it is released there,
            // on the event loop (the only thread that polls this single-consumer queue).
            channel.eventLoop().execute(this::discardAll);
            return true;
        }
        if (wip.getAndIncrement() == 0) {
            channel.eventLoop().execute(drainTask);
        }
        return true;
    }

    private boolean refuse() {
        if (fullSinceNanos == 0) {
            fullSinceNanos = Math.max(1, channel.eventLoop().ticker().nanoTime());
        }
        return false;
    }

    /** Writes and flushes a control message at once, ahead of the queued data. */
    public void sendNow(Message message) {
        channel.writeAndFlush(message, channel.voidPromise());
    }

    /** Resumes draining: call from {@code channelWritabilityChanged} when writable again. */
    public void onWritable() {
        if (!queue.isEmpty() && wip.getAndIncrement() == 0) {
            channel.eventLoop().execute(drainTask);
        }
    }

    private void drain() {
        int missed = 1;
        for (;;) {
            boolean wrote = false;
            while (channel.isWritable()) {
                Object item = queue.poll();
                if (item == null) {
                    break;
                }
                release(item);
                if (flushEachMessage) {
                    channel.writeAndFlush(item, channel.voidPromise());
                } else {
                    channel.write(item, channel.voidPromise());
                    wrote = true;
                }
            }
            if (wrote) {
                if (flushDelayNanos > 0 && channel.isWritable()) {
                    if (!flushScheduled) {
                        flushScheduled = true;
                        channel.eventLoop().schedule(flushTask, flushDelayNanos, TimeUnit.NANOSECONDS);
                    }
                } else {
                    channel.flush();
                    if (channel.isWritable() && !queue.isEmpty()) {
                        continue; // the flush emptied the channel's buffer at once
                    }
                }
            }
            if (count.get() <= maxMessages / 2 && bytes.get() <= maxBytes / 2) {
                fullSinceNanos = 0;
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void delayedFlush() {
        flushScheduled = false;
        channel.flush();
    }

    private void release(Object item) {
        long size = item instanceof Message m
                ? FrameCodec.HEADER_LENGTH + (long) m.payloadLength()
                : ((ByteBuf) item).readableBytes();
        bytes.addAndGet(-size);
        count.decrementAndGet();
    }

    /** Messages queued now. */
    public int size() {
        return count.get();
    }

    /** Bytes queued now. */
    public long bytes() {
        return bytes.get();
    }

    /** Whether the queue holds more than half its budget, in messages or in bytes. */
    public boolean congested() {
        return count.get() > maxMessages / 2 || bytes.get() > maxBytes / 2;
    }

    /**
     * How long (on the event loop's ticker) the queue has been refusing messages without draining below half its budget;
     * 0 when it is not full.
     */
    public long fullForNanos(long nowNanos) {
        long since = fullSinceNanos;
        return since == 0 ? 0 : nowNanos - since;
    }

    /** Refuses further offers and releases everything queued. Call on the event loop when the channel closes. */
    public void close() {
        closed = true;
        discardAll();
    }

    private void discardAll() {
        for (Object item; (item = queue.poll()) != null; ) {
            release(item);
            ReferenceCountUtil.release(item);
        }
    }
}
