package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;

/** Test helpers: hex, and encode/decode through {@link FrameCodec} with every buffer released. */
final class Frames {

    static final FrameSettings SETTINGS = FrameSettings.defaults();
    static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    private Frames() {
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static byte[] encode(Message message, boolean lz4) {
        ByteBuf frame = FrameCodec.encode(ALLOC, SETTINGS, message, lz4);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    /** Decodes exactly one frame from {@code bytes}; fails if bytes remain or none is complete. */
    static Message decode(byte[] bytes) {
        return decode(bytes, SETTINGS);
    }

    static Message decode(byte[] bytes, FrameSettings settings) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            ByteBuf frame = FrameCodec.decode(in, settings, ALLOC);
            if (frame == null) {
                throw new AssertionError("incomplete frame");
            }
            try {
                if (in.isReadable()) {
                    throw new AssertionError(in.readableBytes() + " bytes left after the frame");
                }
                return FrameCodec.toMessage(frame);
            } finally {
                frame.release();
            }
        } finally {
            in.release();
        }
    }
}
