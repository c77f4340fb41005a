package io.reactivep2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The handshake and cipher states against bad input and misuse; the vectors are in {@link NoiseVectorsTest}. */
class NoiseHandshakeTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] PROLOGUE = "reactive-p2p/2".getBytes(StandardCharsets.US_ASCII);

    private final DhKeyPair alice = Dh.X25519.generateKeyPair(RANDOM);
    private final DhKeyPair bob = Dh.X25519.generateKeyPair(RANDOM);

    private static HandshakeState.Builder party(HandshakePattern pattern, boolean initiator, DhKeyPair keys) {
        return HandshakeState.builder(pattern, initiator).prologue(PROLOGUE).localStatic(keys).random(RANDOM);
    }

    @Test
    void xxAuthenticatesBothStaticKeysAndBothDirectionsCarryMessages() {
        HandshakeState i = party(HandshakePattern.XX, true, alice).build();
        HandshakeState r = party(HandshakePattern.XX, false, bob).build();
        assertThat(r.readMessage(i.writeMessage(new byte[0]))).isEmpty();
        assertThat(i.readMessage(r.writeMessage(bytes("bob's hello")))).isEqualTo(bytes("bob's hello"));
        assertThat(r.readMessage(i.writeMessage(bytes("alice's hello")))).isEqualTo(bytes("alice's hello"));
        TransportState ik = i.split();
        TransportState rk = r.split();
        assertThat(ik.remoteStaticKey()).isEqualTo(bob.publicKey());
        assertThat(rk.remoteStaticKey()).isEqualTo(alice.publicKey());
        assertThat(ik.handshakeHash()).isEqualTo(rk.handshakeHash());
        for (int n = 0; n < 3; n++) {
            assertThat(rk.readMessage(ik.writeMessage(bytes("to bob " + n)))).isEqualTo(bytes("to bob " + n));
            assertThat(ik.readMessage(rk.writeMessage(bytes("to alice " + n)))).isEqualTo(bytes("to alice " + n));
        }
    }

    @Test
    void ikUnderAnotherResponderKeyFailsAtTheResponder() {
        DhKeyPair someoneElse = Dh.X25519.generateKeyPair(RANDOM);
        HandshakeState i = party(HandshakePattern.IK, true, alice).remoteStatic(someoneElse.publicKey()).build();
        HandshakeState r = party(HandshakePattern.IK, false, bob).build();
        byte[] m1 = i.writeMessage(bytes("hello"));
        assertThatThrownBy(() -> r.readMessage(m1)).isInstanceOf(NoiseException.class)
                .hasMessageContaining("authentication");
        assertThatThrownBy(() -> r.readMessage(m1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("failed earlier");
    }

    @Test
    void aTamperedByteAnywhereInXxMessage2Or3FailsTheHandshake() {
        for (int message = 2; message <= 3; message++) {
            int length = Integer.MAX_VALUE;
            for (int at = 0; at < length; at++) { // a fresh handshake per flipped byte
                HandshakeState i = party(HandshakePattern.XX, true, alice).build();
                HandshakeState r = party(HandshakePattern.XX, false, bob).build();
                r.readMessage(i.writeMessage(new byte[0]));
                byte[] m2 = r.writeMessage(bytes("bob's hello"));
                HandshakeState reader = message == 2 ? i : r;
                byte[] target = m2;
                if (message == 3) {
                    i.readMessage(m2);
                    target = i.writeMessage(bytes("alice's hello"));
                }
                length = target.length;
                target[at] ^= (byte) 0x80;
                byte[] tampered = target;
                assertThatThrownBy(() -> reader.readMessage(tampered)).as("message %d, byte %d", message, at)
                        .isInstanceOf(NoiseException.class);
            }
        }
    }

    @Test
    void messagesTooShortForTheirTokensAreRefusedBeforeReading() {
        HandshakeState r = party(HandshakePattern.XX, false, bob).build();
        assertThatThrownBy(() -> r.readMessage(new byte[Dh.DHLEN - 1])).isInstanceOf(NoiseException.class)
                .hasMessageContaining("too short for its e");

        HandshakeState i = party(HandshakePattern.XX, true, alice).build();
        HandshakeState r2 = party(HandshakePattern.XX, false, bob).build();
        r2.readMessage(i.writeMessage(new byte[0]));
        byte[] m2 = r2.writeMessage(new byte[0]); // e (32), s (32 + 16), payload tag (16)
        assertThat(m2).hasSize(96);
        assertThatThrownBy(() -> i.readMessage(Arrays.copyOf(m2, 70))).isInstanceOf(NoiseException.class)
                .hasMessageContaining("too short for its s");
        HandshakeState i2 = party(HandshakePattern.XX, true, alice).build();
        HandshakeState r3 = party(HandshakePattern.XX, false, bob).build();
        r3.readMessage(i2.writeMessage(new byte[0]));
        byte[] m2b = r3.writeMessage(new byte[0]);
        assertThatThrownBy(() -> i2.readMessage(Arrays.copyOf(m2b, 90))).isInstanceOf(NoiseException.class)
                .hasMessageContaining("shorter than a tag");
    }

    @Test
    void aMessageOverTheNoiseLimitIsRefusedWithoutReadingIt() {
        HandshakeState r = party(HandshakePattern.XX, false, bob).build();
        assertThatThrownBy(() -> r.readMessage(new byte[HandshakeState.MAX_MESSAGE_LENGTH + 1]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("over 65535");
        HandshakeState i = party(HandshakePattern.XX, true, alice).build();
        assertThatThrownBy(() -> i.writeMessage(new byte[HandshakeState.MAX_MESSAGE_LENGTH]))
                .isInstanceOf(NoiseException.class).hasMessageContaining("over 65535");
    }

    @Test
    void aLowOrderEphemeralKeyIsRefused() {
        HandshakeState r = party(HandshakePattern.XX, false, bob).build();
        r.readMessage(new byte[Dh.DHLEN]); // u = 0: read as e, then ee in the responder's message 2
        assertThatThrownBy(() -> r.writeMessage(new byte[0])).isInstanceOf(NoiseException.class)
                .hasMessageContaining("refused the public key");
    }

    @Test
    void partiesTakeTurnsAndAPatternsKeysAreRequired() {
        HandshakeState i = party(HandshakePattern.XX, true, alice).build();
        assertThat(i.isMyTurnToWrite()).isTrue();
        assertThatThrownBy(() -> i.readMessage(new byte[32])).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("this party's turn to write");
        assertThatThrownBy(() -> i.split()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> HandshakeState.builder(HandshakePattern.IK, true).localStatic(alice).random(RANDOM).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("responder's static key");
        assertThatThrownBy(() -> HandshakeState.builder(HandshakePattern.XX, false).random(RANDOM).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("static key pair");
        HandshakeState nn = HandshakeState.builder(HandshakePattern.NN, true).random(RANDOM).build();
        assertThat(nn.isInitiator()).isTrue();
    }

    @Test
    void aFailedDecryptionLeavesTheNonceAndTheNoncesRunOutAtTheReservedValue() {
        TransportState[] pair = xxPair();
        byte[] m = pair[0].writeMessage(bytes("one"));
        byte[] bad = m.clone();
        bad[0] ^= 1;
        assertThatThrownBy(() -> pair[1].readMessage(bad)).isInstanceOf(NoiseException.class);
        assertThat(pair[1].receiver().nonce()).isZero();
        assertThat(pair[1].readMessage(m)).isEqualTo(bytes("one"));
        assertThat(pair[1].receiver().nonce()).isEqualTo(1);

        CipherState sender = pair[0].sender();
        sender.setNonce(-2L); // 2^64 - 2: the last usable nonce
        sender.encryptWithAd(null, bytes("last"));
        assertThatThrownBy(() -> sender.encryptWithAd(null, bytes("one more"))).isInstanceOf(NoiseException.class)
                .hasMessageContaining("used up");
    }

    @Test
    void rekeyingBothEndsKeepsThemInStepAndOneEndAloneDoesNot() {
        TransportState[] pair = xxPair();
        pair[0].sender().rekey();
        pair[1].receiver().rekey();
        assertThat(pair[1].readMessage(pair[0].writeMessage(bytes("after rekey")))).isEqualTo(bytes("after rekey"));
        pair[0].sender().rekey();
        byte[] m = pair[0].writeMessage(bytes("only the sender rekeyed"));
        assertThatThrownBy(() -> pair[1].readMessage(m)).isInstanceOf(NoiseException.class);
    }

    @Test
    void recordsEncryptBetweenDirectBuffersAsBetweenArrays() {
        TransportState[] pair = xxPair();
        byte[] plain = new byte[65_519];
        RANDOM.nextBytes(plain);
        ByteBuffer in = ByteBuffer.allocateDirect(plain.length).put(plain).flip();
        ByteBuffer sealed = ByteBuffer.allocateDirect(plain.length + NoiseCipher.TAG_LENGTH);
        assertThat(pair[0].sender().encrypt(null, in, sealed)).isEqualTo(plain.length + NoiseCipher.TAG_LENGTH);
        assertThat(in.hasRemaining()).isFalse();
        sealed.flip();
        ByteBuffer opened = ByteBuffer.allocateDirect(plain.length);
        assertThat(pair[1].receiver().decrypt(null, sealed, opened)).isEqualTo(plain.length);
        byte[] out = new byte[plain.length];
        opened.flip().get(out);
        assertThat(out).isEqualTo(plain);
        // the array form continues the same nonce sequence
        assertThat(pair[1].readMessage(pair[0].writeMessage(bytes("next")))).isEqualTo(bytes("next"));
    }

    private TransportState[] xxPair() {
        HandshakeState i = party(HandshakePattern.XX, true, alice).build();
        HandshakeState r = party(HandshakePattern.XX, false, bob).build();
        r.readMessage(i.writeMessage(new byte[0]));
        i.readMessage(r.writeMessage(new byte[0]));
        r.readMessage(i.writeMessage(new byte[0]));
        return new TransportState[] {i.split(), r.split()};
    }

    /** X25519 that counts its agreements. */
    private static final class CountingDh implements Dh {
        int agreements;

        @Override
        public String name() {
            return X25519.name();
        }

        @Override
        public DhKeyPair generateKeyPair(SecureRandom random) {
            return X25519.generateKeyPair(random);
        }

        @Override
        public DhKeyPair keyPair(byte[] privateKey) {
            return X25519.keyPair(privateKey);
        }

        @Override
        public byte[] dh(DhKeyPair keyPair, byte[] publicKey) {
            agreements++;
            return X25519.dh(keyPair, publicKey);
        }
    }

    /** One IK handshake; returns {initiator's, responder's} transport states. */
    private static TransportState[] ik(DhKeyPair initiatorKeys, DhKeyPair responderKeys, StaticStaticCache iCache,
                                       StaticStaticCache rCache, Dh iDh, Dh rDh) {
        HandshakeState.Builder ib = party(HandshakePattern.IK, true, initiatorKeys).remoteStatic(responderKeys.publicKey())
                .dh(iDh);
        HandshakeState.Builder rb = party(HandshakePattern.IK, false, responderKeys).dh(rDh);
        if (iCache != null) {
            ib.staticStaticCache(iCache);
        }
        if (rCache != null) {
            rb.staticStaticCache(rCache);
        }
        HandshakeState i = ib.build();
        HandshakeState r = rb.build();
        assertThat(r.readMessage(i.writeMessage(bytes("alice's hello")))).isEqualTo(bytes("alice's hello"));
        assertThat(i.readMessage(r.writeMessage(bytes("bob's hello")))).isEqualTo(bytes("bob's hello"));
        return new TransportState[] {i.split(), r.split()};
    }

    @Test
    void aStaticStaticCacheSkipsTheSsAgreementWithAPeerMetBeforeAndChangesNoByte() {
        StaticStaticCache aliceCache = new StaticStaticCache(alice, 16);
        StaticStaticCache bobCache = new StaticStaticCache(bob, 16);
        CountingDh aliceDh = new CountingDh();
        CountingDh bobDh = new CountingDh();
        TransportState[] first = ik(alice, bob, aliceCache, bobCache, aliceDh, bobDh);
        assertThat(aliceDh.agreements).isEqualTo(4); // es, ss, then ee, se
        assertThat(bobDh.agreements).isEqualTo(4);
        assertThat(aliceCache.size()).isEqualTo(1);
        assertThat(bobCache.size()).isEqualTo(1);

        aliceDh.agreements = 0;
        bobDh.agreements = 0;
        TransportState[] second = ik(alice, bob, aliceCache, bobCache, aliceDh, bobDh);
        assertThat(aliceDh.agreements).isEqualTo(3);
        assertThat(bobDh.agreements).isEqualTo(3);
        assertThat(second[0].handshakeHash()).isEqualTo(second[1].handshakeHash());
        assertThat(second[1].readMessage(second[0].writeMessage(bytes("x")))).isEqualTo(bytes("x"));
        // One side cached, the other not: the same keys all the same.
        TransportState[] mixed = ik(alice, bob, aliceCache, null, Dh.X25519, Dh.X25519);
        assertThat(mixed[1].readMessage(mixed[0].writeMessage(bytes("y")))).isEqualTo(bytes("y"));
        assertThat(first[0].handshakeHash()).isNotEqualTo(second[0].handshakeHash()); // fresh ephemerals
    }

    @Test
    void aStaticStaticResultEntersOnlyOnceThePeerHasProvenItsKey() {
        // A responder reading a message 1 whose payload does not authenticate keeps nothing.
        StaticStaticCache bobCache = new StaticStaticCache(bob, 16);
        HandshakeState i = party(HandshakePattern.IK, true, alice).remoteStatic(bob.publicKey()).build();
        HandshakeState r = party(HandshakePattern.IK, false, bob).staticStaticCache(bobCache).build();
        byte[] m1 = i.writeMessage(bytes("alice's hello"));
        m1[m1.length - 1] ^= 1;
        assertThatThrownBy(() -> r.readMessage(m1)).isInstanceOf(NoiseException.class);
        assertThat(bobCache.size()).isZero();

        // An initiator dialling a key the listener does not hold keeps nothing either.
        DhKeyPair someoneElse = Dh.X25519.generateKeyPair(RANDOM);
        StaticStaticCache aliceCache = new StaticStaticCache(alice, 16);
        HandshakeState dial = party(HandshakePattern.IK, true, alice).remoteStatic(someoneElse.publicKey())
                .staticStaticCache(aliceCache).build();
        byte[] first = dial.writeMessage(new byte[0]);
        assertThatThrownBy(() -> party(HandshakePattern.IK, false, bob).build().readMessage(first))
                .isInstanceOf(NoiseException.class);
        assertThat(aliceCache.size()).isZero();
    }

    @Test
    void aStaticStaticCacheServesOnlyItsOwnLocalKeyAndKeepsAtMostItsCapacity() {
        StaticStaticCache aliceCache = new StaticStaticCache(alice, 2);
        CountingDh carolDh = new CountingDh();
        DhKeyPair carol = Dh.X25519.generateKeyPair(RANDOM);
        ik(carol, bob, aliceCache, null, carolDh, Dh.X25519); // carol's handshake, alice's cache
        assertThat(aliceCache.size()).isZero();
        assertThat(carolDh.agreements).isEqualTo(4);
        for (int n = 0; n < 3; n++) {
            ik(alice, Dh.X25519.generateKeyPair(RANDOM), aliceCache, null, Dh.X25519, Dh.X25519);
        }
        assertThat(aliceCache.size()).isEqualTo(2);
        assertThatThrownBy(() -> new StaticStaticCache(alice, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
