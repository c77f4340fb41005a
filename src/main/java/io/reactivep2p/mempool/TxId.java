package io.reactivep2p.mempool;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A transaction id: 32 bytes, for the built-in {@link Transaction} the SHA-256 of its
 * encoding. Immutable, compared by value.
 */
public final class TxId {

    /** The length in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;
    private final int hash;

    private TxId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** An id of a copy of {@code bytes}, which must be 32 long. */
    public static TxId of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a transaction id has " + LENGTH + " bytes, got " + bytes.length);
        }
        return new TxId(bytes.clone());
    }

    /** An id from 64 hex digits. */
    public static TxId fromHex(String hex) {
        return of(HexFormat.of().parseHex(Objects.requireNonNull(hex, "hex")));
    }

    static TxId wrap(byte[] bytes) {
        return new TxId(bytes);
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Lower-case hex of the 32 bytes. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** The first 8 hex digits, for logs. */
    public String shortHex() {
        return toHex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TxId t && Arrays.equals(t.bytes, bytes);
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
