package io.reactivep2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise §5.1: a key {@code k} (possibly empty) and a counter nonce {@code n}, encrypting and
 * decrypting with one {@link NoiseCipher}. With no key, "encryption" returns the plaintext
 * as it is, as the specification says.
 *
 * <p>The nonce 2^64 − 1 is reserved: once {@code n} reaches it every further encryption and
 * decryption fails with {@link NoiseException} (after 2^64 − 1 messages: a connection rekeys
 * long before, see {@link #rekey()}). A decryption that fails leaves {@code n} where it was.
 *
 * <p>Not thread-safe: one direction of one connection, used by one thread at a time.
 */
public final class CipherState {

    private static final long MAX_NONCE = -1L; // 2^64 - 1, unsigned

    private final NoiseCipher function;
    private Cipher cipher;
    private SecretKeySpec key;
    private long n;

    CipherState(NoiseCipher function) {
        this.function = function;
    }

    /** {@code InitializeKey(key)}: sets the key (32 bytes) and the nonce to 0. */
    void initializeKey(byte[] k) {
        if (k.length != NoiseCipher.KEY_LENGTH) {
            throw new IllegalArgumentException("a key is " + NoiseCipher.KEY_LENGTH + " bytes, got " + k.length);
        }
        this.key = new SecretKeySpec(k, function.keyAlgorithm());
        this.n = 0;
        if (cipher == null) {
            cipher = function.newCipher();
        }
    }

    /** {@code HasKey()}. */
    public boolean hasKey() {
        return key != null;
    }

    /** The next nonce, an unsigned 64-bit counter: the number of messages so far. */
    public long nonce() {
        return n;
    }

    /** {@code SetNonce(nonce)}. */
    void setNonce(long nonce) {
        this.n = nonce;
    }

    /** {@code EncryptWithAd(ad, plaintext)}: the ciphertext, the tag included; the plaintext if no key. */
    public byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        if (!hasKey()) {
            return plaintext.clone();
        }
        byte[] out = new byte[plaintext.length + NoiseCipher.TAG_LENGTH];
        encrypt(ad, ByteBuffer.wrap(plaintext), ByteBuffer.wrap(out));
        return out;
    }

    /**
     * {@code DecryptWithAd(ad, ciphertext)}: the plaintext; the ciphertext as it is if no key.
     *
     * @throws NoiseException if the ciphertext does not authenticate or is shorter than a tag
     */
    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) {
        if (!hasKey()) {
            return ciphertext.clone();
        }
        if (ciphertext.length < NoiseCipher.TAG_LENGTH) {
            throw new NoiseException("a ciphertext of " + ciphertext.length + " bytes is shorter than its tag");
        }
        byte[] out = new byte[ciphertext.length - NoiseCipher.TAG_LENGTH];
        decrypt(ad, ByteBuffer.wrap(ciphertext), ByteBuffer.wrap(out));
        return out;
    }

    /**
     * Encrypts the remaining bytes of {@code plaintext} into {@code out} (their length plus
     * {@link NoiseCipher#TAG_LENGTH}), advancing both buffers; the two may be the same bytes of
     * one array (in place). Requires a key. The JDK's AES-GCM is fastest on heap buffers: on
     * direct ones it goes through small arrays it allocates.
     *
     * @return the bytes written
     */
    public int encrypt(byte[] ad, ByteBuffer plaintext, ByteBuffer out) {
        checkUsable();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, function.nonce(n));
            if (ad != null && ad.length > 0) {
                cipher.updateAAD(ad);
            }
            int written = cipher.doFinal(plaintext, out);
            n++;
            return written;
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("the output buffer is too small", e);
        } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException(function + " refused its key or nonce", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(function + " failed to encrypt", e);
        }
    }

    /**
     * Decrypts the remaining bytes of {@code ciphertext} (tag included) into {@code out},
     * advancing both buffers. Requires a key.
     *
     * @return the plaintext bytes written
     * @throws NoiseException if it does not authenticate (the nonce then stays where it was)
     */
    public int decrypt(byte[] ad, ByteBuffer ciphertext, ByteBuffer out) {
        checkUsable();
        if (ciphertext.remaining() < NoiseCipher.TAG_LENGTH) {
            throw new NoiseException("a ciphertext of " + ciphertext.remaining() + " bytes is shorter than its tag");
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, function.nonce(n));
            if (ad != null && ad.length > 0) {
                cipher.updateAAD(ad);
            }
            int written = cipher.doFinal(ciphertext, out);
            n++;
            return written;
        } catch (AEADBadTagException e) {
            throw new NoiseException("a message failed authentication (nonce " + Long.toUnsignedString(n) + ")", e);
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("the output buffer is too small", e);
        } catch (InvalidKeyException | InvalidAlgorithmParameterException e) {
            throw new IllegalStateException(function + " refused its key or nonce", e);
        } catch (GeneralSecurityException e) {
            throw new NoiseException("decryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@code Rekey()}: the key becomes the first 32 bytes of the encryption of 32 zero bytes
     * under the nonce 2^64 − 1 (Noise §4.2's default {@code REKEY}); the nonce is unchanged.
     */
    public void rekey() {
        if (!hasKey()) {
            throw new IllegalStateException("no key to rekey");
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, function.nonce(MAX_NONCE));
            byte[] block = cipher.doFinal(new byte[NoiseCipher.KEY_LENGTH]);
            key = new SecretKeySpec(Arrays.copyOf(block, NoiseCipher.KEY_LENGTH), function.keyAlgorithm());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(function + " failed to rekey", e);
        }
    }

    private void checkUsable() {
        if (!hasKey()) {
            throw new IllegalStateException("no key");
        }
        if (n == MAX_NONCE) {
            throw new NoiseException("the nonces of this key are used up");
        }
    }
}
