package io.reactivep2p.noise;

import java.security.SecureRandom;

/**
 * The DH functions of Noise §4.1 for Curve25519: {@code GENERATE_KEYPAIR()} and {@code DH()}.
 * One implementation, {@link #X25519}, on the JDK's {@code XDH}; the seam exists so the
 * handshake can be measured against another well-kept implementation without touching it.
 */
public interface Dh {

    /** {@code DHLEN}: bytes of a public key and of a DH output. */
    int DHLEN = 32;

    /** X25519 (RFC 7748) from the JDK: {@code KeyPairGenerator}, {@code KeyAgreement} "X25519". */
    Dh X25519 = new JdkX25519();

    /** The name in a Noise protocol name: {@code 25519}. */
    String name();

    /** A new key pair from {@code random}. */
    DhKeyPair generateKeyPair(SecureRandom random);

    /** The key pair of a private key (its public key computed from it). */
    DhKeyPair keyPair(byte[] privateKey);

    /**
     * {@code DH(keyPair, publicKey)}: the shared secret, {@link #DHLEN} bytes.
     *
     * @throws NoiseException if {@code publicKey} is not {@link #DHLEN} bytes or gives an
     *     all-zero secret (a low-order point), which Noise lets an implementation refuse
     */
    byte[] dh(DhKeyPair keyPair, byte[] publicKey);
}
