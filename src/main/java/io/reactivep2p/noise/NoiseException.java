package io.reactivep2p.noise;

/**
 * A Noise operation failed: a message that does not authenticate, a malformed or short
 * handshake message, a public key the DH function refuses, or a nonce used up. The session
 * it happened in is unusable: the caller closes its connection.
 */
public final class NoiseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NoiseException(String message) {
        super(message);
    }

    public NoiseException(String message, Throwable cause) {
        super(message, cause);
    }
}
