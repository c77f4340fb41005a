package io.reactivep2p.transport;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * The server side of the idle-peer heap measurement, in a JVM of its own so that its heap holds
 * nothing of the clients: a node ({@code p2p}) or a bare Reactor Netty TCP server with no
 * protocol ({@code raw}) on one event loop. It prints {@code port <n>}, then answers each line
 * {@code heap} on stdin with {@code heap <bytes used after GC> peers <connections>}, and exits
 * on {@code exit} or end of input.
 */
public final class IdlePeerServer {

    private IdlePeerServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean p2p = args[0].startsWith("p2p"); // p2p: plaintext (v1); p2p-secure: the secure channel (v2)
        AtomicInteger rawConnections = new AtomicInteger();
        P2pNode node = null;
        DisposableServer raw = null;
        LoopResources loops = null;
        int port;
        if (p2p) {
            node = P2pNode.create(NodeConfig.builder().plaintext(!args[0].equals("p2p-secure")).listenHost("127.0.0.1").eventLoopThreads(1).outboundTarget(0)
                    .maxPeers(10_000).maxInbound(10_000).build());
            node.start().block();
            port = node.address().getPort();
        } else {
            loops = LoopResources.create("raw-idle", 1, 1, true);
            raw = TcpServer.create().runOn(loops).host("127.0.0.1").port(0)
                    .doOnConnection(c -> {
                        rawConnections.incrementAndGet();
                        c.onDispose(rawConnections::decrementAndGet);
                    })
                    .handle((in, out) -> in.receive().then())
                    .bindNow();
            port = raw.port();
        }
        System.out.println("port " + port);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
            if (line.equals("heap")) {
                int peers = p2p ? node.peers().size() : rawConnections.get();
                System.out.println("heap " + heapAfterGc() + " peers " + peers);
            }
        }
        if (node != null) {
            node.close();
        }
        if (raw != null) {
            raw.disposeNow();
            loops.disposeLater().block();
        }
    }

    /** Heap in use after full collections, once it no longer shrinks. */
    static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(100); // lets reference processing and cleaners finish between collections
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return used;
            }
            used = now;
        }
        return used;
    }
}
