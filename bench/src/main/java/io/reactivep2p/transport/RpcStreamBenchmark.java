package io.reactivep2p.transport;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Flux;

/**
 * Throughput of a stream of items between two nodes on loopback, two ways: a request-stream
 * ({@code peer.requestStream}: the client asks, the server's stream handler answers as the
 * client's demand arrives as credits), and the server pushing the same items with
 * {@code peer.send(Publisher)} (backpressure from the socket only). The items are one
 * random-payload message sent again and again (no per-item generation); LZ4 off.
 *
 * <p>Used by {@link NetworkHarness}'s {@code rpc} section.
 */
final class RpcStreamBenchmark {

    static final MessageType GET = MessageType.of(0x83, "GET_ITEMS");
    static final MessageType ITEM = MessageType.of(0x84, "ITEM");

    private RpcStreamBenchmark() {
    }

    private static NodeConfig.Builder config(boolean secure) {
        return NodeConfig.builder().plaintext(!secure).listenHost("127.0.0.1").eventLoopThreads(1).outboundTarget(0)
                .lz4(false).directTypes(ITEM);
    }

    private static Message item(int size) {
        byte[] payload = new byte[size];
        new SplittableRandom(size).nextBytes(payload);
        return Message.wrap(ITEM, payload);
    }

    /** {@code bytes} of {@code size}-byte items by request-stream, the subscriber's demand unbounded; Gbit/s. */
    static double requestStream(long bytes, int size, boolean secure) {
        long count = bytes / size;
        Message item = item(size);
        try (P2pNode server = P2pNode.create(config(secure).build());
             P2pNode client = P2pNode.create(config(secure).build())) {
            server.handleStreams(GET, (peer, request) -> Flux.range(0, (int) count).map(i -> item));
            server.start().block();
            client.start().block();
            Peer peer = client.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()))
                    .block(Duration.ofSeconds(10));
            long start = System.nanoTime();
            Long received = peer.requestStream(Message.empty(GET), Duration.ofMinutes(1))
                    .reduce(0L, (sum, m) -> sum + m.payloadLength())
                    .block(Duration.ofMinutes(10));
            long nanos = System.nanoTime() - start;
            if (received == null || received != count * size) {
                throw new IllegalStateException("received " + received + " of " + count * size + " bytes");
            }
            return received * 8.0 / nanos;
        }
    }

    /** The same items pushed by the server with {@code peer.send(Publisher)}, read by the client's subscriber; Gbit/s. */
    static double send(long bytes, int size, boolean secure) throws InterruptedException {
        long count = bytes / size;
        Message item = item(size);
        try (P2pNode server = P2pNode.create(config(secure).build());
             P2pNode client = P2pNode.create(config(secure).build())) {
            AtomicLong received = new AtomicLong();
            CountDownLatch done = new CountDownLatch(1);
            client.messages(ITEM).subscribe(m -> {
                if (received.addAndGet(m.message().payloadLength()) == count * size) {
                    done.countDown();
                }
            });
            server.start().block();
            client.start().block();
            client.connect(new InetSocketAddress("127.0.0.1", server.address().getPort())).block(Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.peers().isEmpty()) { // the server admits the client a moment after the client's dial completes
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server did not admit the client");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            Peer toClient = server.peers().iterator().next();
            long start = System.nanoTime();
            toClient.send(Flux.range(0, (int) count).map(i -> item)).subscribe();
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("received " + received.get() + " of " + count * size + " bytes");
            }
            return received.get() * 8.0 / (System.nanoTime() - start);
        }
    }
}
