package io.reactivep2p.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link Lz4}: which implementations it picks, that LZ4 blocks travel between the JNI and the
 * pure-Java implementation (a node may run either), and that its xxHash64 agrees with another
 * implementation on every path.
 */
class Lz4Test {

    @Test
    void implementations_areJniOrSafeJava_neverUnsafe() {
        assertThat(Lz4.COMPRESSOR.getClass().getSimpleName()).isIn("LZ4JNICompressor", "LZ4JavaSafeCompressor");
        assertThat(Lz4.DECOMPRESSOR.getClass().getSimpleName())
                .isIn("LZ4JNISafeDecompressor", "LZ4JavaSafeSafeDecompressor");
        assertThat(Lz4.lz4Factory("java")).isSameAs(LZ4Factory.safeInstance());
        assertThat(Lz4.xxHashFactory("java")).isSameAs(XXHashFactory.safeInstance());
        // lz4-java ships its library for this platform, and the tests run with native access enabled.
        assertThat(Lz4.lz4Factory(null)).isSameAs(LZ4Factory.nativeInstance());
        assertThat(Lz4.xxHashFactory(null)).isSameAs(XXHashFactory.nativeInstance());
    }

    @Test
    void blocks_decodeAcrossTheJniAndJavaImplementations() {
        LZ4Factory jni = LZ4Factory.nativeInstance();
        LZ4Factory java = LZ4Factory.safeInstance();
        Random random = new Random(1);
        for (int i = 0; i < 300; i++) {
            // Sizes across the 64 KiB boundary, where the compressors change their tables.
            byte[] input = sample(random, i < 280 ? random.nextInt(5000) : 60_000 + random.nextInt(20_000));
            for (LZ4Factory from : new LZ4Factory[] {jni, java}) {
                LZ4Compressor compressor = from.fastCompressor();
                byte[] block = new byte[compressor.maxCompressedLength(input.length)];
                int blockLength = compressor.compress(input, 0, input.length, block, 0, block.length);
                for (LZ4SafeDecompressor decompressor : new LZ4SafeDecompressor[] {
                        jni.safeDecompressor(), java.safeDecompressor(), Lz4.DECOMPRESSOR}) {
                    byte[] output = new byte[input.length];
                    assertThat(decompressor.decompress(block, 0, blockLength, output, 0)).isEqualTo(input.length);
                    assertThat(output).isEqualTo(input);
                }
            }
        }
    }

    @Test
    void xxh64_ofNothingWithSeedZero_isTheReferenceValue() {
        // The value the xxHash reference implementation gives for an empty input and seed 0.
        assertThat(Lz4.XXH64.hash(new byte[0], 0, 0, 0)).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(Lz4.XXH64.hash(ByteBuffer.allocateDirect(0), 0, 0, 0)).isEqualTo(0xEF46DB3751D8E999L);
    }

    @Test
    void xxh64_agreesWithAnotherImplementation_overArraysAndBuffersOfEitherOrder() {
        // Arrays go to hash4j, buffers to lz4-java: each path is checked against the other library,
        // and lz4-java's pure-Java buffer path (the fallback) too.
        XXHash64 lz4Java = XXHashFactory.safeInstance().hash64();
        Random random = new Random(2);
        for (int i = 0; i < 500; i++) {
            byte[] bytes = new byte[random.nextInt(600)];
            random.nextBytes(bytes);
            int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int length = random.nextInt(bytes.length - offset + 1);
            long seed = random.nextLong();
            long expected = lz4Java.hash(bytes, offset, length, seed);
            assertThat(Lz4.XXH64.hash(bytes, offset, length, seed)).isEqualTo(expected);

            long hash4j = Hashing.xxh64(seed).hashBytesToLong(bytes, offset, length);
            assertThat(hash4j).isEqualTo(expected);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer heap = ByteBuffer.wrap(bytes).order(order);
                ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).order(order);
                assertThat(Lz4.XXH64.hash(heap, offset, length, seed)).isEqualTo(hash4j);
                assertThat(Lz4.XXH64.hash(direct, offset, length, seed)).isEqualTo(hash4j);
                assertThat(lz4Java.hash(direct, offset, length, seed)).isEqualTo(hash4j);
            }
        }
    }

    /** Random bytes, runs of a few symbols, or text-like repeats: what compresses well and what does not. */
    private static byte[] sample(Random random, int length) {
        byte[] bytes = new byte[length];
        switch (random.nextInt(3)) {
            case 0 -> random.nextBytes(bytes);
            case 1 -> {
                int symbols = 1 + random.nextInt(8);
                for (int i = 0; i < length; i++) {
                    bytes[i] = (byte) ('a' + (i / (1 + random.nextInt(16))) % symbols);
                }
            }
            default -> {
                byte[] word = ("{\"from\":\"peer-" + random.nextInt(100) + "\",\"amount\":")
                        .getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < length; i++) {
                    bytes[i] = random.nextInt(10) == 0 ? (byte) random.nextInt(256) : word[i % word.length];
                }
            }
        }
        return bytes;
    }
}
