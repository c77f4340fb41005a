package io.reactivep2p.noise;

import io.reactivep2p.noise.HandshakePattern.Token;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Noise §5.3: one party's side of a handshake. Built for a {@link HandshakePattern}, a role,
 * a prologue and the keys the pattern needs; then {@link #writeMessage} and
 * {@link #readMessage} in turn, as the pattern says, until {@link #isComplete()}; then
 * {@link #split()} gives the {@link TransportState}.
 *
 * <pre>{@code
 * HandshakeState initiator = HandshakeState.builder(HandshakePattern.XX, true)
 *         .prologue(prologue).localStatic(myKeys).random(secureRandom).build();
 * byte[] m1 = initiator.writeMessage(new byte[0]);     // -> e
 * byte[] payload2 = initiator.readMessage(m2);         // <- e, ee, s, es
 * byte[] m3 = initiator.writeMessage(myHello);         // -> s, se
 * TransportState keys = initiator.split();
 * byte[] peerId = keys.remoteStaticKey();
 * }</pre>
 *
 * <p>Every length is checked before it is read: a message over {@link #MAX_MESSAGE_LENGTH}
 * bytes, one too short for its tokens, or one that does not authenticate fails with
 * {@link NoiseException}, and the handshake is then unusable (the caller closes its
 * connection). Not thread-safe: one handshake, one thread at a time.
 */
public final class HandshakeState {

    /** The largest Noise message (§3). */
    public static final int MAX_MESSAGE_LENGTH = 65535;

    private final HandshakePattern pattern;
    private final boolean initiator;
    private final Dh dh;
    private final SecureRandom random;
    private final SymmetricState symmetric;
    private final DhKeyPair s;
    private final StaticStaticCache staticStatic;
    /** An {@code ss} result computed by the message in progress, kept once that message succeeds. */
    private byte[] pendingStaticStatic;
    private DhKeyPair e;
    private byte[] rs;
    private byte[] re;
    private int next; // the index of the next message pattern
    private boolean failed;

    private HandshakeState(Builder b) {
        this.pattern = b.pattern;
        this.initiator = b.initiator;
        this.dh = b.dh;
        this.random = b.random;
        this.s = b.localStatic;
        this.staticStatic = b.staticStatic;
        this.e = b.localEphemeral;
        this.rs = b.remoteStatic == null ? null : b.remoteStatic.clone();
        String name = "Noise_" + pattern.name() + "_" + dh.name() + "_" + b.cipher.noiseName() + "_SHA256";
        this.symmetric = new SymmetricState(name, b.cipher);
        symmetric.mixHash(b.prologue);
        mixPreMessage(pattern.initiatorPreMessage(), initiator);
        mixPreMessage(pattern.responderPreMessage(), !initiator);
    }

    /** A builder of one party's handshake: {@code initiator} is the dialer. */
    public static Builder builder(HandshakePattern pattern, boolean initiator) {
        return new Builder(Objects.requireNonNull(pattern, "pattern"), initiator);
    }

    private void mixPreMessage(List<Token> tokens, boolean local) {
        for (Token t : tokens) {
            switch (t) {
                case S -> symmetric.mixHash(local ? s.publicKeyUnsafe() : rs);
                case E -> symmetric.mixHash(local ? e.publicKeyUnsafe() : re);
                default -> throw new IllegalStateException("a pre-message holds only e and s, not " + t);
            }
        }
    }

    /** Whether this party writes the next message. */
    public boolean isMyTurnToWrite() {
        return !isComplete() && (next % 2 == 0) == initiator;
    }

    /** Whether every message of the pattern has been written or read. */
    public boolean isComplete() {
        return next == pattern.messageCount();
    }

    /** Whether this party is the initiator. */
    public boolean isInitiator() {
        return initiator;
    }

    /** The pattern. */
    public HandshakePattern pattern() {
        return pattern;
    }

    /** The other party's static public key once known (a pre-message, or read); else {@code null}. A copy. */
    public byte[] remoteStaticKey() {
        return rs == null ? null : rs.clone();
    }

    /** {@code GetHandshakeHash()}; a copy. */
    public byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    /**
     * {@code WriteMessage(payload, message_buffer)}: the next message, with {@code payload}
     * encrypted once a key is mixed in.
     *
     * @throws IllegalStateException if it is not this party's turn
     * @throws NoiseException if the message would exceed {@link #MAX_MESSAGE_LENGTH}
     */
    public byte[] writeMessage(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        checkTurn(true);
        boolean ok = false;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(96 + payload.length);
            for (Token t : pattern.messages().get(next)) {
                switch (t) {
                    case E -> {
                        if (e == null) {
                            e = dh.generateKeyPair(random);
                        }
                        out.writeBytes(e.publicKeyUnsafe());
                        symmetric.mixHash(e.publicKeyUnsafe());
                    }
                    case S -> out.writeBytes(symmetric.encryptAndHash(s.publicKeyUnsafe()));
                    default -> mixDh(t);
                }
            }
            out.writeBytes(symmetric.encryptAndHash(payload));
            if (out.size() > MAX_MESSAGE_LENGTH) {
                throw new NoiseException("a handshake message of " + out.size() + " bytes is over "
                        + MAX_MESSAGE_LENGTH);
            }
            next++;
            ok = true;
            return out.toByteArray();
        } finally {
            failed = !ok;
        }
    }

    /**
     * {@code ReadMessage(message, payload_buffer)}: the payload of the other party's next
     * message.
     *
     * @throws IllegalStateException if it is this party's turn to write
     * @throws NoiseException if the message is too long, too short for its tokens, carries a
     *     public key the DH function refuses, or does not authenticate
     */
    public byte[] readMessage(byte[] message) {
        Objects.requireNonNull(message, "message");
        checkTurn(false);
        if (message.length > MAX_MESSAGE_LENGTH) {
            failed = true;
            throw new NoiseException("a handshake message of " + message.length + " bytes is over " + MAX_MESSAGE_LENGTH);
        }
        boolean ok = false;
        try {
            int at = 0;
            for (Token t : pattern.messages().get(next)) {
                switch (t) {
                    case E -> {
                        re = take(message, at, Dh.DHLEN, "e");
                        at += Dh.DHLEN;
                        symmetric.mixHash(re);
                    }
                    case S -> {
                        int length = Dh.DHLEN + (symmetric.hasKey() ? NoiseCipher.TAG_LENGTH : 0);
                        rs = symmetric.decryptAndHash(take(message, at, length, "s"));
                        at += length;
                    }
                    default -> mixDh(t);
                }
            }
            byte[] rest = Arrays.copyOfRange(message, at, message.length);
            if (symmetric.hasKey() && rest.length < NoiseCipher.TAG_LENGTH) {
                throw new NoiseException("a handshake message ends " + rest.length + " bytes after its keys, "
                        + "shorter than a tag");
            }
            byte[] payload = symmetric.decryptAndHash(rest);
            next++;
            ok = true;
            keepStaticStatic(); // the message authenticated: the peer proved its static key
            return payload;
        } finally {
            failed = !ok;
        }
    }

    /**
     * {@code Split()} once the handshake is complete: this party's sending and receiving
     * cipher states.
     *
     * @throws IllegalStateException if the handshake is not complete
     */
    public TransportState split() {
        if (!isComplete() || failed) {
            throw new IllegalStateException("the handshake is not complete");
        }
        CipherState[] pair = symmetric.split();
        CipherState send = initiator ? pair[0] : pair[1];
        CipherState receive = initiator ? pair[1] : pair[0];
        return new TransportState(send, receive, symmetric.handshakeHash(), rs);
    }

    private void keepStaticStatic() {
        if (pendingStaticStatic != null) {
            staticStatic.put(s, rs, pendingStaticStatic);
            pendingStaticStatic = null;
        }
    }

    private void mixDh(Token t) {
        switch (t) {
            case EE -> symmetric.mixKey(dh.dh(e, re));
            case ES -> symmetric.mixKey(initiator ? dh.dh(e, rs) : dh.dh(s, re));
            case SE -> symmetric.mixKey(initiator ? dh.dh(s, re) : dh.dh(e, rs));
            case SS -> {
                byte[] ss = staticStatic == null ? null : staticStatic.get(s, rs);
                if (ss == null) {
                    ss = dh.dh(s, rs);
                    pendingStaticStatic = staticStatic == null ? null : ss.clone();
                }
                symmetric.mixKey(ss);
            }
            default -> throw new IllegalStateException("not a DH token: " + t);
        }
    }

    private void checkTurn(boolean writing) {
        if (failed) {
            throw new IllegalStateException("the handshake failed earlier");
        }
        if (isComplete()) {
            throw new IllegalStateException("the handshake is complete");
        }
        if (isMyTurnToWrite() != writing) {
            throw new IllegalStateException(writing ? "it is the other party's turn to write" : "it is this party's turn to write");
        }
    }

    private static byte[] take(byte[] message, int at, int length, String what) {
        if (message.length - at < length) {
            throw new NoiseException("a handshake message of " + message.length + " bytes is too short for its "
                    + what + " (" + length + " bytes at " + at + ")");
        }
        return Arrays.copyOfRange(message, at, at + length);
    }

    /** Settings of one {@link HandshakeState}; checked against the pattern by {@link #build()}. */
    public static final class Builder {
        private final HandshakePattern pattern;
        private final boolean initiator;
        private NoiseCipher cipher = NoiseCipher.AESGCM;
        private Dh dh = Dh.X25519;
        private byte[] prologue = new byte[0];
        private DhKeyPair localStatic;
        private DhKeyPair localEphemeral;
        private byte[] remoteStatic;
        private SecureRandom random;
        private StaticStaticCache staticStatic;

        private Builder(HandshakePattern pattern, boolean initiator) {
            this.pattern = pattern;
            this.initiator = initiator;
        }

        /** The cipher function; {@link NoiseCipher#AESGCM} unless set. */
        public Builder cipher(NoiseCipher cipher) {
            this.cipher = Objects.requireNonNull(cipher, "cipher");
            return this;
        }

        /** The DH functions; {@link Dh#X25519} unless set. */
        public Builder dh(Dh dh) {
            this.dh = Objects.requireNonNull(dh, "dh");
            return this;
        }

        /** The prologue both parties must agree on; empty unless set. */
        public Builder prologue(byte[] prologue) {
            this.prologue = Objects.requireNonNull(prologue, "prologue").clone();
            return this;
        }

        /** This party's static key pair (its identity), if the pattern sends or pre-shares it. */
        public Builder localStatic(DhKeyPair localStatic) {
            this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
            return this;
        }

        /** The responder's static public key, which an initiator of IK or XK knows beforehand. */
        public Builder remoteStatic(byte[] remoteStatic) {
            Objects.requireNonNull(remoteStatic, "remoteStatic");
            if (remoteStatic.length != Dh.DHLEN) {
                throw new IllegalArgumentException("a static key is " + Dh.DHLEN + " bytes, got " + remoteStatic.length);
            }
            this.remoteStatic = remoteStatic.clone();
            return this;
        }

        /** Where ephemeral keys come from: unpredictable, such as the runtime's {@code SecureRandom}. */
        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Where the {@code ss} token's results are kept per peer (IK): see
         * {@link StaticStaticCache}. None unless set.
         */
        public Builder staticStaticCache(StaticStaticCache cache) {
            this.staticStatic = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /** A fixed ephemeral key pair instead of a generated one: for test vectors only. */
        Builder localEphemeral(DhKeyPair localEphemeral) {
            this.localEphemeral = Objects.requireNonNull(localEphemeral, "localEphemeral");
            return this;
        }

        /**
         * The handshake state, its prologue and pre-messages mixed in.
         *
         * @throws IllegalStateException if a key the pattern needs is missing
         */
        public HandshakeState build() {
            if (pattern.usesStatic(initiator) && localStatic == null) {
                throw new IllegalStateException(pattern + " needs this party's static key pair");
            }
            if (initiator && pattern.initiatorKnowsResponderStatic() && remoteStatic == null) {
                throw new IllegalStateException(pattern + " needs the responder's static key before it starts");
            }
            if (localEphemeral == null && random == null) {
                throw new IllegalStateException("a source of randomness is needed for the ephemeral key");
            }
            return new HandshakeState(this);
        }
    }
}
