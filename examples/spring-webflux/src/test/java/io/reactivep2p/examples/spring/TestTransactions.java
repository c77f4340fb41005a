package io.reactivep2p.examples.spring;

import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.Transaction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Transactions for tests, each from a sender no other test uses (the tests share one node and
 * so one pool), and their {@code POST /tx} bodies.
 */
final class TestTransactions {

    /** Fixed, so that a body and its {@link Transaction} have the same id. */
    static final long TIMESTAMP = 1_700_000_000_000L;
    static final String TO = "22".repeat(Address.LENGTH);

    private static final AtomicInteger SENDERS = new AtomicInteger();

    private TestTransactions() {
    }

    /** A sender address no other call returned, 40 hex digits. */
    static String newSender() {
        return String.format("%040x", 0x1000 + SENDERS.incrementAndGet());
    }

    /** The body of {@code POST /tx}. */
    static Map<String, Object> body(String from, long nonce, long gasPrice) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", "0x" + from);
        body.put("to", TO);
        body.put("value", 1_000);
        body.put("nonce", nonce);
        body.put("gasPrice", gasPrice);
        body.put("gasLimit", 21_000);
        body.put("timestamp", TIMESTAMP);
        body.put("data", "0xcafe");
        return body;
    }

    /** The transaction {@link #body} describes. */
    static Transaction tx(String from, long nonce, long gasPrice) {
        return Transaction.builder()
                .from(Address.fromHex(from)).to(Address.fromHex(TO))
                .value(1_000).nonce(nonce).gasPrice(gasPrice).gasLimit(21_000).timestamp(TIMESTAMP)
                .data(new byte[] {(byte) 0xca, (byte) 0xfe})
                .build();
    }
}
