package io.reactivep2p.mempool;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** A 20-byte account address ({@code from}, {@code to} of a {@link Transaction}). Immutable. */
public final class Address {

    /** The length in bytes. */
    public static final int LENGTH = 20;

    private final byte[] bytes;
    private final int hash;

    private Address(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** An address of a copy of {@code bytes}, which must be 20 long. */
    public static Address of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an address has " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Address(bytes.clone());
    }

    /** An address from 40 hex digits, with or without a {@code 0x} prefix. */
    public static Address fromHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        return of(HexFormat.of().parseHex(hex.startsWith("0x") ? hex.substring(2) : hex));
    }

    static Address wrap(byte[] bytes) {
        return new Address(bytes);
    }

    /** A copy of the 20 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    byte[] array() {
        return bytes;
    }

    /** Lower-case hex of the 20 bytes, without prefix. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && Arrays.equals(a.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "0x" + toHex();
    }
}
