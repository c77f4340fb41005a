package io.reactivep2p.examples.spring;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.mempool.MempoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The node's settings, {@code p2p.*}. A setting left unset keeps the library's default (see
 * {@link NodeConfig} and the repository README), so the defaults live in one place; the
 * {@link NodeConfig.Builder#build() library} validates every value as the node is created.
 *
 * @param host the address to listen on
 * @param port the port to listen on; 0 picks a free one
 * @param seeds nodes dialled on start, {@code host:port} each
 * @param maxPeers connected peers at most (library default 50)
 * @param maxInbound inbound peers at most (library default 25), within {@code maxPeers}
 * @param maxOutbound outbound peers at most (library default 25), within {@code maxPeers}
 * @param outboundTarget outbound peers the dialer keeps connected; 0 turns the dialer off
 *     (library default 8)
 * @param allowLocalAddresses whether the address book takes loopback and private addresses:
 *     needed for a network on one machine or a private LAN
 * @param addressBookFile where the address book is saved and loaded from, so a restarted node
 *     rejoins without seeds (library default: not persisted)
 * @param eventLoopThreads the node's event loop threads (library default: the processors)
 * @param mempool the transaction pool's limits
 */
@ConfigurationProperties("p2p")
public record P2pProperties(
        @DefaultValue("0.0.0.0") String host,
        @DefaultValue("3000") int port,
        @DefaultValue List<String> seeds,
        Integer maxPeers,
        Integer maxInbound,
        Integer maxOutbound,
        Integer outboundTarget,
        @DefaultValue("false") boolean allowLocalAddresses,
        Path addressBookFile,
        Integer eventLoopThreads,
        @DefaultValue Mempool mempool) {

    /**
     * The mempool's limits, {@code p2p.mempool.*}; unset ones keep the library's defaults.
     *
     * @param maxTransactions transactions pooled at most (library default 100,000)
     * @param maxBytes encoded bytes pooled at most, e.g. {@code 64MB} (library default 64 MiB)
     * @param minFeeRate the lowest gas price taken (library default 1)
     * @param maxPerSender transactions pooled per sender at most (library default 64)
     * @param ttl how long a transaction stays pooled at most, e.g. {@code 3h} (library default 3 h)
     */
    public record Mempool(Integer maxTransactions, DataSize maxBytes, Long minFeeRate, Integer maxPerSender,
                          Duration ttl) {

        MempoolConfig toMempoolConfig() {
            MempoolConfig.Builder b = MempoolConfig.builder();
            if (maxTransactions != null) {
                b.maxTransactions(maxTransactions);
            }
            if (maxBytes != null) {
                b.maxBytes(maxBytes.toBytes());
            }
            if (minFeeRate != null) {
                b.minFeeRate(minFeeRate);
            }
            if (maxPerSender != null) {
                b.maxPerSender(maxPerSender);
            }
            if (ttl != null) {
                b.ttl(ttl);
            }
            return b.build();
        }
    }

    /** A builder with these settings; the caller adds what is not a property (the meter registry). */
    NodeConfig.Builder toNodeConfig() {
        NodeConfig.Builder b = NodeConfig.builder()
                .listenHost(host)
                .listenPort(port)
                .seeds(seeds.toArray(String[]::new))
                .allowLocalAddresses(allowLocalAddresses)
                .mempool(mempool.toMempoolConfig());
        if (maxPeers != null) {
            b.maxPeers(maxPeers);
        }
        if (maxInbound != null) {
            b.maxInbound(maxInbound);
        }
        if (maxOutbound != null) {
            b.maxOutbound(maxOutbound);
        }
        if (outboundTarget != null) {
            b.outboundTarget(outboundTarget);
        }
        if (addressBookFile != null) {
            b.addressBookFile(addressBookFile);
        }
        if (eventLoopThreads != null) {
            b.eventLoopThreads(eventLoopThreads);
        }
        return b;
    }
}
