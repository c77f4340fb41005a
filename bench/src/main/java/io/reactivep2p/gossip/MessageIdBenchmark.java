package io.reactivep2p.gossip;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.reactivep2p.BenchmarkBase;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Candidates for the message id (the node-local dedup key, a seeded 64-bit hash) and the
 * content hash (SHA-256 of {@code type ‖ payload}).
 *
 * <ul>
 *   <li>{@code dedupKeyMessage}: {@link MessageIds#dedupKey(Message)}, the library's choice:
 *       hash4j's XXH64 of the payload array in place, seeded per type.</li>
 *   <li>{@code dedupKeyFrame}: {@link MessageIds#dedupKey(ByteBuf)}, the same key read in place
 *       from an encoded, uncompressed frame in a pooled (direct) buffer: lz4-java's safe XXH64
 *       on Netty's internal NIO buffer.</li>
 *   <li>{@code hash4jXxh64Payload}, {@code lz4SafeXxh64Payload}, {@code lz4UnsafeXxh64Payload},
 *       {@code lz4JniXxh64Payload}: the same payload array with the same per-type seed through
 *       hash4j's XXH64 (pure Java, {@code VarHandle} reads), lz4-java's safe pure-Java instance
 *       (no {@code sun.misc.Unsafe}), its {@code Unsafe} instance (warns on JDK 24+:
 *       "terminally deprecated method in sun.misc.Unsafe") and its JNI instance (needs native
 *       access on JDK 24+).</li>
 *   <li>{@code hash4jXxh64Direct}, {@code lz4SafeXxh64Direct}, {@code lz4UnsafeXxh64Direct},
 *       {@code lz4JniXxh64Direct}: the same four on a direct {@link ByteBuffer} holding the
 *       payload, set to little-endian as {@link FrameCodec#payloadHash64} sets Netty's internal
 *       NIO buffer (lz4-java's Java instances would otherwise allocate a little-endian duplicate
 *       per call; hash4j reads either order through its {@code ByteBuffer} access).</li>
 *   <li>{@code hash4jXxh64Array}, {@code lz4JavaXxh64Array}, {@code lz4NativeXxh64Array},
 *       {@code hash4jXxh3Array}: a precomputed {@code type ‖ payload} array (the earlier design,
 *       which hashed the type prefix; without the cost of building the array).</li>
 *   <li>{@code sha256}: a reused {@link MessageDigest}; {@code sha256ContentHash}:
 *       {@link MessageIds#contentHash(Message)} as the library computes it.</li>
 * </ul>
 *
 * <p>Setup checks that the payload and direct-buffer candidates agree with each other, that
 * the array candidates agree with each other, and that both SHA-256 candidates agree.
 *
 * <p>Run (about 10 minutes on 2 cores):
 * <pre>
 * java -jar bench/target/benchmarks.jar MessageIdBenchmark -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s \
 *     -rf json -rff /tmp/msgid.json
 * </pre>
 *
 * <p>The xxHash64 implementations alone, on JDK 17 and JDK 25 (the forks inherit the launching
 * JVM's options, hence the native-access flag for the JNI candidates):
 * <pre>
 * for jdk in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
 *   $jdk/bin/java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar \
 *       'MessageIdBenchmark\.(dedupKey.*|.*Xxh64(Payload|Direct))' -prof gc -f 2 -wi 3 -i 5 -w 1s -r 1s
 * done
 * </pre>
 */
public class MessageIdBenchmark extends BenchmarkBase {

    private static final long SEED = 0x1D5EED_0F_5EEDL;

    /** Payload bytes (the array candidates hash one byte more: the type). */
    @Param({"64", "256", "1024", "4096"})
    public int size;

    private MessageIds ids;
    private Message message;
    private ByteBuf frame;
    private byte[] payload;
    /** {@code type ‖ payload}. */
    private byte[] typeAndPayload;
    private byte typeCode;
    private Hasher64 xxh64;
    private Hasher64 xxh64TypeSeeded;
    private long typeSeed;
    private Hasher64 xxh3;
    private XXHash64 lz4Java;
    private XXHash64 lz4Native;
    private XXHash64 lz4Safe;
    private XXHash64 lz4Unsafe;
    /** The payload in a direct little-endian buffer. */
    private ByteBuffer direct;
    private ByteAccess<ByteBuffer> directAccess;
    private MessageDigest sha256;

    @Setup(Level.Trial)
    public void setUp() throws NoSuchAlgorithmException {
        payload = randomBytes(size);
        message = Message.of(MessageType.MsgTx, payload);
        typeCode = (byte) MessageType.MsgTx.code();
        typeAndPayload = new byte[1 + size];
        typeAndPayload[0] = typeCode;
        System.arraycopy(payload, 0, typeAndPayload, 1, size);
        frame = FrameCodec.encode(PooledByteBufAllocator.DEFAULT, FrameSettings.defaults(), message, false);

        ids = MessageIds.withSeed(SEED);
        xxh64 = Hashing.xxh64(SEED);
        xxh3 = Hashing.xxh3_64(SEED);
        lz4Java = XXHashFactory.fastestJavaInstance().hash64();
        lz4Native = XXHashFactory.fastestInstance().hash64();
        lz4Safe = XXHashFactory.safeInstance().hash64();
        lz4Unsafe = XXHashFactory.unsafeInstance().hash64();
        direct = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN).put(payload);
        directAccess = ByteAccess.forByteBuffer(direct.order());
        sha256 = MessageDigest.getInstance("SHA-256");

        typeSeed = ids.typeSeed(MessageType.MsgTx.code());
        xxh64TypeSeeded = Hashing.xxh64(typeSeed);
        agree(hash4jXxh64Payload(), dedupKeyMessage(), dedupKeyFrame(), lz4SafeXxh64Payload(),
                lz4UnsafeXxh64Payload(), lz4JniXxh64Payload(), hash4jXxh64Direct(), lz4SafeXxh64Direct(),
                lz4UnsafeXxh64Direct(), lz4JniXxh64Direct());
        agree(hash4jXxh64Array(), lz4JavaXxh64Array(), lz4NativeXxh64Array());
        if (!Arrays.equals(sha256(), sha256ContentHash().toBytes())) {
            throw new IllegalStateException("SHA-256 candidates disagree");
        }
        System.out.printf("%n[setup] size=%d: frame %s buffer; lz4 java=%s, lz4 fastest=%s, lz4 safe=%s, "
                + "lz4 unsafe=%s%n", size, frame.isDirect() ? "direct" : "heap", lz4Java, lz4Native, lz4Safe,
                lz4Unsafe);
    }

    private static void agree(long expected, long... others) {
        for (long other : others) {
            if (other != expected) {
                throw new IllegalStateException("XXH64 candidates disagree: " + Arrays.toString(others)
                        + " vs " + expected);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    /** The library's dedup key: XXH64 of the payload in place, seeded per type. */
    @Benchmark
    public long dedupKeyMessage() {
        return ids.dedupKey(message);
    }

    /** The library's dedup key read in place from an uncompressed direct frame. */
    @Benchmark
    public long dedupKeyFrame() {
        return ids.dedupKey(frame);
    }

    /** hash4j XXH64 of the same payload with the same per-type seed. */
    @Benchmark
    public long hash4jXxh64Payload() {
        return xxh64TypeSeeded.hashBytesToLong(payload);
    }

    /** lz4-java's safe (no {@code Unsafe}) pure-Java XXH64 of the same payload and seed. */
    @Benchmark
    public long lz4SafeXxh64Payload() {
        return lz4Safe.hash(payload, 0, payload.length, typeSeed);
    }

    /** lz4-java's {@code sun.misc.Unsafe} XXH64 of the same payload and seed. */
    @Benchmark
    public long lz4UnsafeXxh64Payload() {
        return lz4Unsafe.hash(payload, 0, payload.length, typeSeed);
    }

    /** lz4-java's XXH64 (JNI when the native library loads) of the same payload and seed. */
    @Benchmark
    public long lz4JniXxh64Payload() {
        return lz4Native.hash(payload, 0, payload.length, typeSeed);
    }

    /** hash4j XXH64 of the payload in the direct buffer, through its {@code ByteBuffer} access. */
    @Benchmark
    public long hash4jXxh64Direct() {
        return xxh64TypeSeeded.hashBytesToLong(direct, 0, size, directAccess);
    }

    /** lz4-java's safe XXH64 of the payload in the direct buffer. */
    @Benchmark
    public long lz4SafeXxh64Direct() {
        return lz4Safe.hash(direct, 0, size, typeSeed);
    }

    /** lz4-java's {@code Unsafe} XXH64 of the payload in the direct buffer. */
    @Benchmark
    public long lz4UnsafeXxh64Direct() {
        return lz4Unsafe.hash(direct, 0, size, typeSeed);
    }

    /** lz4-java's fastest XXH64 (JNI when the native library loads) of the payload in the direct buffer. */
    @Benchmark
    public long lz4JniXxh64Direct() {
        return lz4Native.hash(direct, 0, size, typeSeed);
    }

    /** hash4j XXH64 over a {@code type ‖ payload} array. */
    @Benchmark
    public long hash4jXxh64Array() {
        return xxh64.hashBytesToLong(typeAndPayload);
    }

    /** lz4-java's fastest pure-Java XXH64 over the same array. */
    @Benchmark
    public long lz4JavaXxh64Array() {
        return lz4Java.hash(typeAndPayload, 0, typeAndPayload.length, SEED);
    }

    /** lz4-java's fastest XXH64 (JNI when the native library loads) over the same array. */
    @Benchmark
    public long lz4NativeXxh64Array() {
        return lz4Native.hash(typeAndPayload, 0, typeAndPayload.length, SEED);
    }

    /** hash4j XXH3-64 over the same array, for reference. */
    @Benchmark
    public long hash4jXxh3Array() {
        return xxh3.hashBytesToLong(typeAndPayload);
    }

    /** SHA-256 with a reused digest: type byte, payload, digest (a new 32-byte array). */
    @Benchmark
    public byte[] sha256() {
        sha256.update(typeCode);
        sha256.update(payload);
        return sha256.digest();
    }

    /** The library's content hash: {@link MessageIds#contentHash(Message)}. */
    @Benchmark
    public ContentHash sha256ContentHash() {
        return MessageIds.contentHash(message);
    }
}
