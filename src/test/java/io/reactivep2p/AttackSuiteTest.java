package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.transport.SecureChannelHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AttackSuite} over the secure channel (protocol version 2, the default), with the
 * attacks on its own layer: the preamble, the handshake and records. Before the handshake
 * completes there is no channel to send a DISCONNECT on, so every refusal there is a close with
 * nothing sent (docs/security.md §3.12).
 */
class AttackSuiteTest extends AttackSuite {

    @Override
    boolean secure() {
        return true;
    }

    private static byte[] preamble(int magic, int mode) {
        return ByteBuffer.allocate(SecureChannelHandler.PREAMBLE_LENGTH).putInt(magic).put((byte) mode).array();
    }

    @Test
    void aPreambleWithAnotherMagicIsClosedWithNothingSentAndNoScore() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = RawPeer.connect(node.address())) {
                raw.sendWire(preamble(0x12345678, SecureChannelHandler.MODE_XX));
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    @Test
    void aVersion1HelloIsClosedWithNothingSentAndNoScore() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = RawPeer.connect(node.address())) {
                raw.send(RawPeer.hello(io.reactivep2p.protocol.Hello.VERSION).toMessage()); // mode byte 0x00
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    @Test
    void anUnknownModeIsClosedAndScored() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = RawPeer.connect(node.address())) {
                raw.sendWire(preamble(FrameSettings.DEFAULT_MAGIC, 0x7F));
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        await().until(() -> node.peerManager().score(ATTACKER) == 50);
    }

    /** The length prefix says 65,535 bytes: refused at the prefix, nothing of it buffered. */
    @Test
    void aHandshakeMessageOverItsLimitIsClosedAtItsLengthPrefix() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = RawPeer.connect(node.address())) {
                raw.sendWire(ByteBuffer.allocate(SecureChannelHandler.PREAMBLE_LENGTH + 2)
                        .put(preamble(FrameSettings.DEFAULT_MAGIC, SecureChannelHandler.MODE_XX))
                        .putShort((short) 0xFFFF).array());
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    /** XX message 1 is 32 bytes; half of it, then silence: closed at the handshake timeout. */
    @Test
    void aStalledHandshakeIsClosedAtTheHandshakeTimeout() throws Exception {
        duringHonestTraffic(() -> {
            List<RawPeer> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) { // maxInboundPerIp: all the slots one address may take
                    RawPeer raw = RawPeer.connect(node.address());
                    stalled.add(raw);
                    raw.sendWire(ByteBuffer.allocate(SecureChannelHandler.PREAMBLE_LENGTH + 2 + 16)
                            .put(preamble(FrameSettings.DEFAULT_MAGIC, SecureChannelHandler.MODE_XX))
                            .putShort((short) 32).put(new byte[16]).array());
                }
                for (RawPeer raw : stalled) {
                    assertThat(raw.closedByRemote()).isTrue(); // within the socket's 10 s read timeout
                }
            } finally {
                for (RawPeer raw : stalled) {
                    raw.close();
                }
            }
        });
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    /** Random bytes as a record after the handshake: they fail authentication; the node closes and scores. */
    @Test
    void aForgedRecordIsClosedWithNothingSentAndScored() throws Exception {
        duringHonestTraffic(() -> {
            try (RawPeer raw = admitted(node)) {
                byte[] forged = new byte[2 + 64];
                ThreadLocalRandom.current().nextBytes(forged);
                ByteBuffer.wrap(forged).putShort((short) 64);
                raw.sendWire(forged);
                assertThat(raw.closedByRemote()).isTrue();
            }
        });
        await().until(() -> node.peerManager().score(ATTACKER) == 50);
    }

    /**
     * A thousand connections from one address: the first ones take the burst of the connection
     * rate and the four handshake slots, the rest are refused at once, and every one is closed
     * with nothing sent (no DISCONNECT before the handshake). The four handshakes that never
     * start end at the handshake timeout.
     */
    @Test
    void aThousandConnectionsFromOneAddressAreClosedAndMostRefusedAtOnce() throws Exception {
        duringHonestTraffic(() -> {
            List<RawPeer> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    sockets.add(RawPeer.connect(node.address()));
                }
                for (RawPeer raw : sockets) {
                    assertThat(raw.closedByRemote()).isTrue();
                }
            } finally {
                for (RawPeer raw : sockets) {
                    raw.close();
                }
            }
        });
        // 1,000 at once against 10 a second with bursts of 20.
        assertThat(node.peerManager().connectsOverRate()).isGreaterThanOrEqualTo(950);
        assertThat(node.peerManager().score(ATTACKER)).isZero();
    }

    @Test
    void aBannedAddressCannotCompleteAHandshake() throws Exception {
        node.peerManager().misbehaved(null, ATTACKER, 100, "test");
        assertThat(node.peerManager().isBanned(ATTACKER)).isTrue();
        assertThatThrownBy(() -> RawPeer.connectSecure(node.address()).close()).isInstanceOf(IOException.class);
    }
}
