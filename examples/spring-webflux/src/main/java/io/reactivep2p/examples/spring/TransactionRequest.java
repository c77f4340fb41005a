package io.reactivep2p.examples.spring;

import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.Transaction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HexFormat;

/**
 * The JSON body of {@code POST /tx}.
 *
 * <pre>{@code
 * {"from": "0x1111111111111111111111111111111111111111", "to": "2222222222222222222222222222222222222222",
 *  "value": 1000, "nonce": 0, "gasPrice": 20, "gasLimit": 21000, "data": "0xcafe"}
 * }</pre>
 *
 * Numbers are unsigned 64-bit integers, as JSON numbers or decimal strings; they are read as
 * {@link BigDecimal} so that a fraction, a negative number or one above 2^64 - 1 is refused
 * rather than rounded or wrapped. Their size is checked before any conversion: an exponent
 * such as {@code 1e100000000} costs nothing to refuse.
 *
 * @param from the sender, 40 hex digits, {@code 0x} optional; required
 * @param to the receiver, same form; required
 * @param value the amount; default 0
 * @param nonce the sender's sequence number; required
 * @param gasPrice the price per unit of gas, what the pool ranks by; required
 * @param gasLimit the most gas the transaction may use; required
 * @param timestamp milliseconds since the epoch; default: when the request arrives. Part of
 *     the id: a client that retries sends the same timestamp to get the same id (and
 *     {@code DUPLICATE}, not a second transaction)
 * @param data hex, {@code 0x} optional, at most {@value Transaction#MAX_DATA_BYTES} bytes;
 *     default empty
 */
record TransactionRequest(String from, String to, BigDecimal value, BigDecimal nonce, BigDecimal gasPrice,
                          BigDecimal gasLimit, BigDecimal timestamp, String data) {

    private static final BigInteger MAX_UNSIGNED_LONG = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Decimal digits of 2^64 - 1. */
    private static final int MAX_UNSIGNED_LONG_DIGITS = 20;
    private static final int ADDRESS_HEX_DIGITS = 2 * Address.LENGTH;

    /**
     * The transaction this request describes.
     *
     * @param nowMillis the timestamp when the request has none
     * @throws InvalidRequestException naming the first field that is missing or malformed
     */
    Transaction toTransaction(long nowMillis) {
        return Transaction.builder()
                .from(address("from", from))
                .to(address("to", to))
                .value(value == null ? 0 : unsignedLong("value", value))
                .nonce(unsignedLong("nonce", required("nonce", nonce)))
                .gasPrice(unsignedLong("gasPrice", required("gasPrice", gasPrice)))
                .gasLimit(unsignedLong("gasLimit", required("gasLimit", gasLimit)))
                .timestamp(timestamp == null ? nowMillis : unsignedLong("timestamp", timestamp))
                .data(data == null ? new byte[0] : data(data))
                .build();
    }

    private static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidRequestException(field + " is required");
        }
        return value;
    }

    private static Address address(String field, String hex) {
        String digits = withoutPrefix(required(field, hex));
        if (digits.length() != ADDRESS_HEX_DIGITS) {
            throw new InvalidRequestException(field + " must be " + ADDRESS_HEX_DIGITS + " hex digits, got "
                    + digits.length());
        }
        return Address.of(parseHex(field, digits));
    }

    private static byte[] data(String hex) {
        String digits = withoutPrefix(hex);
        if (digits.length() > 2 * Transaction.MAX_DATA_BYTES) {
            throw new InvalidRequestException("data must be at most " + Transaction.MAX_DATA_BYTES + " bytes, got "
                    + digits.length() / 2);
        }
        return parseHex("data", digits);
    }

    private static String withoutPrefix(String hex) {
        return hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    }

    private static byte[] parseHex(String field, String digits) {
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field + " is not hex: " + e.getMessage());
        }
    }

    /** The 64 bits of an integer in 0..2^64-1 (above {@link Long#MAX_VALUE}, a negative {@code long}). */
    private static long unsignedLong(String field, BigDecimal number) {
        if (number.signum() < 0) {
            throw new InvalidRequestException(field + " must not be negative, got " + number);
        }
        // Integer digits, from the representation alone: nothing is computed for 1e100000000.
        if (number.precision() - number.scale() > MAX_UNSIGNED_LONG_DIGITS) {
            throw new InvalidRequestException(field + " must be at most 2^64-1, got " + number);
        }
        BigDecimal stripped = number.stripTrailingZeros();
        if (stripped.scale() > 0) {
            throw new InvalidRequestException(field + " must be an integer, got " + number);
        }
        BigInteger integer = stripped.toBigInteger();
        if (integer.compareTo(MAX_UNSIGNED_LONG) > 0) {
            throw new InvalidRequestException(field + " must be at most 2^64-1, got " + number);
        }
        return integer.longValue();
    }
}
