package io.reactivep2p.examples;

import static io.reactivep2p.protocol.MessageType.MsgTx;

import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.AddResult;
import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.PeerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two nodes in one process: Alice dials Bob, submits a transaction to her pool, and Bob's node
 * receives it by gossip, delivers it to his subscriber and pools it.
 *
 * <pre>
 * ./mvnw -B -q -pl examples -am compile exec:java -Dexec.mainClass=io.reactivep2p.examples.EmbeddingExample
 * </pre>
 */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    public static void main(String[] args) {
        NodeConfig.Builder loopback = NodeConfig.builder().listenHost("127.0.0.1"); // any free port
        try (P2pNode alice = P2pNode.create(loopback.build());
             P2pNode bob = P2pNode.create(loopback.build())) {
            // Hot streams: subscribe before the message can arrive. Callbacks run on Bob's event
            // loop: keep them short, or publishOn another scheduler.
            CompletableFuture<PeerMessage> received = bob.messages(MsgTx).next().toFuture();

            bob.start().block();
            alice.start().block();
            alice.connect(bob.address()).block(Duration.ofSeconds(5)); // dial and handshake
            System.out.println("alice " + alice.id().shortHex() + " connected to bob " + bob.id().shortHex()
                    + " at " + bob.address());

            Transaction tx = Transaction.builder()
                    .from(Address.fromHex("00112233445566778899aabbccddeeff00112233"))
                    .to(Address.fromHex("ffeeddccbbaa99887766554433221100ffeeddcc"))
                    .value(1_000)
                    .nonce(0)
                    .gasPrice(20)
                    .gasLimit(21_000)
                    .timestamp(System.currentTimeMillis())
                    .data("hello, bob".getBytes(StandardCharsets.UTF_8))
                    .build();
            AddResult result = alice.submit(tx).block(); // into Alice's pool, then gossiped
            System.out.println("alice submitted " + tx.id() + ": " + result);

            PeerMessage pm = received.orTimeout(5, TimeUnit.SECONDS).join();
            Transaction got = Transaction.decode(pm.message());
            System.out.println("bob received " + got.id() + " from " + pm.peer().id().shortHex()
                    + ", data \"" + new String(got.data(), StandardCharsets.UTF_8) + "\"");
            System.out.println("bob's pool holds " + bob.mempool().size() + " transaction(s); best: "
                    + bob.mempool().top(1).get(0).id());
        } // close(): DISCONNECT to the peer, then everything is released
    }
}
