package io.reactivep2p.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes a node reads and writes on all its connections, as they cross the socket
 * (frames with their headers, compressed where they are). Sits first in each pipeline; one
 * instance is shared by every channel of a node.
 */
@ChannelHandler.Sharable
public final class ByteCounter extends ChannelDuplexHandler {

    private final LongAdder read = new LongAdder();
    private final LongAdder written = new LongAdder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            read.add(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            written.add(b.readableBytes());
        }
        ctx.write(msg, promise);
    }

    /** Bytes read so far. */
    public long read() {
        return read.sum();
    }

    /** Bytes handed to the sockets so far. */
    public long written() {
        return written.sum();
    }
}
