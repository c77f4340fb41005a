package io.reactivep2p.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.reactivep2p.protocol.DisconnectReason;
import io.reactivep2p.protocol.Hello;
import io.reactivep2p.protocol.NodeId;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.transport.OutboundQueue;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.Connection;

/**
 * A second connection claiming a connected node id: the simultaneous-dial tie-break applies
 * only within the handshake timeout of the first admission; afterwards the connection there
 * is kept, so a stranger claiming an outbound peer's id cannot displace it.
 */
class PeerManagerDuplicateTest {

    private static final NodeId HIGH = id((byte) 0xFF);
    private static final NodeId LOW = id((byte) 0x01);

    private final MockTicker ticker = Ticker.newMockTicker();
    private final PeerSettings settings = PeerSettings.builder().handshakeTimeout(Duration.ofSeconds(5)).build();
    private final PeerManager manager = new PeerManager(HIGH, 42L, settings, NodeRuntime.builder().ticker(ticker).build());
    private final EmbeddedChannel first = new EmbeddedChannel();
    private final EmbeddedChannel second = new EmbeddedChannel();

    @AfterEach
    void close() {
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    private static NodeId id(byte fill) {
        byte[] b = new byte[32];
        Arrays.fill(b, fill);
        return NodeId.of(b);
    }

    private static Peer peer(EmbeddedChannel channel, NodeId id, Direction direction) {
        Hello hello = new Hello(Hello.VERSION, id, 3000, 7, 0, 0, "test", new byte[0]);
        return new Peer(Connection.from(channel), new InetSocketAddress(InetAddress.getLoopbackAddress(), 3000),
                direction, hello, new OutboundQueue(channel, 1 << 20, 1024), 1 << 20, false);
    }

    @Test
    void withinTheHandshakeTimeoutTheConnectionDialledByTheLowerIdReplacesTheOther() {
        Peer outbound = peer(first, LOW, Direction.OUTBOUND); // we (HIGH) dialled LOW
        assertThat(manager.admit(outbound, 1).accepted()).isTrue();
        ticker.advance(4, TimeUnit.SECONDS);
        Peer inbound = peer(second, LOW, Direction.INBOUND); // LOW dialled us: LOW is the lower id
        PeerManager.Admission admission = manager.admit(inbound, 1);
        assertThat(admission.accepted()).isTrue();
        assertThat(admission.replaced()).isSameAs(outbound);
        assertThat(manager.peer(LOW)).isSameAs(inbound);
    }

    @Test
    void pastTheHandshakeTimeoutAConnectedIdIsNotReplacedButTheNewcomerRefused() {
        Peer outbound = peer(first, LOW, Direction.OUTBOUND);
        assertThat(manager.admit(outbound, 1).accepted()).isTrue();
        ticker.advance(6, TimeUnit.SECONDS);
        Peer impostor = peer(second, LOW, Direction.INBOUND);
        PeerManager.Admission admission = manager.admit(impostor, 1);
        assertThat(admission.refusal()).isEqualTo(DisconnectReason.DUPLICATE_CONNECTION);
        assertThat(manager.peer(LOW)).isSameAs(outbound);
        assertThat(manager.outboundCount()).isEqualTo(1);
        assertThat(manager.inboundCount()).isZero();
    }
}
