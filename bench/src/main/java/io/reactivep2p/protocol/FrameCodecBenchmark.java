package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.reactivep2p.BenchmarkBase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link FrameCodec}: encoding a {@link Message} into a frame, decoding a frame (header
 * checks, CRC32C, LZ4 expansion when compressed), and decoding plus the copy into a heap
 * {@link Message}. Buffers come from {@link PooledByteBufAllocator#DEFAULT}, as in a node.
 *
 * <p>With {@code lz4=true} the encoder compresses only payloads of at least
 * {@link FrameSettings#DEFAULT_COMPRESSION_THRESHOLD} bytes whose compressed form is smaller:
 * at 64 and 256 bytes nothing is compressed (the frame is the same as with {@code lz4=false}),
 * and random payloads stay uncompressed at every size, the encoder having tried and given up.
 * Setup prints which frames are compressed.
 *
 * <p>Run (about 8 minutes on 2 cores):
 * <pre>
 * java -jar bench/target/benchmarks.jar FrameCodecBenchmark -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s \
 *     -rf json -rff /tmp/framecodec.json
 * </pre>
 */
public class FrameCodecBenchmark extends BenchmarkBase {

    /** Payload bytes before compression. */
    @Param({"64", "256", "4096", "1048576"})
    public int size;

    /** Whether the encoder may compress (the peer announced LZ4). */
    @Param({"false", "true"})
    public boolean lz4;

    /** {@code compressible}: JSON-like text; {@code random}: seeded random bytes. */
    @Param({"compressible", "random"})
    public String data;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final FrameSettings settings = FrameSettings.defaults();
    private Message message;
    /** One encoded frame, decoded again and again from reader index 0. */
    private ByteBuf encoded;

    @Setup(Level.Trial)
    public void setUp() {
        message = Message.of(MessageType.MsgTx, bytes(data, size));
        encoded = FrameCodec.encode(alloc, settings, message, lz4);
        boolean compressed = (FrameCodec.flags(encoded) & FrameCodec.FLAG_LZ4) != 0;
        // Check the round trip once, outside the measurement.
        ByteBuf frame = FrameCodec.decode(encoded, settings, alloc);
        try {
            if (frame == null || !FrameCodec.toMessage(frame).equals(message) || encoded.isReadable()) {
                throw new IllegalStateException("round trip failed");
            }
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
        encoded.readerIndex(0);
        System.out.printf("%n[setup] size=%d lz4=%b data=%s: frame of %d bytes, %s, %s buffer%n",
                size, lz4, data, encoded.readableBytes(), compressed ? "LZ4-compressed" : "uncompressed",
                encoded.isDirect() ? "direct" : "heap");
    }

    /** Fails the run if decoding leaked a reference to the input (a slice never released). */
    @TearDown(Level.Trial)
    public void tearDown() {
        int refCnt = encoded.refCnt();
        if (refCnt > 0) {
            encoded.release(refCnt);
        }
        if (refCnt != 1) {
            throw new IllegalStateException("encoded frame has refCnt " + refCnt + " after the run, expected 1");
        }
    }

    /** Encodes the message into a pooled buffer and releases it. */
    @Benchmark
    public int encode() {
        ByteBuf frame = FrameCodec.encode(alloc, settings, message, lz4);
        int length = frame.readableBytes();
        frame.release();
        return length;
    }

    /**
     * Decodes the pre-encoded frame: header checks and CRC32C, then a retained slice of the
     * input (uncompressed) or a new pooled buffer with the expanded payload (LZ4).
     */
    @Benchmark
    public int decode() {
        encoded.readerIndex(0);
        ByteBuf frame = FrameCodec.decode(encoded, settings, alloc);
        int length = frame.readableBytes();
        frame.release();
        return length;
    }

    /** {@link #decode} plus {@link FrameCodec#toMessage}: the copy into a heap message. */
    @Benchmark
    public Message decodeToMessage() {
        encoded.readerIndex(0);
        ByteBuf frame = FrameCodec.decode(encoded, settings, alloc);
        try {
            return FrameCodec.toMessage(frame);
        } finally {
            frame.release();
        }
    }
}
