package io.reactivep2p.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.reactivep2p.BenchmarkBase;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
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
 * <p>{@link Lz4Blocks} compares LZ4 block implementations on the calls {@link FrameCodec}
 * makes.
 *
 * <p>Run (about 8 minutes on 2 cores, without {@link Lz4Blocks}):
 * <pre>
 * java -jar bench/target/benchmarks.jar 'FrameCodecBenchmark\.(encode|decode|decodeToMessage)$' -prof gc \
 *     -f 1 -wi 3 -i 5 -w 1s -r 1s -rf json -rff /tmp/framecodec.json
 * </pre>
 *
 * <p>The LZ4 block candidates, on JDK 17 and JDK 25 (the forks inherit the launching JVM's
 * options, hence the native-access flag for the JNI candidate):
 * <pre>
 * for jdk in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
 *   $jdk/bin/java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar \
 *       'FrameCodecBenchmark\.Lz4Blocks' -prof gc -f 2 -wi 3 -i 5 -w 1s -r 1s
 * done
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

    /**
     * LZ4 block implementations of lz4-java ({@link #impl}) on the calls {@link FrameCodec}
     * makes: {@code compress}, the heap payload into a direct buffer; {@code decompress}, safe
     * decompression from a direct buffer into another. The buffers are in Netty's (big-endian)
     * order and reused, as Netty's internal NIO buffers are. Every candidate decompresses the
     * same block, the one the library's compressor ({@link Lz4#COMPRESSOR}) makes. Setup checks
     * each candidate's own round trip and its decompression of that block.
     */
    public static class Lz4Blocks extends BenchmarkBase {

        /** Payload bytes before compression. */
        @Param({"4096", "1048576"})
        public int size;

        /** As in {@link FrameCodecBenchmark#data}. */
        @Param({"compressible", "random"})
        public String data;

        /**
         * {@code jni}: {@code LZ4Factory.nativeInstance()}, liblz4 through JNI (needs native
         * access on JDK 24+); {@code javaSafe}: {@code safeInstance()}, pure Java on array and
         * {@code ByteBuffer} accessors; {@code javaUnsafe}: {@code unsafeInsecureInstance()},
         * pure Java on {@code sun.misc.Unsafe} (warns on JDK 24+; a reference, not a choice).
         */
        @Param({"jni", "javaSafe", "javaUnsafe"})
        public String impl;

        private LZ4Compressor compressor;
        private LZ4SafeDecompressor decompressor;
        /** The heap payload, wrapped as {@code encode} wraps it. */
        private ByteBuffer payload;
        /** Where blocks are compressed to: {@code maxCompressedLength} bytes, direct. */
        private ByteBuffer compressed;
        /** The library's block of the payload, direct, and its length. */
        private ByteBuffer block;
        private int blockLength;
        /** Where blocks are decompressed to: the payload's length, direct. */
        private ByteBuffer decompressed;

        @Setup(Level.Trial)
        public void setUp() {
            LZ4Factory factory = switch (impl) {
                case "jni" -> LZ4Factory.nativeInstance();
                case "javaSafe" -> LZ4Factory.safeInstance();
                case "javaUnsafe" -> LZ4Factory.unsafeInsecureInstance();
                default -> throw new IllegalArgumentException("unknown LZ4 implementation: " + impl);
            };
            compressor = factory.fastCompressor();
            decompressor = factory.safeDecompressor();
            byte[] bytes = bytes(data, size);
            payload = ByteBuffer.wrap(bytes);
            int max = compressor.maxCompressedLength(size);
            compressed = ByteBuffer.allocateDirect(max);
            block = ByteBuffer.allocateDirect(max);
            blockLength = Lz4.COMPRESSOR.compress(payload, 0, size, block, 0, max);
            decompressed = ByteBuffer.allocateDirect(size);
            int own = compressor.compress(payload, 0, size, compressed, 0, max);
            checkRoundTrip(compressed, own, bytes);
            checkRoundTrip(block, blockLength, bytes);
            System.out.printf("%n[setup] size=%d data=%s %s: %s, %s; block of %d bytes (the library's, %s: %d)%n",
                    size, data, impl, compressor, decompressor, own, Lz4.COMPRESSOR, blockLength);
        }

        private void checkRoundTrip(ByteBuffer src, int length, byte[] original) {
            int produced = decompressor.decompress(src, 0, length, decompressed, 0, size);
            if (produced != size || !decompressed.duplicate().clear().equals(ByteBuffer.wrap(original))) {
                throw new IllegalStateException(impl + ": LZ4 round trip failed");
            }
        }

        /** LZ4 block compression of the payload into a direct buffer, as {@code encode} does it. */
        @Benchmark
        public int compress() {
            return compressor.compress(payload, 0, size, compressed, 0, compressed.capacity());
        }

        /** Safe LZ4 decompression of the library's block, direct to direct, as {@code decode} does it. */
        @Benchmark
        public int decompress() {
            return decompressor.decompress(block, 0, blockLength, decompressed, 0, size);
        }
    }
}
