package io.reactivep2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.discovery.AddressBook;
import io.reactivep2p.discovery.DiscoverySettings;
import io.reactivep2p.gossip.GossipSettings;
import io.reactivep2p.peer.PeerSettings;
import io.reactivep2p.protocol.FrameFormat;
import io.reactivep2p.protocol.FrameSettings;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.runtime.NodeRuntime;
import io.reactivep2p.runtime.Transport;
import io.reactivep2p.transport.FlushPolicy;
import io.reactivep2p.transport.TransportSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The node's configuration: each concern's settings, composed, with one builder. */
class NodeConfigTest {

    private static final MessageType APP = MessageType.of(0x80, "APP");

    @Test
    void theDefaultsAreEachGroupsOwnDefaults() {
        NodeConfig defaults = NodeConfig.builder().build();
        assertThat(defaults.peer()).isEqualTo(PeerSettings.defaults());
        assertThat(defaults.transport()).isEqualTo(TransportSettings.defaults());
        assertThat(defaults.gossip()).isEqualTo(GossipSettings.defaults());
        assertThat(defaults.discovery()).isEqualTo(DiscoverySettings.defaults());
        // the secure channel by default: its inner frames
        assertThat(defaults.plaintext()).isFalse();
        assertThat(defaults.frameSettings()).isEqualTo(FrameSettings.defaults().withFormat(FrameFormat.INNER));
        assertThat(NodeConfig.builder().plaintext(true).build().frameSettings()).isEqualTo(FrameSettings.defaults());
        assertThat(defaults.nodeId()).isEqualTo(defaults.identity().id());
        assertThat(NodeConfig.builder().build().nodeId()).as("a new identity per configuration").isNotEqualTo(defaults.nodeId());
        assertThat(defaults.toBuilder().build().identity()).as("kept by toBuilder").isEqualTo(defaults.identity());
        assertThat(defaults.runtime()).isSameAs(NodeRuntime.system());

        PeerSettings peer = defaults.peer();
        assertThat(peer.maxPeers()).isEqualTo(50);
        assertThat(peer.maxInbound()).isEqualTo(25);
        assertThat(peer.maxOutbound()).isEqualTo(25);
        assertThat(peer.maxInboundPerIp()).isEqualTo(4);
        assertThat(peer.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(peer.readIdleTimeout()).isEqualTo(Duration.ofSeconds(60)); // 15 s × (3 + 1)
        assertThat(peer.banThreshold()).isEqualTo(100);
        TransportSettings transport = defaults.transport();
        assertThat(transport.outboundQueueBytes()).isEqualTo(8 << 20);
        assertThat(transport.flushPolicy()).isEqualTo(FlushPolicy.COALESCE);
        assertThat(transport.writeBufferHighWaterMark()).isEqualTo(64 << 10);
        assertThat(transport.eventLoopThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        GossipSettings gossip = defaults.gossip();
        assertThat(gossip.seenCacheSize()).isEqualTo(1 << 20);
        assertThat(gossip.gossipRate()).isEqualTo(5_000);
        assertThat(gossip.largeMessageThreshold()).isEqualTo(16 << 10);
        assertThat(gossip.directTypes()).isEmpty();
        DiscoverySettings discovery = defaults.discovery();
        assertThat(discovery.outboundTarget()).isEqualTo(8);
        assertThat(discovery.outboundRotation()).isEqualTo(Duration.ofMinutes(5));
        assertThat(discovery.addressBookFile()).isEmpty();
        assertThat(discovery.addressBook()).isEqualTo(AddressBook.Settings.defaults());
    }

    @Test
    void flatSettersAndGroupSettersSetTheSameSettings() {
        NodeConfig flat = NodeConfig.builder()
                .maxPeers(10).maxInbound(5).maxOutbound(5).maxInboundPerIp(1).limitLoopback(true)
                .handshakeTimeout(Duration.ofSeconds(2)).pingInterval(Duration.ofSeconds(3)).maxMissedPongs(2)
                .slowPeerTimeout(Duration.ofSeconds(4)).banThreshold(10).banDuration(Duration.ofMinutes(1)).maxBans(7)
                .eventLoopThreads(1).outboundQueueBytes(5 << 20).outboundQueueMessages(99)
                .flushPolicy(FlushPolicy.EACH_MESSAGE).flushDelay(Duration.ofMillis(3)).writeBufferHighWaterMark(2048)
                .seenCacheSize(1024).seenCacheTtl(Duration.ofMinutes(3)).relayFanout(4).gossipRate(10)
                .directTypes(APP).largeMessageThreshold(100).announceCacheBytes(1000)
                .seeds("10.0.0.1:3000").outboundTarget(3).allowLocalAddresses(true).addressBookFile(Path.of("book"))
                .peerExchangeInterval(Duration.ofMinutes(1)).dialInterval(Duration.ofSeconds(2))
                .outboundRotation(Duration.ZERO)
                .build();
        NodeConfig grouped = NodeConfig.builder()
                .peer(p -> p.maxPeers(10).maxInbound(5).maxOutbound(5).maxInboundPerIp(1).limitLoopback(true)
                        .handshakeTimeout(Duration.ofSeconds(2)).pingInterval(Duration.ofSeconds(3)).maxMissedPongs(2)
                        .slowPeerTimeout(Duration.ofSeconds(4)).banThreshold(10).banDuration(Duration.ofMinutes(1))
                        .maxBans(7))
                .transport(t -> t.eventLoopThreads(1).outboundQueueBytes(5 << 20).outboundQueueMessages(99)
                        .flushPolicy(FlushPolicy.EACH_MESSAGE).flushDelay(Duration.ofMillis(3))
                        .writeBufferHighWaterMark(2048))
                .gossip(g -> g.seenCacheSize(1024).seenCacheTtl(Duration.ofMinutes(3)).relayFanout(4).gossipRate(10)
                        .directTypes(APP).largeMessageThreshold(100).announceCacheBytes(1000))
                .discovery(d -> d.seeds("10.0.0.1:3000").outboundTarget(3).allowLocalAddresses(true)
                        .addressBookFile(Path.of("book")).peerExchangeInterval(Duration.ofMinutes(1))
                        .dialInterval(Duration.ofSeconds(2)).outboundRotation(Duration.ZERO))
                .build();
        assertThat(grouped.peer()).isEqualTo(flat.peer());
        assertThat(grouped.transport()).isEqualTo(flat.transport());
        assertThat(grouped.gossip()).isEqualTo(flat.gossip());
        assertThat(grouped.discovery()).isEqualTo(flat.discovery());
        assertThat(flat.peer().readIdleTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(flat.gossip().isDirect(APP)).isTrue();
        assertThat(flat.discovery().addressBook().allowLocal()).isTrue();

        NodeConfig copy = flat.toBuilder().build();
        assertThat(copy.nodeId()).isEqualTo(flat.nodeId());
        assertThat(copy.peer()).isEqualTo(flat.peer());
        assertThat(copy.transport()).isEqualTo(flat.transport());
        assertThat(copy.gossip()).isEqualTo(flat.gossip());
        assertThat(copy.discovery()).isEqualTo(flat.discovery());
    }

    @Test
    void wholeGroupsReplaceAndTheRuntimeIsKept() {
        PeerSettings peer = PeerSettings.builder().maxPeers(3).build();
        NodeRuntime memory = NodeRuntime.builder().transport(Transport.inMemory()).build();
        NodeConfig config = NodeConfig.builder().maxPeers(99).peer(peer).runtime(memory).build();
        assertThat(config.peer()).isEqualTo(peer);
        assertThat(config.toBuilder().build().runtime()).isSameAs(memory);
        assertThat(PeerSettings.defaults().toBuilder().build()).isEqualTo(PeerSettings.defaults());
        assertThat(GossipSettings.defaults().toBuilder().build()).isEqualTo(GossipSettings.defaults());
        assertThat(DiscoverySettings.defaults().toBuilder().build()).isEqualTo(DiscoverySettings.defaults());
        assertThat(TransportSettings.defaults().toBuilder().build()).isEqualTo(TransportSettings.defaults());
    }

    @Test
    void theOutboundTargetIsCappedAtMaxOutbound() {
        assertThat(NodeConfig.builder().maxOutbound(4).outboundTarget(8).build().discovery().outboundTarget())
                .isEqualTo(4);
        assertThat(NodeConfig.builder().maxOutbound(4).outboundTarget(2).build().discovery().outboundTarget())
                .isEqualTo(2);
    }

    @Test
    void anExplicitReadIdleTimeoutIsKeptAndTheDerivedOneFollowsTheKeepalive() {
        assertThat(PeerSettings.builder().readIdleTimeout(Duration.ofSeconds(7)).pingInterval(Duration.ofSeconds(1))
                .build().readIdleTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(PeerSettings.builder().pingInterval(Duration.ofSeconds(1)).maxMissedPongs(9).build()
                .readIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("listenPort", b -> b.listenPort(70_000)),
                bad("maxPeers", b -> b.maxPeers(0)),
                bad("maxInbound", b -> b.maxInbound(-1)),
                bad("maxOutbound", b -> b.maxOutbound(-1)),
                bad("maxInboundPerIp", b -> b.maxInboundPerIp(0)),
                bad("handshakeTimeout", b -> b.handshakeTimeout(Duration.ZERO)),
                bad("pingInterval", b -> b.pingInterval(Duration.ofSeconds(-1))),
                bad("maxMissedPongs", b -> b.maxMissedPongs(0)),
                bad("readIdleTimeout", b -> b.readIdleTimeout(Duration.ZERO)),
                bad("slowPeerTimeout", b -> b.slowPeerTimeout(Duration.ZERO)),
                bad("banThreshold", b -> b.banThreshold(0)),
                bad("banDuration", b -> b.banDuration(Duration.ZERO)),
                bad("maxBans", b -> b.maxBans(0)),
                bad("inboundConnectRate", b -> b.inboundConnectRate(-1)),
                bad("inboundHandshakeRate", b -> b.inboundHandshakeRate(-1)),
                bad("eventLoopThreads", b -> b.eventLoopThreads(0)),
                bad("outboundQueueBytes", b -> b.outboundQueueBytes(1 << 20)), // below the largest message
                bad("outboundQueueMessages", b -> b.outboundQueueMessages(0)),
                bad("flushDelay", b -> b.flushDelay(Duration.ofSeconds(2))),
                bad("writeBufferHighWaterMark", b -> b.writeBufferHighWaterMark(512)),
                bad("seenCacheSize", b -> b.seenCacheSize(1)),
                bad("seenCacheTtl", b -> b.seenCacheTtl(Duration.ZERO)),
                bad("relayFanout", b -> b.relayFanout(-1)),
                bad("gossipRate", b -> b.gossipRate(-1)),
                bad("largeMessageThreshold", b -> b.largeMessageThreshold(0)),
                bad("announceCacheBytes", b -> b.announceCacheBytes(-1)),
                bad("outboundTarget", b -> b.outboundTarget(-1)),
                bad("peerExchangeInterval", b -> b.peerExchangeInterval(Duration.ZERO)),
                bad("dialInterval", b -> b.dialInterval(Duration.ZERO)),
                bad("outboundRotation", b -> b.outboundRotation(Duration.ofNanos(10))),
                bad("userAgent", b -> b.userAgent("x".repeat(257))),
                bad("status", b -> b.status(new byte[4097])),
                bad("subscriberBufferSize", b -> b.subscriberBufferSize(0)),
                bad("subscriberBufferBytes", b -> b.subscriberBufferBytes(1024)),
                bad("control type", b -> b.directTypes(MessageType.MsgPing)));
    }

    private static Arguments bad(String field, UnaryOperator<NodeConfig.Builder> change) {
        return Arguments.of(field, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void everyInvalidValueIsRefusedNamingItsField(String field, UnaryOperator<NodeConfig.Builder> change) {
        assertThatThrownBy(() -> change.apply(NodeConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(field);
    }
}
