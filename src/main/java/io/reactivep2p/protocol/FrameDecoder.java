package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.Objects;

/**
 * Splits the inbound byte stream into frames with {@link FrameCodec#decode}, emitting one
 * uncompressed frame {@link ByteBuf} per frame; whoever reads them must release them.
 *
 * <pre>
 *  bytes in             frames out (uncompressed, checksummed)
 *  +------+---------+   +------+---------+   +------+-----+
 *  | hdr  | payl|hdr| → | hdr  | payload | , | hdr  | ... |
 *  +------+---------+   +------+---------+   +------+-----+
 * </pre>
 *
 * <p>Pitfalls it handles: a header announcing more than the maximum frame length fails at
 * once, before the payload is buffered; after the first {@link ProtocolException} the stream
 * cannot be resynchronised, so the decoder discards everything that follows and the error
 * is fired once through {@code exceptionCaught}. The handler above is expected to send
 * DISCONNECT with {@link ProtocolException#reason()} and close.
 *
 * <p>One instance per channel (not sharable).
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final FrameSettings settings;
    private final FrameObserver observer;
    private boolean failed;

    /** A decoder with the given settings. */
    public FrameDecoder(FrameSettings settings) {
        this(settings, FrameObserver.NONE);
    }

    /** A decoder with the given settings that tells {@code observer} of each frame it reads. */
    public FrameDecoder(FrameSettings settings, FrameObserver observer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuf frame;
        int start = in.readerIndex();
        try {
            frame = FrameCodec.decode(in, settings, ctx.alloc());
        } catch (ProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (frame != null) {
            observer.frameRead(FrameCodec.typeCode(frame), in.readerIndex() - start);
            out.add(frame);
        }
    }
}
