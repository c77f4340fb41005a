package io.reactivep2p.peer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Message;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Writes a stream of messages to a peer's channel with backpressure from the socket: one
 * message is requested at a time, and the next only while the channel is writable (below
 * Netty's write-buffer high-water mark). What a stream holds in memory is then one message
 * plus the high-water mark, whatever its length.
 *
 * <p>Why not Reactor Netty's {@code sendObject}: it prefetches and writes up to 128 messages
 * regardless of writability, so a stream of 1 MiB messages keeps 128 MiB encoded and pending
 * per connection; each frame is then a fresh allocation, cold in the CPU cache by the time
 * the socket takes it.
 *
 * <p>When the channel turns writable again, the stream resumes after the peer's outbound queue
 * has drained ({@link Peer#writable()}): gossip and answers queued meanwhile go out between two
 * of its messages, never starved by it.
 *
 * <p>Writes happen on the channel's event loop, in the order of the stream; the messages
 * written within one event-loop task share one flush. Completes when the stream has
 * completed and every message is written; errors if a write fails or the connection closes
 * first (the upstream is cancelled), or if a message is above the maximum length.
 */
final class StreamWriter extends BaseSubscriber<Message> {

    private final Peer peer;
    private final Channel channel;
    private final EventLoop loop;
    private final int maxMessageLength;
    private final Sinks.Empty<Void> done = Sinks.empty();
    private final ChannelFutureListener onWritten = this::written;
    private final ChannelFutureListener onClosed = f -> fail(closed());
    private final Runnable flushTask = this::flush;
    /** Signals handed to the event loop and not run yet: a signal runs inline only when none is waiting. */
    private final AtomicInteger queued = new AtomicInteger();

    // Event loop only.
    private int unfinishedWrites;
    private boolean flushScheduled;
    private boolean upstreamDone;
    private boolean terminated;

    StreamWriter(Peer peer, Channel channel, int maxMessageLength) {
        this.peer = peer;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.maxMessageLength = maxMessageLength;
    }

    /** Completes, or errors, as described above. */
    Mono<Void> result() {
        return done.asMono();
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        onLoop(() -> {
            if (terminated) {
                return;
            }
            channel.closeFuture().addListener(onClosed); // at once if it is closed already
            if (!terminated) {
                request(1);
            }
        });
    }

    @Override
    protected void hookOnNext(Message message) {
        if (message.payloadLength() > maxMessageLength) {
            throw new IllegalArgumentException("payload of " + message.payloadLength()
                    + " bytes is above the maximum message length " + maxMessageLength);
        }
        onLoop(() -> write(message));
    }

    @Override
    protected void hookOnComplete() {
        onLoop(() -> {
            upstreamDone = true;
            flush();
            if (unfinishedWrites == 0) {
                succeed();
            }
        });
    }

    @Override
    protected void hookOnError(Throwable error) {
        onLoop(() -> fail(error));
    }

    private void onLoop(Runnable signal) {
        if (loop.inEventLoop() && queued.get() == 0) {
            signal.run();
            return;
        }
        queued.incrementAndGet();
        loop.execute(() -> {
            queued.decrementAndGet();
            signal.run();
        });
    }

    private void write(Message message) {
        if (terminated) {
            return; // a message has no reference count: nothing to release
        }
        unfinishedWrites++;
        channel.write(message).addListener(onWritten);
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
        if (channel.isWritable()) {
            request(1);
        } else {
            peer.whenWritable(this::resume);
        }
    }

    /** The channel is writable again. */
    private void resume() {
        if (!terminated && !upstreamDone) {
            request(1);
        }
    }

    private void flush() {
        flushScheduled = false;
        channel.flush();
    }

    private void written(ChannelFuture write) {
        unfinishedWrites--;
        if (!write.isSuccess()) {
            fail(channel.isActive() ? write.cause() : closed());
        } else if (upstreamDone && unfinishedWrites == 0) {
            succeed();
        }
    }

    private void succeed() {
        if (!terminated) {
            terminated = true;
            channel.closeFuture().removeListener(onClosed);
            done.tryEmitEmpty();
        }
    }

    private void fail(Throwable error) {
        if (!terminated) {
            terminated = true;
            channel.closeFuture().removeListener(onClosed);
            cancel();
            done.tryEmitError(error);
        }
    }

    private PeerException closed() {
        return new PeerException(DisconnectReason.REQUESTED, "connection to " + peer + " is closed");
    }
}
