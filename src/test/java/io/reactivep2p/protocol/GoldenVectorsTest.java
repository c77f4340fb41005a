package io.reactivep2p.protocol;

import static io.reactivep2p.protocol.Frames.decode;
import static io.reactivep2p.protocol.Frames.encode;
import static io.reactivep2p.protocol.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The byte-exact examples of docs/protocol.md. They were produced by an independent
 * implementation of the specification (not by this code), so each test checks both
 * directions: encoding gives these bytes, decoding them gives the message.
 */
class GoldenVectorsTest {

    static final NodeId NODE = NodeId.fromHex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");

    static final String HELLO = "5032503100000000005bb4cd902800010102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f200bb8"
            + "112233445566778800000000000000010000019ab697e800001272656163746976652d7032702f302e312e3000000007636861696e2d31";
    static final String PING = "5032503102000000000846891f810102030405060708";
    static final String PONG = "5032503103000000000846891f810102030405060708";
    static final String DISCONNECT = "503250310400000000111eb93c7b03000e746f6f206d616e79207065657273";
    static final String GET_PEERS = "50325031100000000002573d73af0064";
    static final String PEERS = "5032503111000000005c2116d0f60002047f0000010bb8" + "aa".repeat(32)
            + "0600000000000000000000000000000001" + "0bb9" + "bb".repeat(32);
    static final String TX = "503250312000000000059a71bb4c68656c6c6f";
    static final String BLOCK_EMPTY = "5032503121000000000000000000";
    static final String TX_HELLO_HASH = "1c9c535c80b3298829957b9fbfcd00bec337baca0866812efc749b7669613d43";
    static final String INV = "5032503123000000002310dcc0c7000120" + TX_HELLO_HASH;
    static final String GET_DATA = "5032503124000000002310dcc0c7000120" + TX_HELLO_HASH;
    static final String APP_0X80 = "50325031800000000001527d535100";
    static final String TX_LZ4 = "50325031200100000012e18dc268000004001f610100ffffffea506161616161";

    @Test
    void hello() {
        Hello hello = new Hello(1, NODE, 3000, 0x1122334455667788L, Hello.CAP_LZ4, 1764000000000L,
                "reactive-p2p/0.1.0", "chain-1".getBytes(StandardCharsets.US_ASCII));
        assertVector(HELLO, hello.toMessage());
        assertThat(Hello.decode(decode(hex(HELLO)))).isEqualTo(hello);
        assertThat(hello.supportsLz4()).isTrue();
    }

    @Test
    void pingAndPong() {
        assertVector(PING, new Ping(0x0102030405060708L).toMessage());
        assertVector(PONG, new Pong(0x0102030405060708L).toMessage());
        assertThat(Ping.decode(decode(hex(PING)))).isEqualTo(new Ping(0x0102030405060708L));
        assertThat(Pong.decode(decode(hex(PONG)))).isEqualTo(new Pong(0x0102030405060708L));
    }

    @Test
    void disconnect() {
        Disconnect d = Disconnect.of(DisconnectReason.TOO_MANY_PEERS, "too many peers");
        assertVector(DISCONNECT, d.toMessage());
        Disconnect decoded = Disconnect.decode(decode(hex(DISCONNECT)));
        assertThat(decoded).isEqualTo(d);
        assertThat(decoded.reason()).isEqualTo(DisconnectReason.TOO_MANY_PEERS);
    }

    @Test
    void getPeersAndPeers() throws Exception {
        assertVector(GET_PEERS, new GetPeers(100).toMessage());
        assertThat(GetPeers.decode(decode(hex(GET_PEERS)))).isEqualTo(new GetPeers(100));

        Peers peers = new Peers(List.of(
                new PeerAddress(InetAddress.getByName("127.0.0.1"), 3000, NodeId.of(filled(0xaa))),
                new PeerAddress(InetAddress.getByName("::1"), 3001, NodeId.of(filled(0xbb)))));
        assertVector(PEERS, peers.toMessage());
        Peers decoded = Peers.decode(decode(hex(PEERS)));
        assertThat(decoded).isEqualTo(peers);
        assertThat(decoded.peers()).extracting(PeerAddress::family).containsExactly(4, 6);
    }

    @Test
    void gossipTypesCarryOpaquePayloads() {
        assertVector(TX, Message.of(MessageType.MsgTx, "hello".getBytes(StandardCharsets.US_ASCII)));
        assertVector(BLOCK_EMPTY, Message.empty(MessageType.MsgBlock));
        assertVector(APP_0X80, Message.of(MessageType.of(0x80, "APP"), new byte[] {0}));
    }

    @Test
    void invAndGetData() {
        Message tx = Message.of(MessageType.MsgTx, "hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(ContentHash.of(tx).toHex()).isEqualTo(TX_HELLO_HASH);
        Inventory inventory = new Inventory(List.of(InvItem.of(tx)));
        assertVector(INV, inventory.toInv());
        assertVector(GET_DATA, inventory.toGetData());
        assertThat(Inventory.decode(decode(hex(INV)))).isEqualTo(inventory);
        assertThat(Inventory.decode(decode(hex(GET_DATA)))).isEqualTo(inventory);
    }

    @Test
    void lz4FrameDecodesToItsOriginalPayload() {
        byte[] payload = new byte[1024];
        Arrays.fill(payload, (byte) 'a');
        assertThat(decode(hex(TX_LZ4))).isEqualTo(Message.of(MessageType.MsgTx, payload));
        // Compressors may choose other blocks; ours must produce something that decodes back.
        byte[] encoded = encode(Message.of(MessageType.MsgTx, payload), true);
        assertThat(FrameCodec.FLAG_LZ4 & encoded[5]).isEqualTo(FrameCodec.FLAG_LZ4);
        assertThat(encoded.length).isLessThan(FrameCodec.HEADER_LENGTH + 100);
        assertThat(decode(encoded)).isEqualTo(Message.of(MessageType.MsgTx, payload));
    }

    private static void assertVector(String frameHex, Message message) {
        assertThat(hex(encode(message, false))).isEqualTo(frameHex);
        assertThat(decode(hex(frameHex))).isEqualTo(message);
    }

    private static byte[] filled(int b) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) b);
        return bytes;
    }
}
