package io.reactivep2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.reactivep2p.protocol.FrameEncoder;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    /** Counts flushes, and holds them back while {@code holdFlushes} (a peer that does not read). */
    static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;
        boolean holdFlushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            if (!holdFlushes) {
                ctx.flush();
            }
        }
    }

    private final FlushCounter counter = new FlushCounter();
    private final EmbeddedChannel channel = new EmbeddedChannel(counter, new FrameEncoder(FrameSettings.defaults()));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static Message msg(int payload) {
        return Message.of(MessageType.MsgTx, new byte[payload]);
    }

    @Test
    void manyOffersShareOneFlush() {
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000);
        for (int i = 0; i < 100; i++) {
            assertThat(queue.offer(msg(10))).isTrue();
        }
        assertThat(queue.size()).isEqualTo(100);
        channel.runPendingTasks();
        assertThat(counter.flushes).isEqualTo(1);
        assertThat(channel.outboundMessages()).hasSize(100);
        assertThat(queue.size()).isZero();
        assertThat(queue.bytes()).isZero();
    }

    @Test
    void eachMessagePolicyFlushesEveryMessage() {
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000, FlushPolicy.EACH_MESSAGE);
        for (int i = 0; i < 10; i++) {
            queue.offer(msg(10));
        }
        channel.runPendingTasks();
        assertThat(counter.flushes).isEqualTo(10);
        assertThat(channel.outboundMessages()).hasSize(10);
    }

    @Test
    void isBoundedInMessages() {
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 3);
        assertThat(queue.offer(msg(1))).isTrue();
        assertThat(queue.offer(msg(1))).isTrue();
        assertThat(queue.offer(msg(1))).isTrue();
        assertThat(queue.offer(msg(1))).isFalse();
        assertThat(queue.fullForNanos(channel.eventLoop().ticker().nanoTime())).isGreaterThanOrEqualTo(0);
        channel.runPendingTasks();
        assertThat(queue.offer(msg(1))).isTrue();
    }

    @Test
    void isBoundedInBytesCountingTheFrameHeader() {
        OutboundQueue queue = new OutboundQueue(channel, 2 * (14 + 100), 1000);
        assertThat(queue.offer(msg(100))).isTrue();
        assertThat(queue.offer(msg(100))).isTrue();
        assertThat(queue.offer(msg(0))).isFalse();
        assertThat(queue.bytes()).isEqualTo(228);
    }

    @Test
    void refusedAndDiscardedFramesAreReleased() {
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1);
        ByteBuf first = Unpooled.buffer().writeZero(20);
        ByteBuf second = Unpooled.buffer().writeZero(20);
        assertThat(queue.offerFrame(first)).isTrue();
        assertThat(queue.offerFrame(second)).isFalse();
        assertThat(second.refCnt()).isZero();
        queue.close();
        assertThat(first.refCnt()).isZero();
        assertThat(queue.offer(msg(1))).isFalse();
    }

    @Test
    void stopsWritingWhileTheChannelIsUnwritableAndResumesAfter() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(100, 200));
        counter.holdFlushes = true;
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000);
        for (int i = 0; i < 50; i++) {
            queue.offer(msg(36)); // 50-byte frames
        }
        channel.runPendingTasks();
        assertThat(channel.isWritable()).isFalse();
        int held = 50 - queue.size();
        assertThat(held).isPositive().isLessThan(10); // written until above the high-water mark, then it stopped
        assertThat(channel.outboundMessages()).isEmpty();

        counter.holdFlushes = false;
        channel.flush(); // the peer reads again: the buffer empties, the channel turns writable
        assertThat(channel.isWritable()).isTrue();
        queue.onWritable();
        channel.runPendingTasks();
        channel.flush();
        assertThat(queue.size()).isZero();
        assertThat(channel.outboundMessages()).hasSize(50);
        channel.outboundMessages().forEach(ReferenceCountUtil::release);
        channel.outboundMessages().clear();
    }

    @Test
    void reportsHowLongItHasBeenFull() {
        channel.freezeTime();
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1);
        long start = channel.eventLoop().ticker().nanoTime();
        queue.offer(msg(1));
        assertThat(queue.fullForNanos(start)).isZero();
        assertThat(queue.offer(msg(1))).isFalse();
        channel.advanceTimeBy(3, TimeUnit.SECONDS);
        assertThat(queue.fullForNanos(channel.eventLoop().ticker().nanoTime())).isEqualTo(TimeUnit.SECONDS.toNanos(3));
        channel.runPendingTasks(); // drained: no longer full
        assertThat(queue.fullForNanos(channel.eventLoop().ticker().nanoTime())).isZero();
    }

    @Test
    void concurrentOffersNeverTakeTheCountsOverTheBoundsEvenForAMoment() throws Exception {
        int maxBytes = 10_000;
        int maxMessages = 60; // the tighter bound for some offers: 60 of 114 bytes is 6,840 bytes
        OutboundQueue queue = new OutboundQueue(channel, maxBytes, maxMessages);
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong maxSeenBytes = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger maxSeenCount = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        Thread observer = new Thread(() -> {
            while (!done.get()) {
                maxSeenBytes.accumulateAndGet(queue.bytes(), Math::max);
                maxSeenCount.accumulateAndGet(queue.size(), Math::max);
            }
        });
        observer.start();
        java.util.List<Thread> producers = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int payload = t % 2 == 0 ? 100 : 300; // 114 or 314 bytes a frame
            Thread producer = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    if (queue.offer(msg(payload))) {
                        accepted.incrementAndGet();
                    }
                }
            });
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join();
        }
        done.set(true);
        observer.join();
        assertThat(maxSeenBytes.get()).isLessThanOrEqualTo(maxBytes);
        assertThat(maxSeenCount.get()).isLessThanOrEqualTo(maxMessages);
        assertThat(queue.size()).isEqualTo(accepted.get()).isPositive();
        channel.runPendingTasks(); // drains and releases what was queued
        assertThat(queue.bytes()).isZero();
    }

    @Test
    void aFlushDelayHoldsTheFlushUntilItExpiresSoLaterOffersShareIt() {
        channel.freezeTime();
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000, FlushPolicy.COALESCE,
                TimeUnit.MILLISECONDS.toNanos(2));
        queue.offer(msg(10));
        channel.runPendingTasks();
        assertThat(queue.size()).isZero(); // written to the channel at once...
        assertThat(counter.flushes).isZero(); // ...but not flushed
        assertThat(channel.outboundMessages()).isEmpty();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        queue.offer(msg(10));
        queue.offer(msg(10));
        channel.runPendingTasks();
        assertThat(counter.flushes).isZero();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(counter.flushes).isEqualTo(1); // one flush for all three, 2 ms after the first
        assertThat(channel.outboundMessages()).hasSize(3);

        queue.offer(msg(10)); // the next one waits for a flush of its own
        channel.runPendingTasks();
        assertThat(counter.flushes).isEqualTo(1);
        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(counter.flushes).isEqualTo(2);
        assertThat(channel.outboundMessages()).hasSize(4);
    }

    @Test
    void aDelayedFlushHappensAtOnceWhenTheWrittenBytesReachTheHighWaterMark() {
        channel.freezeTime();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(100, 200));
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000, FlushPolicy.COALESCE,
                TimeUnit.MILLISECONDS.toNanos(50));
        for (int i = 0; i < 20; i++) {
            queue.offer(msg(36)); // 50-byte frames: 1,000 bytes in all, five times the mark
        }
        channel.runPendingTasks();
        // No time has passed: every flush so far was forced by the mark, not by the timer.
        assertThat(counter.flushes).isGreaterThanOrEqualTo(4);
        assertThat(queue.size()).isZero();
        channel.advanceTimeBy(50, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.outboundMessages()).hasSize(20);
    }

    @Test
    void controlFramesBypassTheFlushDelayAndTakeTheWaitingDataWithThem() {
        channel.freezeTime();
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000, FlushPolicy.COALESCE,
                TimeUnit.MILLISECONDS.toNanos(100));
        queue.offer(msg(10));
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).isEmpty();
        queue.sendNow(Message.of(MessageType.MsgPing, new byte[8]));
        assertThat(counter.flushes).isEqualTo(1);
        assertThat(channel.outboundMessages()).hasSize(2);
    }

    @Test
    void flushEachMessageIgnoresTheFlushDelay() {
        channel.freezeTime();
        OutboundQueue queue = new OutboundQueue(channel, 1 << 20, 1000, FlushPolicy.EACH_MESSAGE,
                TimeUnit.MILLISECONDS.toNanos(100));
        queue.offer(msg(10));
        queue.offer(msg(10));
        channel.runPendingTasks();
        assertThat(counter.flushes).isEqualTo(2);
        assertThat(channel.outboundMessages()).hasSize(2);
    }
}
