package io.reactivep2p.noise;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * The cipher functions of Noise §4.2 and §12: an AEAD with a 32-byte key, a 64-bit counter
 * nonce and a 16-byte tag, each from the JDK's {@code Cipher}. The wire protocol uses
 * {@link #AESGCM} only (the JDK runs it on AES-NI and CLMUL); {@link #CHACHAPOLY} is here so
 * the test vectors of both suites check this implementation.
 */
public enum NoiseCipher {

    /** AES-256-GCM; the 96-bit nonce is 4 zero bytes then the counter, big-endian. */
    AESGCM("AESGCM", "AES/GCM/NoPadding", "AES") {
        @Override
        AlgorithmParameterSpec nonce(long n) {
            byte[] iv = new byte[12];
            for (int i = 0; i < 8; i++) {
                iv[4 + i] = (byte) (n >>> (56 - 8 * i));
            }
            return new GCMParameterSpec(TAG_LENGTH * 8, iv);
        }
    },

    /** ChaCha20-Poly1305 (RFC 8439); the 96-bit nonce is 4 zero bytes then the counter, little-endian. */
    CHACHAPOLY("ChaChaPoly", "ChaCha20-Poly1305", "ChaCha20") {
        @Override
        AlgorithmParameterSpec nonce(long n) {
            byte[] iv = new byte[12];
            for (int i = 0; i < 8; i++) {
                iv[4 + i] = (byte) (n >>> (8 * i));
            }
            return new IvParameterSpec(iv);
        }
    };

    /** Bytes of the authentication tag each ciphertext carries. */
    public static final int TAG_LENGTH = 16;
    /** Bytes of a key. */
    public static final int KEY_LENGTH = 32;

    private final String noiseName;
    private final String transformation;
    private final String keyAlgorithm;

    NoiseCipher(String noiseName, String transformation, String keyAlgorithm) {
        this.noiseName = noiseName;
        this.transformation = transformation;
        this.keyAlgorithm = keyAlgorithm;
    }

    /** The name in a Noise protocol name: {@code AESGCM} or {@code ChaChaPoly}. */
    public String noiseName() {
        return noiseName;
    }

    String keyAlgorithm() {
        return keyAlgorithm;
    }

    /** The JDK's cipher parameters for nonce {@code n} (an unsigned 64-bit counter). */
    abstract AlgorithmParameterSpec nonce(long n);

    Cipher newCipher() {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is not available in this JDK", e);
        }
    }
}
