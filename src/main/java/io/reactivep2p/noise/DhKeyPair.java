package io.reactivep2p.noise;

import java.util.HexFormat;

/**
 * A Diffie-Hellman key pair of {@link Dh#DHLEN} bytes each: the private key as the DH function
 * encodes it (X25519: the 32-byte scalar of RFC 7748, little-endian) and the public key.
 * Immutable: the accessors return copies.
 */
public final class DhKeyPair {

    private final byte[] privateKey;
    private final byte[] publicKey;

    DhKeyPair(byte[] privateKey, byte[] publicKey) {
        if (privateKey.length != Dh.DHLEN || publicKey.length != Dh.DHLEN) {
            throw new IllegalArgumentException("keys must be " + Dh.DHLEN + " bytes");
        }
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** The private key; a copy. */
    public byte[] privateKey() {
        return privateKey.clone();
    }

    /** The public key; a copy. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] privateKeyUnsafe() {
        return privateKey;
    }

    byte[] publicKeyUnsafe() {
        return publicKey;
    }

    /** The public key only: a private key never appears in a log. */
    @Override
    public String toString() {
        return "DhKeyPair{public=" + HexFormat.of().formatHex(publicKey) + "}";
    }
}
