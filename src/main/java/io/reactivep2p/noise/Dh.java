package io.reactivep2p.noise;

import java.security.SecureRandom;

/**
 * The DH functions of Noise §4.1 for Curve25519: {@code GENERATE_KEYPAIR()} and {@code DH()}.
 * {@link #X25519}, the one the library uses, is BouncyCastle's; {@link #JDK_X25519} is the JDK's
 * {@code XDH}, kept beside it so that both are checked against RFC 7748 and measured side by
 * side ({@code NoiseBenchmark}).
 */
public interface Dh {

    /** {@code DHLEN}: bytes of a public key and of a DH output. */
    int DHLEN = 32;

    /** X25519 (RFC 7748) from BouncyCastle's lightweight API: the library's; see {@link BcX25519} for why. */
    Dh X25519 = new BcX25519();

    /** X25519 (RFC 7748) from the JDK: {@code KeyPairGenerator}, {@code KeyAgreement} "X25519". */
    Dh JDK_X25519 = new JdkX25519();

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
