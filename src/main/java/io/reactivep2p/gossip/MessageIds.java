package io.reactivep2p.gossip;

import io.netty.buffer.ByteBuf;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.runtime.NodeRuntime;
import java.security.SecureRandom;

/**
 * The two identities of a message.
 *
 * <ul>
 *   <li>The <b>dedup key</b> ({@link #dedupKey}): xxHash64 of the payload, keyed by a seed
 *       derived from the message type and a random per-run seed. It never leaves the node, so
 *       no outsider can craft two messages that collide and make the node drop one of them;
 *       messages of different types never share a hash function, so equal payloads of two
 *       types get independent keys.</li>
 *   <li>The <b>content hash</b> ({@link #contentHash}): SHA-256 over {@code type ‖ payload},
 *       used only where an id crosses the wire (INV, GET_DATA).</li>
 * </ul>
 *
 * <p><b>Why a per-type seed, not a hash of {@code type ‖ payload}.</b> Prefixing the type
 * byte means hashing bytes that are not contiguous in memory: through a view (hash4j's
 * {@code ByteAccess}) it measured 64 ns for 256 bytes, twice hashing the payload array in
 * place (31 ns then, 0 B/op; the array is now hashed with hash4j, the fastest without
 * {@code sun.misc.Unsafe}): see {@code MessageIdBenchmark} and {@code bench/RESULTS.md}.
 * Seeding by type keeps what the prefix gave (type separation) at the cost of one array read.
 * The per-type seeds are {@code splitmix64(runSeed + (type + 1) × 0x9E3779B97F4A7C15)}.
 *
 * <pre>{@code
 * MessageIds ids = MessageIds.withRandomSeed();
 * long key = ids.dedupKey(message);     // same message, same key, for this run
 * }</pre>
 *
 * <p>Thread-safe; {@code dedupKey} allocates nothing.
 */
public final class MessageIds {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final long[] typeSeeds = new long[256];

    private MessageIds(long seed) {
        this.seed = seed;
        for (int type = 0; type < typeSeeds.length; type++) {
            typeSeeds[type] = splitmix64(seed + (type + 1) * GOLDEN_GAMMA);
        }
    }

    /**
     * Ids with a seed from the {@link NodeRuntime#system() system}'s {@link SecureRandom}: one per
     * node run. (A node seeds its ids from its own runtime's.)
     */
    public static MessageIds withRandomSeed() {
        return new MessageIds(NodeRuntime.system().secureRandom().nextLong());
    }

    /** Ids with a fixed seed, for tests and benchmarks. */
    public static MessageIds withSeed(long seed) {
        return new MessageIds(seed);
    }

    /** The run seed. */
    public long seed() {
        return seed;
    }

    /** The seed the payloads of messages of type {@code code} are hashed with. */
    public long typeSeed(int code) {
        return typeSeeds[code];
    }

    /** The dedup key of a message. */
    public long dedupKey(Message message) {
        return message.payloadHash64(typeSeeds[message.type().code()]);
    }

    /**
     * The same key as {@link #dedupKey(Message)} for the message in an uncompressed version 1
     * frame ({@link FrameCodec}'s layout, as a plaintext node's frame decoder returns them), read
     * in place from the buffer.
     */
    public long dedupKey(ByteBuf frame) {
        return FrameCodec.payloadHash64(frame, typeSeeds[FrameCodec.typeCode(frame)]);
    }

    /** SHA-256 of {@code type ‖ payload}. */
    public static ContentHash contentHash(Message message) {
        return ContentHash.of(message);
    }

    /** The SplitMix64 finalizer: a bijective 64-bit mix. */
    static long splitmix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
