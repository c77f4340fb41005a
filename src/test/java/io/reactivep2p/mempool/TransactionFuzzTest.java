package io.reactivep2p.mempool;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;

/**
 * Fuzz test of the transaction codec: any TX payload either decodes or fails with a
 * {@link ProtocolException}; what decodes keeps its bytes as its encoding, re-decodes to an
 * equal transaction, its derived values (id, size, fee rate, data) can be read, and its fields
 * build the same bytes again.
 *
 * <p>Regression inputs: {@code src/test/resources/io/reactivep2p/mempool/TransactionFuzzTestInputs/transactions/}.
 * To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -B -pl src test -Dtest=TransactionFuzzTest}.
 */
class TransactionFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void transactions(byte[] payload) {
        Transaction tx;
        try {
            tx = Transaction.decode(Message.wrap(MessageType.MsgTx, payload));
        } catch (ProtocolException e) {
            assertThat(e.kind()).isNotNull();
            return;
        }
        assertThat(tx.encode()).isEqualTo(payload);
        assertThat(Transaction.decode(tx.toMessage())).isEqualTo(tx);
        assertThat(tx.size()).isEqualTo(payload.length);
        assertThat(tx.data()).hasSize(tx.dataLength());
        assertThat(tx.id()).isEqualTo(Transaction.decode(Message.of(MessageType.MsgTx, payload)).id());
        assertThat(tx.feeRate()).isEqualTo(tx.gasPrice());
        // The fields read from the encoding when asked (to, value, gas limit, timestamp) and those
        // decoded at once build the same bytes again: every accessor reads its own offset.
        Transaction rebuilt = Transaction.builder().from(tx.from()).to(tx.to()).value(tx.value()).nonce(tx.nonce())
                .gasPrice(tx.gasPrice()).gasLimit(tx.gasLimit()).timestamp(tx.timestamp()).data(tx.data()).build();
        assertThat(rebuilt.encode()).isEqualTo(payload);
        assertThat(rebuilt.id()).isEqualTo(tx.id());
    }
}
