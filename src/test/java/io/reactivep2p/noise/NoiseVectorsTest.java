package io.reactivep2p.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cacophony test vectors (src/test/resources/noise, copied from the project's shared
 * vectors as published): for each of NN, XK, IK and XX with AESGCM and ChaChaPoly over
 * SHA256, every handshake message byte for byte from both sides, the handshake hash, and the
 * transport messages after {@code Split()}.
 */
class NoiseVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    static Stream<JsonNode> vectors() throws IOException {
        try (InputStream in = NoiseVectorsTest.class.getResourceAsStream("/noise/cacophony-25519-sha256.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> out = new ArrayList<>();
            root.get("vectors").forEach(out::add);
            assertThat(out).hasSize(8);
            return out.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyMessageAndTheHandshakeHashAreByteExact(JsonNode v) {
        String[] name = v.get("protocol_name").asText().split("_"); // Noise_XX_25519_AESGCM_SHA256
        assertThat(name).hasSize(5);
        HandshakePattern pattern = HandshakePattern.valueOf(name[1]);
        NoiseCipher cipher = name[3].equals("AESGCM") ? NoiseCipher.AESGCM : NoiseCipher.CHACHAPOLY;
        assertThat(cipher.noiseName()).isEqualTo(name[3]);

        HandshakeState initiator = party(v, "init_", pattern, cipher, true);
        HandshakeState responder = party(v, "resp_", pattern, cipher, false);

        TransportState initiatorKeys = null;
        TransportState responderKeys = null;
        int i = 0;
        for (JsonNode m : v.get("messages")) {
            byte[] payload = HEX.parseHex(m.get("payload").asText());
            byte[] expected = HEX.parseHex(m.get("ciphertext").asText());
            boolean fromInitiator = i % 2 == 0;
            if (!initiator.isComplete()) {
                HandshakeState sender = fromInitiator ? initiator : responder;
                HandshakeState receiver = fromInitiator ? responder : initiator;
                assertThat(HEX.formatHex(sender.writeMessage(payload))).as("message %d", i).isEqualTo(HEX.formatHex(expected));
                assertThat(receiver.readMessage(expected)).as("payload %d", i).isEqualTo(payload);
                if (initiator.isComplete()) {
                    assertThat(responder.isComplete()).isTrue();
                    assertThat(HEX.formatHex(initiator.handshakeHash())).isEqualTo(v.get("handshake_hash").asText());
                    assertThat(responder.handshakeHash()).isEqualTo(initiator.handshakeHash());
                    initiatorKeys = initiator.split();
                    responderKeys = responder.split();
                }
            } else {
                TransportState sender = fromInitiator ? initiatorKeys : responderKeys;
                TransportState receiver = fromInitiator ? responderKeys : initiatorKeys;
                assertThat(HEX.formatHex(sender.writeMessage(payload))).as("message %d", i).isEqualTo(HEX.formatHex(expected));
                assertThat(receiver.readMessage(expected)).as("payload %d", i).isEqualTo(payload);
            }
            i++;
        }
        assertThat(initiatorKeys).as("the handshake completed").isNotNull();
        assertThat(i).isGreaterThan(pattern.messageCount()); // transport messages were checked too
        if (pattern != HandshakePattern.NN) {
            assertThat(initiatorKeys.remoteStaticKey())
                    .isEqualTo(Dh.X25519.keyPair(HEX.parseHex(v.get("resp_static").asText())).publicKey());
        }
        if (pattern == HandshakePattern.XX || pattern == HandshakePattern.IK || pattern == HandshakePattern.XK) {
            assertThat(responderKeys.remoteStaticKey())
                    .isEqualTo(Dh.X25519.keyPair(HEX.parseHex(v.get("init_static").asText())).publicKey());
        }
    }

    private static HandshakeState party(JsonNode v, String prefix, HandshakePattern pattern, NoiseCipher cipher,
            boolean initiator) {
        HandshakeState.Builder b = HandshakeState.builder(pattern, initiator)
                .cipher(cipher)
                .prologue(HEX.parseHex(v.get(prefix + "prologue").asText()))
                .localEphemeral(Dh.X25519.keyPair(HEX.parseHex(v.get(prefix + "ephemeral").asText())));
        if (v.has(prefix + "static")) {
            b.localStatic(Dh.X25519.keyPair(HEX.parseHex(v.get(prefix + "static").asText())));
        }
        if (v.has(prefix + "remote_static")) {
            b.remoteStatic(HEX.parseHex(v.get(prefix + "remote_static").asText()));
        }
        return b.build();
    }
}
