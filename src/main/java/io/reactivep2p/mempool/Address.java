package io.reactivep2p.mempool;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 20-byte account address ({@code from}, {@code to} of a {@link Transaction}). Immutable,
 * compared by value, ordered as unsigned bytes. The order matters beyond sorting: whoever
 * writes a transaction chooses its address, and so can choose addresses of one
 * {@code hashCode}; a {@code HashMap} keyed by them (the pool's senders) then keeps the bin as
 * a tree searched by this order, O(log n), instead of a list.
 */
public final class Address implements Comparable<Address> {

    /** The length in bytes. */
    public static final int LENGTH = 20;

    // The bytes as three big-endian words rather than an array: 32 bytes of heap where an
    // array and its reference take 64. A pool holds one address per transaction, and a
    // simulation holds a pool per node.
    private final long w0;
    private final long w1;
    private final int w2;

    private Address(long w0, long w1, int w2) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
    }

    /** An address of the 20 bytes of {@code bytes}, which must be 20 long (not kept). */
    public static Address of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an address has " + LENGTH + " bytes, got " + bytes.length);
        }
        return read(ByteBuffer.wrap(bytes), 0);
    }

    /** An address from 40 hex digits, with or without a {@code 0x} prefix. */
    public static Address fromHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        return of(HexFormat.of().parseHex(hex.startsWith("0x") ? hex.substring(2) : hex));
    }

    /** The address in the 20 bytes of {@code buf} from {@code index} (absolute; the position is not changed). */
    static Address read(ByteBuffer buf, int index) {
        return new Address(buf.getLong(index), buf.getLong(index + 8), buf.getInt(index + 16));
    }

    /** Puts the 20 bytes at {@code buf}'s position. */
    ByteBuffer writeTo(ByteBuffer buf) {
        return buf.putLong(w0).putLong(w1).putInt(w2);
    }

    /** A copy of the 20 bytes. */
    public byte[] toBytes() {
        return writeTo(ByteBuffer.allocate(LENGTH)).array();
    }

    /** Lower-case hex of the 20 bytes, without prefix. */
    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** Unsigned lexicographic order of the 20 bytes. */
    @Override
    public int compareTo(Address o) {
        int c = Long.compareUnsigned(w0, o.w0);
        if (c == 0) {
            c = Long.compareUnsigned(w1, o.w1);
        }
        return c != 0 ? c : Integer.compareUnsigned(w2, o.w2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && a.w0 == w0 && a.w1 == w1 && a.w2 == w2;
    }

    @Override
    public int hashCode() {
        return (31 * Long.hashCode(w0) + Long.hashCode(w1)) * 31 + w2;
    }

    @Override
    public String toString() {
        return "0x" + toHex();
    }
}
