package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.FrameCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * {@link AttackSuite} over plaintext (protocol version 1), with the attacks on version 1's own
 * framing: its magic and checksum, a frame before the HELLO, no HELLO, a thousand connections
 * refused with DISCONNECT.
 */
class AttackSuitePlaintextTest extends AttackSuite {

    @Override
    boolean secure() {
        return false;
    }

    /** A version 1 frame with another magic. */
    private static byte[] v1Frame(int magic, int type, int flags, long length, byte[] payload, Integer crc) {
        CRC32C c = new CRC32C();
        c.update(payload);
        return ByteBuffer.allocate(FrameCodec.HEADER_LENGTH + payload.length).putInt(magic).put((byte) type)
                .put((byte) flags).putInt((int) length).putInt(crc != null ? crc : (int) c.getValue()).put(payload)
                .array();
    }

    @Test
    void badMagicClosesWithoutDisconnectOrScore() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                raw.sendBytes(v1Frame(0x12345678, 0x80, 0, 0, new byte[0], null));
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    /** Before its HELLO a stranger may not make the node buffer more than 8 KiB of a frame. */
    @Test
    void aLargeFrameBeforeTheHelloIsAProtocolErrorAtItsHeader() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = RawPeer.connect(node.address())) {
                raw.sendBytes(header(0x00, 0, 64 * 1024, 0));
                expectProtocolErrorScored50(raw);
            }
        });
    }

    @Test
    void aWrongChecksumIsAProtocolError() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                raw.sendBytes(frame(0x80, 0, 4, new byte[] {1, 2, 3, 4}, 42));
                expectProtocolErrorScored50(raw);
            }
        });
    }

    @Test
    void noHelloIsClosedAtTheHandshakeTimeout() throws Exception {
        duringHonestTraffic(() -> {
            List<RawPeer> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) { // maxInboundPerIp: all the slots one address may take
                    slow.add(RawPeer.connect(node.address()));
                }
                for (RawPeer raw : slow) {
                    assertThat(raw.readDisconnect().reason()).isEqualTo(DisconnectReason.TIMEOUT);
                    assertThat(raw.closedByRemote()).isTrue();
                }
            } finally {
                for (RawPeer raw : slow) {
                    raw.close();
                }
            }
        });
    }

    @Test
    void aThousandConnectionsFromOneAddressGetFourSlotsAndTheRestAreRefused() throws Exception {
        duringHonestTraffic(() -> {
            List<RawPeer> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    sockets.add(RawPeer.connect(node.address()));
                }
                int refused = 0;
                int timedOut = 0;
                for (RawPeer raw : sockets) {
                    DisconnectReason reason = raw.readDisconnect().reason();
                    if (reason == DisconnectReason.TOO_MANY_PEERS) {
                        refused++;
                    } else if (reason == DisconnectReason.TIMEOUT) {
                        timedOut++; // one of the four admitted to the handshake, which never says HELLO
                    }
                }
                assertThat(refused).isEqualTo(996);
                assertThat(timedOut).isEqualTo(4);
            } finally {
                for (RawPeer raw : sockets) {
                    raw.close();
                }
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }
}
