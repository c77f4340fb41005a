package io.reactivep2p.protocol;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The LZ4 block codec, and xxHash64 from the same library. Decompression of peer bytes only ever uses the <em>safe</em>
 * decompressor, which bounds every read and write by the lengths it is given; the
 * "fast" decompressor trusts its input and must never see peer bytes.
 *
 * <p>The native (JNI) implementation is used where lz4-java ships one; the system property
 * {@code reactivep2p.lz4=java} selects the pure-Java implementation (for fuzzing, so that
 * coverage sees it, or for platforms without the native library).
 */
final class Lz4 {

    static final LZ4Factory FACTORY = "java".equals(System.getProperty("reactivep2p.lz4"))
            ? LZ4Factory.safeInstance()
            : LZ4Factory.fastestInstance();
    static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();
    /**
     * xxHash64 from the same library, pure Java: {@code MessageIdBenchmark} measured it
     * fastest (the JNI one pays a fixed call cost; hash4j's was slower on arrays).
     */
    static final XXHash64 XXH64 = XXHashFactory.fastestJavaInstance().hash64();

    private Lz4() {
    }
}
