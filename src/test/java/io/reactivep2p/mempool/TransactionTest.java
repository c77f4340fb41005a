package io.reactivep2p.mempool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;
import io.reactivep2p.testing.WireBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TransactionTest {

    /** The example of docs/protocol.md §4.5, computed independently of this code. */
    static final String FRAME = "5032503120000000005610933002"
            + "1111111111111111111111111111111111111111" + "2222222222222222222222222222222222222222"
            + "00000000000003e8" + "0000000000000007" + "0000000000000014" + "0000000000005208"
            + "0000018bcfe56800" + "00000002" + "6869";
    static final String ID = "e3358d750c11bcfe8bb4c278a9e29c00d71ef6073281e91ee2365c3edffcb62d";

    static Transaction example() {
        return Transaction.builder()
                .from(Address.fromHex("11".repeat(20))).to(Address.fromHex("0x" + "22".repeat(20)))
                .value(1000).nonce(7).gasPrice(20).gasLimit(21_000).timestamp(1_700_000_000_000L)
                .data("hi".getBytes(StandardCharsets.US_ASCII))
                .build();
    }

    @Test
    void encodesTheDocumentedExampleByteForByte() {
        Transaction tx = example();
        assertThat(HexFormat.of().formatHex(WireBytes.frame(tx.toMessage()))).isEqualTo(FRAME);
        assertThat(tx.id()).isEqualTo(TxId.fromHex(ID));
        assertThat(tx.size()).isEqualTo(86);
    }

    @Test
    void decodesTheDocumentedExample() {
        byte[] payload = HexFormat.of().parseHex(FRAME.substring(28));
        Transaction tx = Transaction.decode(Message.of(MessageType.MsgTx, payload));
        assertThat(tx).isEqualTo(example());
        assertThat(tx.id().toHex()).isEqualTo(ID);
        assertThat(tx.from()).isEqualTo(Address.fromHex("11".repeat(20)));
        assertThat(tx.to()).isEqualTo(Address.fromHex("22".repeat(20)));
        assertThat(tx.value()).isEqualTo(1000);
        assertThat(tx.nonce()).isEqualTo(7);
        assertThat(tx.gasPrice()).isEqualTo(20).isEqualTo(tx.feeRate());
        assertThat(tx.gasLimit()).isEqualTo(21_000);
        assertThat(tx.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(tx.data()).containsExactly('h', 'i');
        assertThat(tx.sender()).isEqualTo(tx.from());
        assertThat(tx.encode()).isEqualTo(payload);
    }

    @Test
    void idIsTheSha256OfTheEncoding() throws Exception {
        Transaction tx = example();
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(tx.encode());
        assertThat(tx.id().toBytes()).isEqualTo(sha);
    }

    @Test
    void unsignedFieldsRoundTrip() {
        Transaction tx = Transaction.builder().from(Address.of(new byte[20])).to(Address.of(new byte[20]))
                .value(-1).nonce(Long.MIN_VALUE).gasPrice(-2).gasLimit(-3).timestamp(-4).build();
        Transaction back = Transaction.decode(Message.of(MessageType.MsgTx, tx.encode()));
        assertThat(back.value()).isEqualTo(-1);
        assertThat(back.nonce()).isEqualTo(Long.MIN_VALUE);
        assertThat(Long.toUnsignedString(back.gasPrice())).isEqualTo("18446744073709551614");
        assertThat(back.toString()).contains("gasPrice 18446744073709551614");
    }

    @Test
    void everyTruncationIsMalformed() {
        byte[] payload = example().encode();
        for (int n = 0; n < payload.length; n++) {
            Message cut = Message.of(MessageType.MsgTx, Arrays.copyOf(payload, n));
            assertThatThrownBy(() -> Transaction.decode(cut)).as("cut to %d bytes", n)
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.MALFORMED_PAYLOAD));
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] payload = Arrays.copyOf(example().encode(), 87);
        assertThatThrownBy(() -> Transaction.decode(Message.of(MessageType.MsgTx, payload)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.MALFORMED_PAYLOAD));
    }

    @Test
    void dataLengthAboveTheLimitIsRefusedBeforeAnythingIsRead() {
        // The fixed fields and a declared length of 2^32 - 1 with no data: refused by the limit,
        // never by an allocation of 4 GiB.
        byte[] payload = new byte[Transaction.FIXED_LENGTH];
        ByteBuffer.wrap(payload).putInt(Transaction.FIXED_LENGTH - 4, -1);
        assertThatThrownBy(() -> Transaction.decode(Message.of(MessageType.MsgTx, payload)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.LIMIT_EXCEEDED));
        // One byte over the limit, with the bytes present, is refused too.
        byte[] over = new byte[Transaction.MAX_ENCODED_LENGTH + 1];
        ByteBuffer.wrap(over).putInt(Transaction.FIXED_LENGTH - 4, Transaction.MAX_DATA_BYTES + 1);
        assertThatThrownBy(() -> Transaction.decode(Message.of(MessageType.MsgTx, over)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProtocolException.Kind.LIMIT_EXCEEDED));
    }

    @Test
    void theLargestTransactionDecodes() {
        Transaction tx = TestTransactions.builder(1, 0, 5).data(new byte[Transaction.MAX_DATA_BYTES]).build();
        assertThat(tx.size()).isEqualTo(Transaction.MAX_ENCODED_LENGTH);
        assertThat(Transaction.decode(tx.toMessage()).dataLength()).isEqualTo(Transaction.MAX_DATA_BYTES);
        assertThatThrownBy(() -> TestTransactions.builder(1, 0, 5).data(new byte[Transaction.MAX_DATA_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otherTypesAreNotTransactions() {
        assertThatThrownBy(() -> Transaction.decode(Message.of(MessageType.MsgBlock, example().encode())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderRequiresBothAddresses() {
        assertThatThrownBy(() -> Transaction.builder().from(Address.of(new byte[20])).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("to");
        assertThatThrownBy(() -> Address.of(new byte[19])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TxId.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 300)
    void anyPayloadDecodesOrFailsTyped(@ForAll @Size(max = 300) byte[] payload) {
        try {
            Transaction tx = Transaction.decode(Message.of(MessageType.MsgTx, payload));
            assertThat(tx.encode()).isEqualTo(payload);
        } catch (ProtocolException e) {
            assertThat(e.kind()).isIn(ProtocolException.Kind.MALFORMED_PAYLOAD, ProtocolException.Kind.LIMIT_EXCEEDED);
        }
    }

    @Property(tries = 300)
    void everyTransactionRoundTrips(@ForAll long value, @ForAll long nonce, @ForAll long gasPrice,
                                    @ForAll long timestamp, @ForAll @Size(max = 600) byte[] data) {
        Transaction tx = TestTransactions.builder(3, nonce, gasPrice).value(value).timestamp(timestamp).data(data).build();
        Transaction back = Transaction.decode(Message.of(MessageType.MsgTx, tx.encode()));
        assertThat(back).isEqualTo(tx);
        assertThat(back.id()).isEqualTo(tx.id());
        assertThat(back.data()).isEqualTo(data);
    }

    @Property(tries = 300)
    void addressesAndIdsAreTheirBytes(@ForAll @Size(20) byte[] a, @ForAll @Size(20) byte[] b,
                                      @ForAll @Size(32) byte[] x, @ForAll @Size(32) byte[] y) {
        // Held as words, not arrays: equality, hash and bytes must still be those of the bytes.
        assertThat(Address.of(a).toBytes()).isEqualTo(a);
        assertThat(Address.of(a).toHex()).isEqualTo(HexFormat.of().formatHex(a));
        assertThat(Address.of(a).equals(Address.of(b))).isEqualTo(Arrays.equals(a, b));
        assertThat(Address.of(a)).isEqualTo(Address.of(a.clone())).hasSameHashCodeAs(Address.of(a.clone()));
        assertThat(Integer.signum(Address.of(a).compareTo(Address.of(b))))
                .isEqualTo(Integer.signum(Arrays.compareUnsigned(a, b)));
        assertThat(TxId.of(x).toBytes()).isEqualTo(x);
        assertThat(TxId.of(x).toHex()).isEqualTo(HexFormat.of().formatHex(x)).startsWith(TxId.of(x).shortHex());
        assertThat(TxId.of(x).shortHex()).hasSize(8);
        assertThat(TxId.of(x).equals(TxId.of(y))).isEqualTo(Arrays.equals(x, y));
        assertThat(TxId.of(x)).isEqualTo(TxId.fromHex(TxId.of(x).toHex())).hasSameHashCodeAs(TxId.of(x.clone()));
        for (int i = 0; i < x.length; i++) { // every byte counts
            byte[] z = x.clone();
            z[i] ^= 1;
            assertThat(TxId.of(z)).isNotEqualTo(TxId.of(x));
            if (i < a.length) {
                byte[] c = a.clone();
                c[i] ^= (byte) 0x80;
                assertThat(Address.of(c)).isNotEqualTo(Address.of(a));
            }
        }
    }

    @Test
    void addressesAreNotKeptArrays() {
        byte[] bytes = new byte[20];
        Address a = Address.of(bytes);
        bytes[0] = 1;
        assertThat(a.toBytes()[0]).isZero();
        a.toBytes()[1] = 1;
        assertThat(a).isEqualTo(Address.of(new byte[20]));
    }
}
