package io.reactivep2p.protocol;

import static io.reactivep2p.protocol.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PayloadCodecTest {

    static Stream<Arguments> codecs() {
        return Stream.of(
                codec(GoldenVectorsTest.HELLO, Hello::decode),
                codec(GoldenVectorsTest.PING, Ping::decode),
                codec(GoldenVectorsTest.PONG, Pong::decode),
                codec(GoldenVectorsTest.DISCONNECT, Disconnect::decode),
                codec(GoldenVectorsTest.GET_PEERS, GetPeers::decode),
                codec(GoldenVectorsTest.PEERS, Peers::decode),
                codec(GoldenVectorsTest.INV, Inventory::decode),
                codec(GoldenVectorsTest.GET_DATA, Inventory::decode));
    }

    private static Arguments codec(String frameHex, Function<Message, ?> decoder) {
        Message message = Frames.decode(hex(frameHex));
        return Arguments.of(message.type().name(), message, decoder);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void everyTruncationIsMalformed(String name, Message message, Function<Message, ?> decoder) {
        byte[] payload = message.payloadBytes();
        for (int n = 0; n < payload.length; n++) {
            Message truncated = Message.of(message.type(), Arrays.copyOf(payload, n));
            assertThatThrownBy(() -> decoder.apply(truncated))
                    .as("%s cut to %d bytes", name, n)
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.kind()).isIn(ProtocolException.Kind.MALFORMED_PAYLOAD,
                                    ProtocolException.Kind.LIMIT_EXCEEDED));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void trailingBytesAreMalformed(String name, Message message, Function<Message, ?> decoder) {
        byte[] longer = Arrays.copyOf(message.payloadBytes(), message.payloadLength() + 1);
        assertMalformed(() -> decoder.apply(Message.of(message.type(), longer)), ProtocolException.Kind.MALFORMED_PAYLOAD);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void decodersRefuseMessagesOfAnotherType(String name, Message message, Function<Message, ?> decoder) {
        assertThatThrownBy(() -> decoder.apply(Message.of(MessageType.MsgBlock, message.payloadBytes())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void peers_countOverTheLimitIsRejectedBeforeReadingEntries() {
        byte[] payload = ByteBuffer.allocate(2).putShort((short) 1001).array();
        assertMalformed(() -> Peers.decode(Message.of(MessageType.MsgPeers, payload)), ProtocolException.Kind.LIMIT_EXCEEDED);
    }

    @Test
    void peers_countLargerThanThePayloadIsRejectedBeforeAllocating() {
        byte[] payload = ByteBuffer.allocate(2 + 39).putShort((short) 1000).array();
        assertThatThrownBy(() -> Peers.decode(Message.of(MessageType.MsgPeers, payload)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProtocolException.Kind.MALFORMED_PAYLOAD);
                    assertThat(e.getMessage()).contains("1000 entries need at least 39000 bytes");
                });
    }

    @Test
    void peers_unknownFamilyIsMalformed() {
        byte[] payload = hex(GoldenVectorsTest.PEERS.substring(28));
        payload[2] = 5;
        assertMalformed(() -> Peers.decode(Message.of(MessageType.MsgPeers, payload)), ProtocolException.Kind.MALFORMED_PAYLOAD);
    }

    @Test
    void peers_ipv4MappedIpv6AddressKeepsFamily6() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        byte[] payload = ByteBuffer.allocate(2 + 1 + 16 + 2 + 32).putShort((short) 1).put((byte) 6).put(mapped)
                .putShort((short) 9).put(new byte[32]).array();
        Message message = Message.of(MessageType.MsgPeers, payload);
        Peers peers = Peers.decode(message);
        assertThat(peers.peers().get(0).family()).isEqualTo(6);
        assertThat(peers.toMessage()).isEqualTo(message);
    }

    @Test
    void inventory_countOverTheLimitOrNotMatchingTheLengthIsRejected() {
        byte[] over = ByteBuffer.allocate(2).putShort((short) 1001).array();
        assertMalformed(() -> Inventory.decode(Message.of(MessageType.MsgInv, over)), ProtocolException.Kind.LIMIT_EXCEEDED);
        byte[] claimsMore = ByteBuffer.allocate(2 + 33).putShort((short) 1000).array();
        assertMalformed(() -> Inventory.decode(Message.of(MessageType.MsgGetData, claimsMore)),
                ProtocolException.Kind.MALFORMED_PAYLOAD);
        assertThat(Inventory.decode(Message.of(MessageType.MsgInv, new byte[2])).items()).isEmpty();
    }

    @Test
    void getPeers_maxOverTheLimitIsRejected() {
        byte[] payload = ByteBuffer.allocate(2).putShort((short) 0xFFFF).array();
        assertMalformed(() -> GetPeers.decode(Message.of(MessageType.MsgGetPeers, payload)),
                ProtocolException.Kind.LIMIT_EXCEEDED);
        assertThatThrownBy(() -> new GetPeers(1001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hello_userAgentOrStatusOverTheirLimitsAreRejected() {
        Hello hello = Hello.decode(Frames.decode(hex(GoldenVectorsTest.HELLO)));
        byte[] payload = hello.toMessage().payloadBytes();
        int agentLengthAt = 2 + 32 + 2 + 8 + 8 + 8;

        byte[] longAgent = payload.clone();
        ByteBuffer.wrap(longAgent).putShort(agentLengthAt, (short) 257);
        assertMalformed(() -> Hello.decode(Message.of(MessageType.MsgHello, longAgent)), ProtocolException.Kind.LIMIT_EXCEEDED);

        int statusLengthAt = agentLengthAt + 2 + hello.userAgent().length();
        byte[] hugeStatus = payload.clone();
        ByteBuffer.wrap(hugeStatus).putInt(statusLengthAt, 0xFFFF_FFFF);
        assertMalformed(() -> Hello.decode(Message.of(MessageType.MsgHello, hugeStatus)), ProtocolException.Kind.LIMIT_EXCEEDED);

        byte[] status4097 = payload.clone();
        ByteBuffer.wrap(status4097).putInt(statusLengthAt, 4097);
        assertMalformed(() -> Hello.decode(Message.of(MessageType.MsgHello, status4097)), ProtocolException.Kind.LIMIT_EXCEEDED);

        assertThatThrownBy(() -> new Hello(1, hello.nodeId(), 0, 0, 0, 0, "x".repeat(257), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Hello(1, hello.nodeId(), 0, 0, 0, 0, "", new byte[4097]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hello_invalidUtf8IsMalformed() {
        Hello hello = new Hello(1, NodeId.random(), 0, 1, 0, 2, "ab", new byte[0]);
        byte[] payload = hello.toMessage().payloadBytes();
        payload[2 + 32 + 2 + 8 + 8 + 8 + 2] = (byte) 0xC3; // a lead byte followed by 'b'
        assertMalformed(() -> Hello.decode(Message.of(MessageType.MsgHello, payload)), ProtocolException.Kind.MALFORMED_PAYLOAD);
    }

    @Test
    void hello_otherVersionsStillDecodeSoThePeerCanBeToldWhy() {
        Hello v2 = new Hello(2, NodeId.random(), 3000, 1, 0, 2, "future/2.0", new byte[] {1});
        assertThat(Hello.decode(v2.toMessage()).version()).isEqualTo(2);
    }

    @Test
    void hello_statusIsCopiedInAndOut() {
        byte[] status = {1, 2, 3};
        Hello hello = new Hello(1, NodeId.random(), 0, 1, 0, 2, "", status);
        status[0] = 9;
        hello.status()[1] = 9;
        assertThat(hello.status()).containsExactly(1, 2, 3);
    }

    @Test
    void disconnect_longTextIsCutOnACharacterBoundaryAndLongWireTextRejected() {
        String text = "é".repeat(200); // 400 UTF-8 bytes
        Disconnect decoded = Disconnect.decode(Disconnect.of(DisconnectReason.MISBEHAVIOUR, text).toMessage());
        assertThat(decoded.text()).isEqualTo("é".repeat(128));

        byte[] wire = ByteBuffer.allocate(3 + 257).put((byte) 1).putShort((short) 257).array();
        Arrays.fill(wire, 3, wire.length, (byte) 'x');
        assertMalformed(() -> Disconnect.decode(Message.of(MessageType.MsgDisconnect, wire)),
                ProtocolException.Kind.LIMIT_EXCEEDED);
    }

    @Test
    void disconnect_unknownReasonCodesDecodeToUnknown() {
        Disconnect d = Disconnect.decode(new Disconnect(200, "future").toMessage());
        assertThat(d.reason()).isEqualTo(DisconnectReason.UNKNOWN);
        assertThat(d.reasonCode()).isEqualTo(200);
        assertThatThrownBy(() -> Disconnect.of(DisconnectReason.UNKNOWN, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void disconnectReasonsHaveTheirWireCodes() {
        assertThat(List.of(DisconnectReason.values()))
                .extracting(DisconnectReason::code)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1);
        for (DisconnectReason r : DisconnectReason.values()) {
            if (r != DisconnectReason.UNKNOWN) {
                assertThat(DisconnectReason.fromCode(r.code())).isSameAs(r);
            }
        }
    }

    @Test
    void messagesAreImmutable() {
        byte[] bytes = "abc".getBytes(StandardCharsets.US_ASCII);
        Message m = Message.of(MessageType.MsgTx, bytes);
        bytes[0] = 'x';
        m.payloadBytes()[1] = 'x';
        assertThat(m.payload().isReadOnly()).isTrue();
        assertThat(new String(m.payloadBytes(), StandardCharsets.US_ASCII)).isEqualTo("abc");
    }

    @Test
    void messageTypesAreAnOpenSetComparedByCode() {
        MessageType vote = MessageType.of(0x81, "VOTE");
        assertThat(vote).isEqualTo(MessageType.fromCode(0x81));
        assertThat(vote.isApplication()).isTrue();
        assertThat(MessageType.fromCode(0x20)).isSameAs(MessageType.MsgTx);
        assertThat(MessageType.fromCode(0x05).isDefined()).isFalse();
        assertThat(MessageType.fromCode(0x05).name()).isEqualTo("UNKNOWN_0x05");
        assertThatThrownBy(() -> MessageType.of(0x7F, "X")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageType.of(0x100, "X")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageType.fromCode(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertMalformed(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
                                        ProtocolException.Kind kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.kind()).isEqualTo(kind));
    }
}
