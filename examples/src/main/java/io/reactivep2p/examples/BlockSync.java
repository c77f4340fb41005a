package io.reactivep2p.examples;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Block sync by request-stream: a node fetches a range of blocks from one peer, then from
 * several at once, with memory bounded on both sides — the fetching subscriber's demand
 * ({@code limitRate}) crosses the wire as credits, so the serving node produces a block only
 * when the fetching one has asked for it, and neither holds more than a window of them.
 *
 * <pre>
 * ./mvnw -B -q -pl examples -am compile exec:java -Dexec.mainClass=io.reactivep2p.examples.BlockSync \
 *     -Dexec.args="10000 65536 3"          # blocks, block size, peers
 * </pre>
 *
 * <p>Prints, for one peer and then for all: time, throughput, and the peak of the heap left after
 * a collection, above what it was before (both sides are in this process), sampled every 10 ms.
 * Run it with a small heap ({@code -Xmx64m}) to see the bound: 625 MiB go through.
 */
public final class BlockSync {

    /** {@code GET_BLOCKS}: {@code u64 from}, {@code u64 to} (exclusive). */
    public static final MessageType GET_BLOCKS = MessageType.of(0xA0, "GET_BLOCKS");
    /** {@code BLOCK}: {@code u64 height}, then the block's bytes. */
    public static final MessageType BLOCK = MessageType.of(0xA1, "BLOCK_DATA");

    /** Blocks in flight per stream: the credits a fetcher gives at a time. */
    public static final int WINDOW = 32;

    private BlockSync() {
    }

    /** What a sync did. */
    public record Result(long blocks, long bytes, Duration time, long peakHeapAboveStart) {
        @Override
        public String toString() {
            double seconds = time.toNanos() / 1e9;
            return String.format(Locale.ROOT, "%,d blocks, %,.1f MiB in %.2f s (%.0f MiB/s), peak heap after GC +%,.1f MiB",
                    blocks, bytes / 1048576.0, seconds, bytes / 1048576.0 / seconds, peakHeapAboveStart / 1048576.0);
        }
    }

    /** The request for blocks {@code from} to {@code to} (exclusive). */
    public static Message getBlocks(long from, long to) {
        return Message.wrap(GET_BLOCKS, ByteBuffer.allocate(16).putLong(from).putLong(to).array());
    }

    /** Block {@code height}: its height, then {@code size − 8} bytes drawn from it. */
    public static Message block(long height, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(height).nextBytes(b);
        ByteBuffer.wrap(b).putLong(0, height);
        return Message.wrap(BLOCK, b);
    }

    /** A block's height. */
    public static long height(Message block) {
        return block.payload().getLong(0);
    }

    /** Serves every block height on request, {@code size} bytes each, as the requester's credits allow. */
    public static void serve(P2pNode node, int size) {
        node.handleStreams(GET_BLOCKS, (peer, request) -> {
            ByteBuffer r = request.payload();
            long from = r.getLong(0);
            long to = r.getLong(8);
            return Flux.<Message, Long>generate(() -> from, (h, sink) -> {
                if (h >= to) {
                    sink.complete();
                } else {
                    sink.next(block(h, size)); // made when asked for: a credit came for it
                }
                return h + 1;
            });
        });
    }

    /**
     * Fetches blocks {@code 0..blocks} from {@code peers}: the range cut into 100-block chunks
     * dealt to the peers in turn, at most one stream per peer at a time, each with
     * {@value #WINDOW} blocks of credit. Checks every block's height and bytes.
     */
    public static Mono<Long> fetch(List<Peer> peers, long blocks, int size) {
        long chunk = 100;
        List<Flux<Message>> perPeer = new ArrayList<>();
        for (int p = 0; p < peers.size(); p++) {
            Peer peer = peers.get(p);
            perPeer.add(Flux.fromStream(java.util.stream.LongStream.iterate(p * chunk, from -> from < blocks,
                            from -> from + peers.size() * chunk).boxed())
                    .concatMap(from -> peer.requestStream(getBlocks(from, Math.min(blocks, from + chunk)))
                            .limitRate(WINDOW)
                            .index()
                            .map(t -> {
                                Message m = t.getT2();
                                if (height(m) != from + t.getT1() || !m.equals(block(height(m), size))) {
                                    throw new IllegalStateException("block " + (from + t.getT1()) + " is wrong");
                                }
                                return m;
                            })));
        }
        return Flux.merge(perPeer).count();
    }

    /**
     * The heap in use after the last collection, over every heap pool: what survived it, not
     * the garbage since (heap in use between collections measures the allocation rate).
     */
    static long heapAfterLastGc() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }

    /** Runs {@code sync}, sampling the heap after the last collection every 10 ms. */
    static Result measured(long blocks, int size, Mono<Long> sync) {
        System.gc();
        long start = heapAfterLastGc();
        AtomicLong peak = new AtomicLong(start);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(heapAfterLastGc(), Math::max),
                0, 10, TimeUnit.MILLISECONDS);
        try {
            long t0 = System.nanoTime();
            Long got = sync.block(Duration.ofMinutes(30));
            Duration time = Duration.ofNanos(System.nanoTime() - t0);
            if (got == null || got != blocks) {
                throw new IllegalStateException("fetched " + got + " of " + blocks + " blocks");
            }
            return new Result(blocks, blocks * size, time, peak.get() - start);
        } finally {
            sampler.shutdownNow();
        }
    }

    public static void main(String[] args) {
        long blocks = args.length > 0 ? Long.parseLong(args[0]) : 10_000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64 * 1024;
        int servers = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<P2pNode> nodes = new ArrayList<>();
        try {
            List<Peer> peers = new ArrayList<>();
            // Small seen-caches (1 MiB, not 16): four nodes in one small heap, and sync is not gossip.
            NodeConfig.Builder config = NodeConfig.builder().listenHost("127.0.0.1").outboundTarget(0).seenCacheSize(1 << 16);
            P2pNode fetcher = P2pNode.create(config.build());
            nodes.add(fetcher);
            fetcher.start().block();
            for (int i = 0; i < servers; i++) {
                P2pNode server = P2pNode.create(config.build());
                nodes.add(server);
                serve(server, size);
                server.start().block();
                peers.add(fetcher.connect(server.address()).block(Duration.ofSeconds(10)));
            }
            System.out.println("warm-up: " + measured(1000, size, fetch(peers.subList(0, 1), 1000, size)));
            System.out.println("1 peer:  " + measured(blocks, size, fetch(peers.subList(0, 1), blocks, size)));
            System.out.println(servers + " peers: " + measured(blocks, size, fetch(peers, blocks, size)));
        } finally {
            nodes.forEach(P2pNode::close);
        }
    }
}
