package io.reactivep2p.gossip;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.netty.buffer.ByteBuf;
import io.reactivep2p.protocol.ContentHash;
import io.reactivep2p.protocol.FrameCodec;
import io.reactivep2p.protocol.Message;
import java.security.SecureRandom;

/**
 * The two identities of a message.
 *
 * <ul>
 *   <li>The <b>dedup key</b> ({@link #dedupKey}): xxHash64 over {@code type ‖ payload} with a
 *       seed chosen at random per node run. It never leaves the node, so no outsider can
 *       craft two messages that collide and make the node drop one of them.</li>
 *   <li>The <b>content hash</b> ({@link #contentHash}): SHA-256 over {@code type ‖ payload},
 *       used only where an id crosses the wire (INV, GET_DATA).</li>
 * </ul>
 *
 * <p>The key is computed in place: the hash reads the type byte and the payload through a
 * {@link ByteAccess} view, so no {@code type ‖ payload} array is built and nothing is
 * allocated. The implementation (hash4j's XXH64) was chosen by {@code MessageIdBenchmark}
 * in {@code bench/}; see {@code bench/RESULTS.md}.
 *
 * <pre>{@code
 * MessageIds ids = MessageIds.withRandomSeed();
 * long key = ids.dedupKey(message);     // same message, same key, for this run
 * }</pre>
 *
 * <p>Thread-safe and allocation-free.
 */
public final class MessageIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final long seed;
    private final Hasher64 hasher;

    private MessageIds(long seed) {
        this.seed = seed;
        this.hasher = Hashing.xxh64(seed);
    }

    /** Ids with a seed from a {@link SecureRandom}: one per node run. */
    public static MessageIds withRandomSeed() {
        return new MessageIds(RANDOM.nextLong());
    }

    /** Ids with a fixed seed, for tests and benchmarks. */
    public static MessageIds withSeed(long seed) {
        return new MessageIds(seed);
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** xxHash64 of {@code type ‖ payload} with this run's seed. */
    public long dedupKey(Message message) {
        return hasher.hashBytesToLong(message, 0, 1L + message.payloadLength(), MessageBytes.INSTANCE);
    }

    /**
     * The same key as {@link #dedupKey(Message)} for the message in an uncompressed frame (as
     * returned by the frame decoder), read in place from the buffer.
     */
    public long dedupKey(ByteBuf frame) {
        return hasher.hashBytesToLong(frame, 0, 1L + FrameCodec.payloadLength(frame), FrameBytes.INSTANCE);
    }

    /** SHA-256 of {@code type ‖ payload}. */
    public static ContentHash contentHash(Message message) {
        return ContentHash.of(message);
    }

    /** {@code type ‖ payload} of a {@link Message}: index 0 is the type code. */
    private static final class MessageBytes implements ByteAccess<Message> {
        static final MessageBytes INSTANCE = new MessageBytes();

        @Override
        public byte getByte(Message m, long index) {
            return index == 0 ? (byte) m.type().code() : m.payloadByte((int) index - 1);
        }

        @Override
        public long getLong(Message m, long index) {
            if (index > 0) {
                return m.payloadLongLE((int) index - 1);
            }
            long v = m.type().code();
            for (int i = 0; i < 7; i++) {
                v |= (m.payloadByte(i) & 0xFFL) << (8 * (i + 1));
            }
            return v;
        }

        @Override
        public int getInt(Message m, long index) {
            if (index > 0) {
                return m.payloadIntLE((int) index - 1);
            }
            return m.type().code() | (m.payloadByte(0) & 0xFF) << 8 | (m.payloadByte(1) & 0xFF) << 16
                    | (m.payloadByte(2) & 0xFF) << 24;
        }
    }

    /**
     * {@code type ‖ payload} of a frame, read in place: index 0 is the type byte (frame offset
     * 4), index {@code i > 0} is frame offset {@code 13 + i}.
     */
    private static final class FrameBytes implements ByteAccess<ByteBuf> {
        static final FrameBytes INSTANCE = new FrameBytes();
        private static final int TYPE = 4;
        private static final int BEFORE_PAYLOAD = FrameCodec.HEADER_LENGTH - 1;

        @Override
        public byte getByte(ByteBuf f, long index) {
            int base = f.readerIndex();
            return f.getByte(base + (index == 0 ? TYPE : BEFORE_PAYLOAD + (int) index));
        }

        @Override
        public long getLong(ByteBuf f, long index) {
            int base = f.readerIndex();
            long v = f.getLongLE(base + BEFORE_PAYLOAD + (int) index);
            // At index 0 the lowest byte read is the checksum's last byte: put the type there.
            return index == 0 ? (v & ~0xFFL) | f.getUnsignedByte(base + TYPE) : v;
        }

        @Override
        public int getInt(ByteBuf f, long index) {
            int base = f.readerIndex();
            int v = f.getIntLE(base + BEFORE_PAYLOAD + (int) index);
            return index == 0 ? (v & ~0xFF) | f.getUnsignedByte(base + TYPE) : v;
        }
    }
}
