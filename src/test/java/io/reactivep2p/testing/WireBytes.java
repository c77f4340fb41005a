package io.reactivep2p.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;

/** Frames as plain bytes, for tests that write to raw sockets. */
public final class WireBytes {

    private WireBytes() {
    }

    /** The uncompressed inner frame (version 2, inside records) of {@code message}. */
    public static byte[] innerFrame(Message message) {
        ByteBuf frame = FrameCodec.encode(UnpooledByteBufAllocator.DEFAULT,
                FrameSettings.defaults().withFormat(FrameFormat.INNER), message, false);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    /** The uncompressed frame of {@code message} with the default settings. */
    public static byte[] frame(Message message) {
        ByteBuf frame = FrameCodec.encode(UnpooledByteBufAllocator.DEFAULT, FrameSettings.defaults(), message, false);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }
}
