package io.reactivep2p.mempool;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A transaction id: 32 bytes, for the built-in {@link Transaction} the SHA-256 of its
 * encoding. Immutable, compared by value.
 */
public final class TxId {

    /** The length in bytes. */
    public static final int LENGTH = 32;

    // The bytes as four big-endian words rather than an array: 48 bytes of heap where an
    // array and its reference take 72 (a pool holds one id per transaction, a simulation a
    // pool per node), and equals compares four words.
    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;
    private final int hash;

    private TxId(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
        this.hash = Long.hashCode(((w0 * 31 + w1) * 31 + w2) * 31 + w3);
    }

    /** An id of the 32 bytes of {@code bytes}, which must be 32 long (not kept). */
    public static TxId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a transaction id has " + LENGTH + " bytes, got " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        return new TxId(buf.getLong(0), buf.getLong(8), buf.getLong(16), buf.getLong(24));
    }

    /** An id from 64 hex digits. */
    public static TxId fromHex(String hex) {
        return of(HexFormat.of().parseHex(Objects.requireNonNull(hex, "hex")));
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(LENGTH).putLong(w0).putLong(w1).putLong(w2).putLong(w3).array();
    }

    /** Lower-case hex of the 32 bytes. */
    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** The first 8 hex digits, for logs. */
    public String shortHex() {
        return HexFormat.of().toHexDigits((int) (w0 >>> 32));
    }

    /**
     * A 64-bit hash of the 32 bytes keyed with {@code seed}: for indexes whose slots the
     * id's author must not be able to aim at ({@link IdIndex}). Each word goes through the
     * finalizer of MurmurHash3 with what came before; not a cryptographic PRF.
     */
    long keyedHash(long seed) {
        return mix(mix(mix(mix(seed ^ w0) ^ w1) ^ w2) ^ w3);
    }

    private static long mix(long h) {
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TxId t && t.w0 == w0 && t.w1 == w1 && t.w2 == w2 && t.w3 == w3;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "TxId{" + shortHex() + "}";
    }
}
