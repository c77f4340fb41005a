package io.reactivep2p.protocol;

import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.slf4j.LoggerFactory;

/**
 * The LZ4 block codec, and the xxHash64 of message ids: for each, the fastest implementation
 * measured that runs without JVM warnings on JDK 17 and JDK 25
 * ({@code FrameCodecBenchmark.Lz4Blocks}, {@code MessageIdBenchmark}; bench/RESULTS.md, "JDK 17
 * and JDK 25"). None uses {@code sun.misc.Unsafe}, whose memory-access methods JDK 24+ warns
 * about (JEP 498), as lz4-java's "fastest Java" xxHash64 does.
 *
 * <ul>
 *   <li><b>LZ4</b>: lz4-java's JNI binding of liblz4, 1.6–33× faster than its pure-Java code,
 *       and the blocks nodes have always sent. Like Netty's epoll it needs native access on JDK 24+
 *       (JEP 472). Where it does not load (no library for the platform, native access denied),
 *       lz4-java's safe pure-Java implementation, whose blocks are sometimes different and
 *       larger; each decodes the other's. Peer bytes only ever meet a <em>safe</em>
 *       decompressor, which bounds every read and write by the lengths it is given; the "fast"
 *       decompressor trusts its input and must never see peer bytes.</li>
 *   <li><b>xxHash64</b> ({@link #XXH64}): hash4j's over arrays; lz4-java's JNI one over
 *       (direct) {@link ByteBuffer}s, where hash4j's is slower and lz4-java's pure-Java one,
 *       on JDK 17, up to 7× slower in one VM than in the next, as its JIT compilation goes;
 *       that one where JNI does not load.</li>
 * </ul>
 *
 * <p>The system property {@code reactivep2p.lz4=java} keeps to the pure-Java implementations
 * (fuzzing, so that coverage sees the LZ4 code).
 */
final class Lz4 {

    private static final String CHOICE = System.getProperty("reactivep2p.lz4");

    static final LZ4Factory FACTORY = lz4Factory(CHOICE);
    static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();
    static final Xxh64 XXH64 = new Xxh64(xxHashFactory(CHOICE).hash64());

    private Lz4() {
    }

    /** {@code "java"}: the safe pure-Java implementation; otherwise JNI where it loads, else that. */
    static LZ4Factory lz4Factory(String choice) {
        return nativeOr(LZ4Factory::nativeInstance, LZ4Factory.safeInstance(), choice);
    }

    /** As {@link #lz4Factory}, for xxHash. */
    static XXHashFactory xxHashFactory(String choice) {
        return nativeOr(XXHashFactory::nativeInstance, XXHashFactory.safeInstance(), choice);
    }

    private static <T> T nativeOr(Supplier<T> nativeInstance, T safeInstance, String choice) {
        if (!"java".equals(choice)) {
            try {
                return nativeInstance.get();
            } catch (LinkageError | RuntimeException | AssertionError e) {
                // ExceptionInInitializerError (IllegalCallerException) under --illegal-native-access=deny,
                // UnsatisfiedLinkError without a library for this platform.
                LoggerFactory.getLogger(Lz4.class).debug("lz4-java: pure Java; the native library did not load", e);
            }
        }
        return safeInstance;
    }

    /** xxHash64 with a seed given per call; allocates nothing. */
    static final class Xxh64 {

        private final XXHash64 buffers;

        private Xxh64(XXHash64 buffers) {
            this.buffers = buffers;
        }

        long hash(byte[] bytes, int offset, int length, long seed) {
            // The seed's hasher is a few longs; inlined here, the JIT allocates none (0 B/op in MessageIdBenchmark).
            return Hashing.xxh64(seed).hashBytesToLong(bytes, offset, length);
        }

        /** JNI reads the buffer in place; the pure-Java fallback duplicates a buffer not in little-endian order. */
        long hash(ByteBuffer buffer, int offset, int length, long seed) {
            return buffers.hash(buffer, offset, length, seed);
        }
    }
}
