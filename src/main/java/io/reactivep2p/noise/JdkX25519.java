package io.reactivep2p.noise;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * {@link Dh#JDK_X25519}: X25519 on the JDK's {@code XDH} provider (JEP 324). Keys cross the seam as the
 * 32-byte little-endian encodings of RFC 7748; the JDK's key objects are made per operation
 * (the scalar multiplication dominates: about 150 µs, against a few for the objects).
 */
final class JdkX25519 implements Dh {

    private static final String ALGORITHM = "X25519";
    /** The u-coordinate of Curve25519's base point, 9: X25519(k, 9) is k's public key. */
    private static final byte[] BASE_POINT = new byte[DHLEN];

    static {
        BASE_POINT[0] = 9;
    }

    @Override
    public String name() {
        return "25519";
    }

    @Override
    public DhKeyPair generateKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.X25519, random);
            KeyPair pair = generator.generateKeyPair();
            byte[] privateKey = ((XECPrivateKey) pair.getPrivate()).getScalar()
                    .orElseThrow(() -> new IllegalStateException("the JDK's X25519 key has no scalar"));
            return new DhKeyPair(privateKey, encodeU(((XECPublicKey) pair.getPublic()).getU()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available in this JDK", e);
        }
    }

    @Override
    public DhKeyPair keyPair(byte[] privateKey) {
        if (privateKey.length != DHLEN) {
            throw new IllegalArgumentException("an X25519 private key is " + DHLEN + " bytes, got " + privateKey.length);
        }
        byte[] copy = privateKey.clone();
        return new DhKeyPair(copy, agree(copy, BASE_POINT));
    }

    @Override
    public byte[] dh(DhKeyPair keyPair, byte[] publicKey) {
        if (publicKey.length != DHLEN) {
            throw new NoiseException("an X25519 public key is " + DHLEN + " bytes, got " + publicKey.length);
        }
        return agree(keyPair.privateKeyUnsafe(), publicKey);
    }

    private static byte[] agree(byte[] privateKey, byte[] publicKey) {
        try {
            KeyFactory keys = KeyFactory.getInstance(ALGORITHM);
            KeyAgreement agreement = KeyAgreement.getInstance(ALGORITHM);
            agreement.init(keys.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey)));
            agreement.doPhase(keys.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, decodeU(publicKey))),
                    true);
            return agreement.generateSecret();
        } catch (InvalidKeyException e) {
            // The JDK refuses a public key whose shared secret is all zeros (a low-order point).
            throw new NoiseException("X25519 refused the public key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available in this JDK", e);
        }
    }

    /** RFC 7748 §5: little-endian, the most significant bit of the last byte masked. */
    static BigInteger decodeU(byte[] u) {
        byte[] bigEndian = new byte[DHLEN];
        for (int i = 0; i < DHLEN; i++) {
            bigEndian[i] = u[DHLEN - 1 - i];
        }
        bigEndian[0] &= 0x7F;
        return new BigInteger(1, bigEndian);
    }

    /** The 32-byte little-endian encoding of {@code u} (0 ≤ u < 2^255). */
    static byte[] encodeU(BigInteger u) {
        byte[] bigEndian = u.toByteArray(); // may carry a sign byte, or be shorter
        byte[] out = new byte[DHLEN];
        for (int i = 0; i < DHLEN && i < bigEndian.length; i++) {
            out[i] = bigEndian[bigEndian.length - 1 - i];
        }
        return out;
    }
}
