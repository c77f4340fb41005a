package io.reactivep2p.protocol;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** Immutable 32 bytes compared by value: the shared part of {@link NodeId} and {@link ContentHash}. */
abstract class Bytes32 {

    /** The length in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;
    private final int hash;

    Bytes32(byte[] bytes, boolean copy) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("expected " + LENGTH + " bytes, got " + bytes.length);
        }
        this.bytes = copy ? bytes.clone() : bytes;
        this.hash = Arrays.hashCode(this.bytes);
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Lower-case hex of the 32 bytes. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** Compares the bytes as unsigned big-endian numbers. */
    final int compareBytes(Bytes32 other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    final byte[] array() {
        return bytes;
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(((Bytes32) o).bytes, bytes);
    }

    @Override
    public final int hashCode() {
        return hash;
    }
}
