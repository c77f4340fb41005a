package io.reactivep2p.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.runtime.NodeRuntime;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two rates of new inbound connections, on virtual time: per address
 * ({@code inboundConnectRate}) and from all addresses together ({@code inboundHandshakeRate}),
 * each a bucket of twice its rate, refilled at its rate.
 */
class PeerManagerRateTest {

    private final MockTicker ticker = Ticker.newMockTicker();

    private PeerManager manager(PeerSettings settings) {
        return new PeerManager(NodeId.random(), 42L, settings, NodeRuntime.builder().ticker(ticker).build());
    }

    private static InetAddress address(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i});
    }

    /** Accepts a connection from {@code address} and closes it at once: only the rates can refuse. */
    private static DisconnectReason connectAndClose(PeerManager manager, InetAddress address) {
        DisconnectReason refusal = manager.acceptInbound(address);
        if (refusal == null) {
            manager.inboundClosed(address);
        }
        return refusal;
    }

    @Test
    void connectionsFromManyAddressesAreCutAtTheTotalRateInBurstsOfTwiceIt() throws Exception {
        PeerManager manager = manager(PeerSettings.builder().inboundHandshakeRate(100).build());
        int accepted = 0;
        for (int i = 0; i < 300; i++) { // 300 addresses at once, one connection each: under their own rate
            if (connectAndClose(manager, address(i)) == null) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(200);
        assertThat(manager.handshakesOverRate()).isEqualTo(100);
        assertThat(manager.connectsOverRate()).isZero();

        ticker.advance(500, TimeUnit.MILLISECONDS); // refills 50
        accepted = 0;
        for (int i = 300; i < 400; i++) {
            if (connectAndClose(manager, address(i)) == null) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(50);
    }

    @Test
    void aRefusalForTheAddressesOwnRateOrASlotTakesNothingFromTheTotal() throws Exception {
        PeerManager manager = manager(PeerSettings.builder().inboundConnectRate(10).inboundHandshakeRate(25).build());
        InetAddress one = address(1);
        for (int i = 0; i < 100; i++) {
            connectAndClose(manager, one); // 20 in, 80 refused by the address's own rate
        }
        assertThat(manager.connectsOverRate()).isEqualTo(80);
        assertThat(manager.handshakesOverRate()).isZero();
        int accepted = 0;
        for (int i = 2; i < 100; i++) {
            if (connectAndClose(manager, address(i)) == null) {
                accepted++;
            }
        }
        assertThat(accepted).as("what the first address's 20 left of the burst of 50").isEqualTo(30);
    }

    @Test
    void loopbackIsExemptUnlessLimitedAndZeroTurnsTheTotalRateOff() throws Exception {
        PeerManager loopback = manager(PeerSettings.builder().inboundHandshakeRate(1).build());
        for (int i = 0; i < 10; i++) {
            assertThat(connectAndClose(loopback, InetAddress.getByName("127.0.0." + (i + 1)))).isNull();
        }
        PeerManager off = manager(PeerSettings.builder().inboundHandshakeRate(0).build());
        for (int i = 0; i < 1000; i++) {
            assertThat(connectAndClose(off, address(i))).isNull();
        }
        assertThat(off.handshakesOverRate()).isZero();
    }
}
