package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Objects;

/**
 * Encodes each outbound {@link Message} into a frame with {@link FrameCodec#encode}.
 * Frames already encoded ({@link ByteBuf}s, e.g. one gossip frame shared by many peers) pass
 * through untouched.
 *
 * <p>LZ4 is off until {@link #lz4(boolean)} turns it on, once the peer's HELLO has
 * advertised the capability. One instance per channel (not sharable).
 */
public final class FrameEncoder extends MessageToMessageEncoder<Message> {

    private final FrameSettings settings;
    private volatile boolean lz4;

    /** An encoder with the given settings, LZ4 off. */
    public FrameEncoder(FrameSettings settings) {
        super(Message.class);
        this.settings = Objects.requireNonNull(settings, "settings");
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
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        out.add(FrameCodec.encode(ctx.alloc(), settings, msg, lz4));
    }
}
