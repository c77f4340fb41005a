package io.reactivep2p.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TcpTransportTest {

    @Test
    void anIpLiteralIsDialledWithoutALookup_aHostNameIsLeftToTheResolver() throws Exception {
        InetSocketAddress v4 = TcpTransport.literal(InetSocketAddress.createUnresolved("127.0.0.1", 4001));
        assertThat(v4.isUnresolved()).isFalse();
        assertThat(v4.getAddress()).isEqualTo(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        assertThat(v4.getPort()).isEqualTo(4001);

        InetSocketAddress v6 = TcpTransport.literal(InetSocketAddress.createUnresolved("::1", 4002));
        assertThat(v6.isUnresolved()).isFalse();
        assertThat(v6.getAddress().isLoopbackAddress()).isTrue();

        InetSocketAddress name = InetSocketAddress.createUnresolved("seed.example", 4003);
        assertThat(TcpTransport.literal(name)).isSameAs(name);
        InetSocketAddress resolved = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4004);
        assertThat(TcpTransport.literal(resolved)).isSameAs(resolved);
    }
}
