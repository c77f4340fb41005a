package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Objects;

/**
 * Encodes each outbound {@link Message} into a frame with {@link FrameCodec#encode}.
 * Frames already encoded ({@link ByteBuf}s, each one whole frame, e.g. one gossip frame shared
 * by many peers) pass through untouched.
 *
 * <p>LZ4 is off until {@link #lz4(boolean)} turns it on, once the peer's HELLO has
 * advertised the capability. One instance per channel (not sharable).
 */
public final class FrameEncoder extends MessageToMessageEncoder<Message> {

    private final FrameSettings settings;
    private final FrameObserver observer;
    private volatile boolean lz4;

    /** An encoder with the given settings, LZ4 off. */
    public FrameEncoder(FrameSettings settings) {
        this(settings, FrameObserver.NONE);
    }

    /**
     * An encoder with the given settings, LZ4 off, that tells {@code observer} of each frame
     * it writes: the ones it encodes and the ones passing through already encoded.
     */
    public FrameEncoder(FrameSettings settings, FrameObserver observer) {
        super(Message.class);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** Turns LZ4 compression of large payloads on or off for the following writes. */
    public void lz4(boolean enabled) {
        this.lz4 = enabled;
    }

    /** Whether LZ4 compression is on. */
    public boolean lz4() {
        return lz4;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf frame && frame.readableBytes() >= settings.format().headerLength()) {
            observer.frameWritten(settings.format().typeCode(frame), frame.readableBytes());
        }
        super.write(ctx, msg, promise);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        ByteBuf frame = FrameCodec.encode(ctx.alloc(), settings, msg, lz4);
        observer.frameWritten(msg.type().code(), frame.readableBytes());
        out.add(frame);
    }
}
