package io.reactivep2p;

import io.reactivep2p.discovery.AddressBook;
import io.reactivep2p.protocol.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The nodes of the fault tests: their configuration, and a {@code main} that runs some of them
 * in a JVM of their own, so that a test can kill them abruptly ({@code SIGKILL}: the kernel
 * closes their sockets, nobody sends a DISCONNECT).
 *
 * <p>{@code main(host, port,port,..., seed...)} starts a node on {@code host} at each port,
 * prints {@code READY}, and exits when its standard input closes (the parent test has gone).
 */
final class FaultNodes {

    static final MessageType APP = MessageType.of(0x80, "APP");
    static final int OUTBOUND_TARGET = 6;

    private FaultNodes() {
    }

    /**
     * Quick to notice a dead or silent peer and to dial again: PINGs every second (4 missed: a
     * timeout; 30 nodes in one JVM with paranoid leak detection, on a busy 2-core machine,
     * can leave a PONG unread for a second or two), a 1 s handshake and connect timeout, the dialer every 200 ms, backoff 100 ms to
     * 1 s, loopback addresses allowed in the book.
     */
    static NodeConfig.Builder config(String host, int port, List<InetSocketAddress> seeds) {
        AddressBook.Settings d = AddressBook.Settings.defaults();
        return NodeConfig.builder()
                .listenHost(host).listenPort(port).seeds(seeds)
                .eventLoopThreads(1).seenCacheSize(1 << 16)
                .outboundTarget(OUTBOUND_TARGET)
                .addressBook(new AddressBook.Settings(d.newBuckets(), d.triedBuckets(), d.bucketSize(),
                        d.bucketsPerSourceGroup(), true, Duration.ofMillis(100), Duration.ofSeconds(1)))
                .dialInterval(Duration.ofMillis(200))
                .peerExchangeInterval(Duration.ofSeconds(2))
                .handshakeTimeout(Duration.ofSeconds(1))
                .pingInterval(Duration.ofSeconds(1)).maxMissedPongs(4)
                .outboundRotation(Duration.ZERO);
    }

    public static void main(String[] args) throws IOException {
        String host = args[0];
        List<InetSocketAddress> seeds = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] hp = args[i].split(":");
            seeds.add(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
        }
        List<P2pNode> nodes = new ArrayList<>();
        for (String port : args[1].split(",")) {
            P2pNode node = P2pNode.create(config(host, Integer.parseInt(port), seeds).build());
            node.start().block(Duration.ofSeconds(10));
            nodes.add(node);
        }
        System.out.println("READY");
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // until the parent closes our input
        }
        nodes.forEach(P2pNode::close);
    }
}
