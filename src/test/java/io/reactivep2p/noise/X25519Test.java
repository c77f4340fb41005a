package io.reactivep2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Dh#X25519} (BouncyCastle's) and {@link Dh#JDK_X25519} against RFC 7748 §6.1 and each
 * other, and the encodings the JDK's crosses its API with.
 */
class X25519Test {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] ALICE = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] BOB = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");

    static Stream<Dh> implementations() {
        return Stream.of(Dh.X25519, Dh.JDK_X25519);
    }

    @Test
    void bothImplementationsAgree() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 20; i++) {
            DhKeyPair a = Dh.X25519.generateKeyPair(random);
            DhKeyPair b = Dh.JDK_X25519.generateKeyPair(random);
            assertThat(Dh.JDK_X25519.keyPair(a.privateKey()).publicKey()).isEqualTo(a.publicKey());
            assertThat(Dh.X25519.keyPair(b.privateKey()).publicKey()).isEqualTo(b.publicKey());
            assertThat(Dh.X25519.dh(a, b.publicKey())).isEqualTo(Dh.JDK_X25519.dh(b, a.publicKey()));
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void rfc7748KeysAndSharedSecret(Dh x25519) {
        DhKeyPair alice = x25519.keyPair(ALICE);
        DhKeyPair bob = x25519.keyPair(BOB);
        assertThat(HEX.formatHex(alice.publicKey()))
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(HEX.formatHex(bob.publicKey()))
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(HEX.formatHex(x25519.dh(alice, bob.publicKey()))).isEqualTo(shared);
        assertThat(HEX.formatHex(x25519.dh(bob, alice.publicKey()))).isEqualTo(shared);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void theTopBitOfAPublicKeyIsMaskedAsRfc7748Says(Dh x25519) {
        DhKeyPair alice = x25519.keyPair(ALICE);
        byte[] bob = x25519.keyPair(BOB).publicKey();
        byte[] bobWithTopBit = bob.clone();
        bobWithTopBit[31] |= (byte) 0x80;
        assertThat(x25519.dh(alice, bobWithTopBit)).isEqualTo(x25519.dh(alice, bob));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void generatedPairsAgreeAndTheirPublicKeyIsTheirPrivateKeys(Dh x25519) {
        SecureRandom random = new SecureRandom();
        DhKeyPair a = x25519.generateKeyPair(random);
        DhKeyPair b = x25519.generateKeyPair(random);
        assertThat(x25519.keyPair(a.privateKey()).publicKey()).isEqualTo(a.publicKey());
        assertThat(x25519.dh(a, b.publicKey())).isEqualTo(x25519.dh(b, a.publicKey()));
        assertThat(a.toString()).doesNotContain(HEX.formatHex(a.privateKey()));
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void lowOrderPointsAndWrongLengthsAreRefused(Dh x25519) {
        DhKeyPair alice = x25519.keyPair(ALICE);
        byte[] one = new byte[32];
        one[0] = 1;
        for (byte[] lowOrder : new byte[][] {new byte[32], one}) {
            assertThatThrownBy(() -> x25519.dh(alice, lowOrder)).isInstanceOf(NoiseException.class);
        }
        assertThatThrownBy(() -> x25519.dh(alice, new byte[31])).isInstanceOf(NoiseException.class);
        assertThatThrownBy(() -> x25519.keyPair(new byte[33])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodingsRoundTrip() {
        byte[] key = Dh.X25519.keyPair(BOB).publicKey();
        assertThat(JdkX25519.encodeU(JdkX25519.decodeU(key))).isEqualTo(key);
        assertThat(JdkX25519.encodeU(BigInteger.ONE)[0]).isEqualTo((byte) 1);
        assertThat(JdkX25519.encodeU(BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(20))))
                .hasSize(32).endsWith((byte) 0x7F);
    }
}
