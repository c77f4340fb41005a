package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli) of frame payloads with the JDK's intrinsic {@link CRC32C}, one instance
 * per thread so that checksumming allocates nothing.
 */
final class Crc32c {

    private static final FastThreadLocal<CRC32C> CRC = new FastThreadLocal<>() {
        @Override
        protected CRC32C initialValue() {
            return new CRC32C();
        }
    };

    private Crc32c() {
    }

    /** This thread's instance, reset: for a checksum computed piece by piece. */
    static CRC32C start() {
        CRC32C crc = CRC.get();
        crc.reset();
        return crc;
    }

    static int of(byte[] bytes, int offset, int length) {
        CRC32C crc = CRC.get();
        crc.reset();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static int of(ByteBuf buf, int index, int length) {
        CRC32C crc = CRC.get();
        crc.reset();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(index, length)) {
                crc.update(part);
            }
        }
        return (int) crc.getValue();
    }
}
