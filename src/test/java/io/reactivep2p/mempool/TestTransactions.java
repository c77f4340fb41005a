package io.reactivep2p.mempool;

import java.nio.ByteBuffer;

/** Transactions for tests: a sender number, a nonce and a gas price are all that differ. */
public final class TestTransactions {

    private TestTransactions() {
    }

    /** The address whose last 4 bytes are {@code n}. */
    public static Address address(int n) {
        return Address.of(ByteBuffer.allocate(Address.LENGTH).putInt(Address.LENGTH - 4, n).array());
    }

    /** A builder of a transaction from sender {@code sender} to address 0. */
    public static Transaction.Builder builder(int sender, long nonce, long gasPrice) {
        return Transaction.builder().from(address(sender)).to(address(0)).nonce(nonce).gasPrice(gasPrice)
                .gasLimit(21_000);
    }

    /** A transaction from sender {@code sender} with this nonce and gas price. */
    public static Transaction tx(int sender, long nonce, long gasPrice) {
        return builder(sender, nonce, gasPrice).build();
    }

    /** A transaction with {@code dataBytes} bytes of data. */
    public static Transaction tx(int sender, long nonce, long gasPrice, int dataBytes) {
        return builder(sender, nonce, gasPrice).data(new byte[dataBytes]).build();
    }
}
