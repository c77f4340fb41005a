package io.reactivep2p.noise;

/**
 * What a completed handshake leaves one party: the {@link CipherState} of the messages it
 * sends and of those it receives (Noise §5.2 {@code Split()}, assigned by role), and the
 * handshake hash, which names the session (channel binding).
 */
public final class TransportState {

    private final CipherState sender;
    private final CipherState receiver;
    private final byte[] handshakeHash;
    private final byte[] remoteStaticKey;

    TransportState(CipherState sender, CipherState receiver, byte[] handshakeHash, byte[] remoteStaticKey) {
        this.sender = sender;
        this.receiver = receiver;
        this.handshakeHash = handshakeHash;
        this.remoteStaticKey = remoteStaticKey;
    }

    /** The cipher state of the messages this party sends. */
    public CipherState sender() {
        return sender;
    }

    /** The cipher state of the messages this party receives. */
    public CipherState receiver() {
        return receiver;
    }

    /** The handshake hash {@code h}; a copy. */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /** The other party's static public key, authenticated by the handshake; {@code null} if the pattern has none. */
    public byte[] remoteStaticKey() {
        return remoteStaticKey == null ? null : remoteStaticKey.clone();
    }

    /** Encrypts a transport message with empty associated data. */
    public byte[] writeMessage(byte[] payload) {
        return sender.encryptWithAd(null, payload);
    }

    /** Decrypts a transport message with empty associated data; {@link NoiseException} if it does not authenticate. */
    public byte[] readMessage(byte[] message) {
        return receiver.decryptWithAd(null, message);
    }
}
