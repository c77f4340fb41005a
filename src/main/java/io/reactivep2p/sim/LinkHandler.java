package io.reactivep2p.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One end of a simulated connection: applies {@link Links}' model to what its channel sends
 * and receives. Both ends of every connection have one, right above the channel.
 *
 * <p><b>Sending.</b> Each buffer written is wrapped in a {@link Timed} holder; at the flush,
 * each takes its departure from the node's upload queue, then the latency and any loss delay,
 * and goes to the other end at once (an in-memory channel), stamped with when it arrives there.
 * A close waits until what was sent has arrived (the FIN comes after the data), unless the
 * link is cut: then the data still on the way is lost.
 *
 * <p><b>Receiving.</b> A buffer waits in {@link #inTransit} until its arrival time, then
 * passes the node's download queue, then is read by the pipeline above. While a partition cuts
 * the link, arrivals stop (TCP retransmits into the void); when it heals, what waited arrives
 * one latency later, in order.
 *
 * <p>Event loop only (the simulation's one thread).
 */
final class LinkHandler extends ChannelDuplexHandler {

    /** A buffer on its way, with when it reaches the other end. */
    static final class Timed extends DefaultByteBufHolder {
        final LinkHandler sender;
        final int bytes;
        long arrival;
        long deliver;

        Timed(ByteBuf data, LinkHandler sender) {
            super(data);
            this.sender = sender;
            this.bytes = data.readableBytes();
        }
    }

    private final Simulation sim;
    private ChannelHandlerContext ctx;
    /** The node at this end and at the other, by index; -1 until the channel is connected. */
    private int local = -1;
    private int remote = -1;
    /** The pair's one-way latency, fixed for the link's life (known once the ends are). */
    private long latency;

    // Sending
    private final List<Timed> unflushed = new ArrayList<>();
    private long lastArrival;
    private long inFlight;
    private boolean throttled;
    private boolean closing;

    // Receiving
    /** Received from the channel, not yet arrived (arrival times in order). */
    private final ArrayDeque<Timed> inTransit = new ArrayDeque<>();
    /** Arrived, waiting for the download queue (delivery times in order). */
    private final ArrayDeque<Timed> arrived = new ArrayDeque<>();
    private boolean arrivalScheduled;
    private boolean deliveryScheduled;
    private boolean parked;
    private long lastDeliver;

    LinkHandler(Simulation sim) {
        this.sim = sim;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    private boolean resolve() {
        if (local < 0) {
            local = sim.nodeOf(ctx.channel().localAddress());
            remote = sim.nodeOf(ctx.channel().remoteAddress());
            if (local >= 0 && remote >= 0) {
                latency = sim.latencyNanos(local, remote);
            }
        }
        return local >= 0 && remote >= 0;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (resolve()) {
            sim.opened(local, this);
        }
        ctx.fireChannelActive();
    }

    /** The node crashed: the connection closes as its process dies (the kernel still sends what was written). */
    void abort() {
        ctx.channel().close();
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            return;
        }
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            Timed t = new Timed(buf, this);
            unflushed.add(t);
            ctx.write(t, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!unflushed.isEmpty() && resolve()) {
            long now = sim.nanoTime();
            for (Timed t : unflushed) {
                long departure = sim.upload(local, t.bytes, now);
                long arrival = Math.max(departure + latency + sim.lossDelayNanos(t.bytes), lastArrival);
                t.arrival = arrival;
                lastArrival = arrival;
                inFlight += t.bytes;
            }
            if (!throttled && inFlight > sim.links().window()) {
                throttled = true;
                writable(false);
            }
        }
        unflushed.clear();
        ctx.flush();
    }

    /** The other end read {@code bytes} of what this end sent. */
    void read(int bytes) {
        inFlight -= bytes;
        if (throttled && inFlight <= sim.links().window() / 2) {
            throttled = false;
            writable(true);
        }
    }

    private void writable(boolean writable) {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer != null) {
            buffer.setUserDefinedWritability(1, writable);
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closing) {
            // Closed already, or closing once what was sent has arrived: a second close changes
            // nothing (over TCP it is a no-op too), it completes with the first.
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        if (!ctx.channel().isActive() || !resolve() || sim.cut(local, remote)) {
            closing = true;
            ctx.close(promise);
            return;
        }
        closing = true;
        long now = sim.nanoTime();
        long fin = Math.max(lastArrival, now + latency);
        ctx.executor().schedule(() -> {
            ctx.close(promise);
        }, fin - now, TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Timed t)) {
            ctx.fireChannelRead(msg);
            return;
        }
        inTransit.add(t);
        scheduleArrival();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Read completes are the model's to make: one after each delivery.
    }

    private void scheduleArrival() {
        if (arrivalScheduled || parked || inTransit.isEmpty()) {
            return;
        }
        long delay = inTransit.peek().arrival - sim.nanoTime();
        if (delay <= 0) {
            arrive(); // already due (no latency): no timer; arrive() leaves only later ones behind
            return;
        }
        arrivalScheduled = true;
        ctx.executor().schedule(this::arrive, delay, TimeUnit.NANOSECONDS);
    }

    /** The head of {@link #inTransit} reaches this node, unless the link is cut. */
    private void arrive() {
        arrivalScheduled = false;
        long now = sim.nanoTime();
        while (!inTransit.isEmpty() && inTransit.peek().arrival <= now) {
            resolve();
            if (sim.cut(remote, local)) {
                parked = true;
                sim.park(this);
                return;
            }
            Timed t = inTransit.poll();
            t.deliver = Math.max(sim.download(local, t.bytes, now), lastDeliver);
            lastDeliver = t.deliver;
            arrived.add(t);
            scheduleDelivery();
        }
        scheduleArrival();
    }

    /** One timer per connection at most, for the head of {@link #arrived}: they leave in order. */
    private void scheduleDelivery() {
        if (deliveryScheduled || arrived.isEmpty()) {
            return;
        }
        long delay = arrived.peek().deliver - sim.nanoTime();
        if (delay <= 0) {
            deliverDue();
            return;
        }
        deliveryScheduled = true;
        ctx.executor().schedule(() -> {
            deliveryScheduled = false;
            deliverDue();
        }, delay, TimeUnit.NANOSECONDS);
    }

    /** The partition that cut this link healed: what waited arrives one latency from now. */
    void resume() {
        if (!parked) {
            return;
        }
        parked = false;
        long arrival = sim.nanoTime() + latency;
        for (Timed t : inTransit) {
            t.arrival = Math.max(t.arrival, arrival);
        }
        scheduleArrival();
    }

    private void deliverDue() {
        long now = sim.nanoTime();
        while (!arrived.isEmpty() && arrived.peek().deliver <= now) {
            deliver(arrived.poll());
        }
        scheduleDelivery();
    }

    private void deliver(Timed t) {
        t.sender.read(t.bytes);
        sim.delivered(remote, local, t.bytes);
        ctx.fireChannelRead(t.content());
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (local >= 0) {
            sim.closed(local, this);
        }
        // The other end's close: what has arrived is read first; what has not is lost with the connection.
        while (!arrived.isEmpty()) {
            deliver(arrived.poll());
        }
        releaseInTransit();
        sim.unpark(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (local >= 0) {
            sim.closed(local, this);
        }
        for (Timed t = arrived.poll(); t != null; t = arrived.poll()) {
            t.release();
        }
        releaseInTransit();
        unflushed.clear(); // the channel's outbound buffer owns them, and fails and releases them
    }

    private void releaseInTransit() {
        for (Timed t = inTransit.poll(); t != null; t = inTransit.poll()) {
            t.sender.read(t.bytes);
            t.release();
        }
    }
}
