package io.reactivep2p.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Noise §5.2: the chaining key {@code ck} and the handshake hash {@code h} of a handshake in
 * progress, with its {@link CipherState}; SHA-256 as the hash function (§4.3, §12.5), HMAC and
 * HKDF from it.
 */
final class SymmetricState {

    static final int HASHLEN = 32;
    private static final byte[] EMPTY = new byte[0];

    private final NoiseCipher cipherFunction;
    private final CipherState cipherState;
    private final MessageDigest sha256;
    private final Mac hmac;
    private byte[] ck;
    private byte[] h;

    /** {@code InitializeSymmetric(protocol_name)}. */
    SymmetricState(String protocolName, NoiseCipher cipherFunction) {
        this.cipherFunction = cipherFunction;
        this.cipherState = new CipherState(cipherFunction);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
            this.hmac = Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 or HMAC-SHA256 is not available in this JDK", e);
        }
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        this.h = name.length <= HASHLEN ? Arrays.copyOf(name, HASHLEN) : sha256.digest(name);
        this.ck = h.clone();
    }

    /** {@code MixKey(input_key_material)}. */
    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(ck, inputKeyMaterial, 2);
        ck = out[0];
        cipherState.initializeKey(out[1]); // HASHLEN is 32: no truncation
    }

    /** {@code MixHash(data)}. */
    void mixHash(byte[] data) {
        sha256.update(h);
        sha256.update(data);
        h = sha256.digest();
    }

    /** {@code GetHandshakeHash()}; a copy. */
    byte[] handshakeHash() {
        return h.clone();
    }

    boolean hasKey() {
        return cipherState.hasKey();
    }

    /** {@code EncryptAndHash(plaintext)}. */
    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipherState.encryptWithAd(h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    /** {@code DecryptAndHash(ciphertext)}; {@link NoiseException} if it does not authenticate. */
    byte[] decryptAndHash(byte[] ciphertext) {
        byte[] plaintext = cipherState.decryptWithAd(h, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    /** {@code Split()}: the cipher states of the initiator's and of the responder's messages. */
    CipherState[] split() {
        byte[][] keys = hkdf(ck, EMPTY, 2);
        CipherState initiatorToResponder = new CipherState(cipherFunction);
        initiatorToResponder.initializeKey(keys[0]);
        CipherState responderToInitiator = new CipherState(cipherFunction);
        responderToInitiator.initializeKey(keys[1]);
        return new CipherState[] {initiatorToResponder, responderToInitiator};
    }

    /** {@code HKDF(chaining_key, input_key_material, num_outputs)} of §4.3, 2 or 3 outputs. */
    private byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial, null);
        byte[][] out = new byte[outputs][];
        byte[] previous = EMPTY;
        for (int i = 0; i < outputs; i++) {
            previous = hmac(tempKey, previous, (byte) (i + 1));
            out[i] = previous;
        }
        return out;
    }

    private byte[] hmac(byte[] key, byte[] data, Byte suffix) {
        try {
            hmac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 refused a key", e);
        }
        hmac.update(data);
        if (suffix != null) {
            hmac.update(suffix);
        }
        return hmac.doFinal();
    }
}
