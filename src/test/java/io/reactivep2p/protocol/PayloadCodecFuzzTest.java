package io.reactivep2p.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.function.Function;

/**
 * Fuzz test of every control and discovery payload codec (HELLO, PING, PONG, DISCONNECT,
 * GET_PEERS, PEERS, INV, GET_DATA): any payload either decodes or fails with a
 * {@link ProtocolException} — never another exception — and what decodes encodes back to a
 * payload that decodes to the same value. The first byte of the input picks the codec.
 *
 * <p>Regression inputs: {@code src/test/resources/io/reactivep2p/protocol/PayloadCodecFuzzTestInputs/payloads/}.
 * To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -B -pl src test -Dtest=PayloadCodecFuzzTest}.
 */
class PayloadCodecFuzzTest {

    private record Codec<T>(MessageType type, Function<Message, T> decode, Function<T, Message> encode) {
        void roundTrip(byte[] payload) {
            T value;
            try {
                value = decode.apply(Message.wrap(type, payload));
            } catch (ProtocolException e) {
                assertThat(e.kind()).isNotNull();
                return;
            }
            Message encoded = encode.apply(value);
            assertThat(encoded.type()).isEqualTo(type);
            assertThat(decode.apply(encoded)).isEqualTo(value);
        }
    }

    private static final Codec<?>[] CODECS = {
            new Codec<>(MessageType.MsgHello, Hello::decode, Hello::toMessage),
            new Codec<>(MessageType.MsgPing, Ping::decode, Ping::toMessage),
            new Codec<>(MessageType.MsgPong, Pong::decode, Pong::toMessage),
            new Codec<>(MessageType.MsgDisconnect, Disconnect::decode, Disconnect::toMessage),
            new Codec<>(MessageType.MsgGetPeers, GetPeers::decode, GetPeers::toMessage),
            new Codec<>(MessageType.MsgPeers, Peers::decode, Peers::toMessage),
            new Codec<>(MessageType.MsgInv, Inventory::decode, Inventory::toInv),
            new Codec<>(MessageType.MsgGetData, Inventory::decode, Inventory::toGetData),
    };

    @FuzzTest(maxDuration = "10m")
    void payloads(FuzzedDataProvider data) {
        Codec<?> codec = CODECS[data.consumeInt(0, CODECS.length - 1)];
        codec.roundTrip(data.consumeRemainingAsBytes());
    }
}
