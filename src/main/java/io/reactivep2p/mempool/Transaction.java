package io.reactivep2p.mempool;

import io.netty.util.concurrent.FastThreadLocal;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import io.reactivep2p.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The built-in transaction, the payload of a TX ({@code 0x20}) message. Immutable; it keeps
 * its encoding, so relaying it never re-encodes.
 *
 * <pre>
 * 20 B from | 20 B to | u64 value | u64 nonce | u64 gasPrice | u64 gasLimit | u64 timestamp
 * | u32 data length (≤ 128 KiB) | data
 * </pre>
 *
 * All integers are unsigned big-endian. The {@link #id() id} is the SHA-256 of the encoding
 * (the TX payload, without the type byte). The pool ranks it by {@code gasPrice}
 * ({@link #feeRate()}).
 *
 * <pre>{@code
 * Transaction tx = Transaction.builder()
 *         .from(Address.fromHex("11".repeat(20))).to(Address.fromHex("22".repeat(20)))
 *         .value(1_000).nonce(7).gasPrice(20).gasLimit(21_000).timestamp(System.currentTimeMillis())
 *         .build();
 * node.submit(tx).subscribe(result -> log.info("{}: {}", tx.id(), result));
 * }</pre>
 *
 * <p>The format carries no signature: {@code from} is whatever the sender wrote. A network
 * that needs authenticated senders checks them in its TX validator
 * ({@code node.validator(MsgTx, ...)}), which runs before the pool.
 */
public final class Transaction implements PoolTransaction {

    /** The most data bytes a transaction carries. */
    public static final int MAX_DATA_BYTES = 128 * 1024;
    /** The length of the encoding without its data. */
    public static final int FIXED_LENGTH = 2 * Address.LENGTH + 5 * 8 + 4;
    /** The longest encoding. */
    public static final int MAX_ENCODED_LENGTH = FIXED_LENGTH + MAX_DATA_BYTES;

    private static final int DATA_LENGTH_OFFSET = FIXED_LENGTH - 4;

    /** One digest per thread: {@code MessageDigest.getInstance} costs more than hashing a transaction. */
    private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    };

    private static final int TO_OFFSET = Address.LENGTH;
    private static final int VALUE_OFFSET = 2 * Address.LENGTH;
    private static final int NONCE_OFFSET = VALUE_OFFSET + 8;
    private static final int GAS_PRICE_OFFSET = NONCE_OFFSET + 8;
    private static final int GAS_LIMIT_OFFSET = GAS_PRICE_OFFSET + 8;
    private static final int TIMESTAMP_OFFSET = GAS_LIMIT_OFFSET + 8;

    // What the pool reads is decoded once; the other fields are read from the encoding when
    // asked for. A pooled transaction thus takes 40 bytes besides its encoding, id and sender
    // rather than 136 (a simulation holds a pool per node).
    private final Message encoding;
    private final TxId id;
    private final Address from;
    private final long nonce;
    private final long gasPrice;

    private Transaction(Message encoding, Address from, long nonce, long gasPrice) {
        this.encoding = encoding;
        this.from = from;
        this.nonce = nonce;
        this.gasPrice = gasPrice;
        MessageDigest sha = SHA256.get();
        sha.update(encoding.payload());
        this.id = TxId.of(sha.digest()); // digest() also resets it
    }

    /** A builder; every field but {@code from} and {@code to} defaults to zero, data to empty. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes the payload of a TX message. Checks the fixed length, then the declared data
     * length against {@value #MAX_DATA_BYTES} and against what the payload holds, before
     * reading anything else; keeps {@code message} as the encoding (no copy).
     *
     * @throws ProtocolException {@code MALFORMED_PAYLOAD} for a short payload or trailing
     *     bytes, {@code LIMIT_EXCEEDED} for data above the limit
     * @throws IllegalArgumentException if {@code message} is not a TX
     */
    public static Transaction decode(Message message) {
        Objects.requireNonNull(message, "message");
        if (!message.type().equals(MessageType.MsgTx)) {
            throw new IllegalArgumentException("expected a TX message, got " + message.type());
        }
        int length = message.payloadLength();
        if (length < FIXED_LENGTH) {
            throw malformed("payload of " + length + " bytes is shorter than the " + FIXED_LENGTH + " fixed bytes");
        }
        ByteBuffer buf = message.payload();
        long dataLength = Integer.toUnsignedLong(buf.getInt(DATA_LENGTH_OFFSET));
        if (dataLength > MAX_DATA_BYTES) {
            throw new ProtocolException(ProtocolException.Kind.LIMIT_EXCEEDED,
                    "TX: data of " + dataLength + " bytes is above " + MAX_DATA_BYTES);
        }
        if (length != FIXED_LENGTH + dataLength) {
            throw malformed("data length " + dataLength + " does not match the " + (length - FIXED_LENGTH)
                    + " bytes after the fixed fields");
        }
        return new Transaction(message, Address.read(buf, 0), buf.getLong(NONCE_OFFSET), buf.getLong(GAS_PRICE_OFFSET));
    }

    private static ProtocolException malformed(String detail) {
        return new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, "TX: " + detail);
    }

    /** The TX message carrying this transaction; shares the encoding (no copy). */
    public Message toMessage() {
        return encoding;
    }

    /** A copy of the encoding (the TX payload). */
    public byte[] encode() {
        return encoding.payloadBytes();
    }

    /** The SHA-256 of the encoding. */
    @Override
    public TxId id() {
        return id;
    }

    /** The sending account. */
    public Address from() {
        return from;
    }

    /** The receiving account, read from the encoding at each call (compare with {@code equals}). */
    public Address to() {
        return Address.read(encoding.payload(), TO_OFFSET);
    }

    /** The amount transferred (unsigned). */
    public long value() {
        return encoding.payload().getLong(VALUE_OFFSET);
    }

    /** The sender's sequence number (unsigned). */
    @Override
    public long nonce() {
        return nonce;
    }

    /** The price per unit of gas (unsigned): the fee rate the pool ranks by. */
    public long gasPrice() {
        return gasPrice;
    }

    /** The most gas it may use (unsigned). */
    public long gasLimit() {
        return encoding.payload().getLong(GAS_LIMIT_OFFSET);
    }

    /** The sender's clock when it was made, milliseconds since the epoch (unsigned). */
    public long timestamp() {
        return encoding.payload().getLong(TIMESTAMP_OFFSET);
    }

    /** The length of the data. */
    public int dataLength() {
        return encoding.payloadLength() - FIXED_LENGTH;
    }

    /** A copy of the data. */
    public byte[] data() {
        byte[] data = new byte[dataLength()];
        encoding.copyPayload(FIXED_LENGTH, data, 0, data.length);
        return data;
    }

    /** {@link #from()}. */
    @Override
    public Address sender() {
        return from;
    }

    /** {@link #gasPrice()}. */
    @Override
    public long feeRate() {
        return gasPrice;
    }

    /** The length of the encoding. */
    @Override
    public int size() {
        return encoding.payloadLength();
    }

    /** Equal when the encodings are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Transaction t && t.id.equals(id) && t.encoding.equals(encoding);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Transaction{" + id.shortHex() + ", from " + from + ", nonce " + Long.toUnsignedString(nonce)
                + ", gasPrice " + Long.toUnsignedString(gasPrice) + ", " + size() + " B}";
    }

    /** Builds a {@link Transaction}; not thread-safe. */
    public static final class Builder {

        private Address from;
        private Address to;
        private long value;
        private long nonce;
        private long gasPrice;
        private long gasLimit;
        private long timestamp;
        private byte[] data = new byte[0];

        private Builder() {
        }

        /** The sending account (required). */
        public Builder from(Address from) {
            this.from = Objects.requireNonNull(from, "from");
            return this;
        }

        /** The receiving account (required). */
        public Builder to(Address to) {
            this.to = Objects.requireNonNull(to, "to");
            return this;
        }

        /** The amount, an unsigned 64-bit number. */
        public Builder value(long value) {
            this.value = value;
            return this;
        }

        /** The sender's sequence number, unsigned. */
        public Builder nonce(long nonce) {
            this.nonce = nonce;
            return this;
        }

        /** The price per unit of gas, unsigned. */
        public Builder gasPrice(long gasPrice) {
            this.gasPrice = gasPrice;
            return this;
        }

        /** The most gas it may use, unsigned. */
        public Builder gasLimit(long gasLimit) {
            this.gasLimit = gasLimit;
            return this;
        }

        /** Milliseconds since the epoch, unsigned. */
        public Builder timestamp(long timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        /** The data, at most {@value Transaction#MAX_DATA_BYTES} bytes; copied. */
        public Builder data(byte[] data) {
            Objects.requireNonNull(data, "data");
            if (data.length > MAX_DATA_BYTES) {
                throw new IllegalArgumentException("data of " + data.length + " bytes is above " + MAX_DATA_BYTES);
            }
            this.data = data.clone();
            return this;
        }

        /** Encodes the transaction and computes its id. */
        public Transaction build() {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            ByteBuffer buf = ByteBuffer.allocate(FIXED_LENGTH + data.length);
            from.writeTo(buf);
            to.writeTo(buf).putLong(value).putLong(nonce).putLong(gasPrice).putLong(gasLimit).putLong(timestamp)
                    .putInt(data.length).put(data);
            return new Transaction(Message.wrap(MessageType.MsgTx, buf.array()), from, nonce, gasPrice);
        }
    }
}
