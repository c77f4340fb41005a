package io.reactivep2p.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivep2p.mempool.Address;
import io.reactivep2p.mempool.Transaction;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checks of a {@code POST /tx} body, without HTTP. */
class TransactionRequestTest {

    private static final String FROM = "11".repeat(Address.LENGTH);
    private static final String TO = "22".repeat(Address.LENGTH);

    private static TransactionRequest request(String from, String value, String nonce, String data) {
        return new TransactionRequest(from, TO, value == null ? null : new BigDecimal(value), new BigDecimal(nonce),
                BigDecimal.valueOf(20), BigDecimal.valueOf(21_000), null, data);
    }

    @Test
    void toTransaction_buildsEveryField() {
        Transaction tx = new TransactionRequest("0x" + FROM, "0X" + TO.toUpperCase(), new BigDecimal("1000"),
                new BigDecimal("7"), new BigDecimal("2E+1"), new BigDecimal("21000.000"), BigDecimal.valueOf(1234),
                "0xCAFE").toTransaction(99);

        assertThat(tx.from().toHex()).isEqualTo(FROM);
        assertThat(tx.to().toHex()).isEqualTo(TO);
        assertThat(tx.value()).isEqualTo(1000);
        assertThat(tx.nonce()).isEqualTo(7);
        assertThat(tx.gasPrice()).isEqualTo(20);
        assertThat(tx.gasLimit()).isEqualTo(21_000);
        assertThat(tx.timestamp()).isEqualTo(1234);
        assertThat(tx.data()).containsExactly(0xca, 0xfe);
    }

    @Test
    void toTransaction_defaultsValueDataAndTimestamp() {
        Transaction tx = request(FROM, null, "0", null).toTransaction(99);

        assertThat(tx.value()).isZero();
        assertThat(tx.dataLength()).isZero();
        assertThat(tx.timestamp()).isEqualTo(99);
    }

    @Test
    void toTransaction_keepsThe64BitsOfValuesAboveLongMax() {
        Transaction tx = request(FROM, "18446744073709551615", "9223372036854775808", null).toTransaction(0);

        assertThat(tx.value()).isEqualTo(-1L);
        assertThat(tx.nonce()).isEqualTo(Long.MIN_VALUE);
        assertThat(NodeController.unsigned(tx.value())).hasToString("18446744073709551615");
        assertThat(NodeController.unsigned(tx.nonce())).hasToString("9223372036854775808");
    }

    @Test
    void toTransaction_takesTheLargestData() {
        String hex = "ab".repeat(Transaction.MAX_DATA_BYTES);

        assertThat(request(FROM, "0", "0", hex).toTransaction(0).dataLength()).isEqualTo(Transaction.MAX_DATA_BYTES);
        assertThatThrownBy(() -> request(FROM, "0", "0", hex + "ab").toTransaction(0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("data must be at most 131072 bytes, got 131073");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1111                                          | 0      | 0     | from must be 40 hex digits, got 4",
            "0x11111111111111111111111111111111111111111111| 0      | 0     | from must be 40 hex digits, got 44",
            "g111111111111111111111111111111111111111      | 0      | 0     | from is not hex: not a hexadecimal digit: \"g\" = 103",
            "1111111111111111111111111111111111111111      | -1     | 0     | value must not be negative, got -1",
            "1111111111111111111111111111111111111111      | 1.5    | 0     | value must be an integer, got 1.5",
            "1111111111111111111111111111111111111111      | 0      | 18446744073709551616 | nonce must be at most 2^64-1, got 18446744073709551616",
            "1111111111111111111111111111111111111111      | 0      | 1e100000000 | nonce must be at most 2^64-1, got 1E+100000000",
            "1111111111111111111111111111111111111111      | 1e-100000000 | 0 | value must be an integer, got 1E-100000000",
    })
    void toTransaction_refusesMalformedFields(String from, String value, String nonce, String message) {
        assertThatThrownBy(() -> request(from, value, nonce, null).toTransaction(0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage(message);
    }

    @Test
    void toTransaction_namesAMissingField() {
        assertThatThrownBy(() -> new TransactionRequest(FROM, null, null, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE,
                null, null).toTransaction(0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("to is required");
        assertThatThrownBy(() -> new TransactionRequest(FROM, TO, null, BigDecimal.ONE, null, BigDecimal.ONE,
                null, null).toTransaction(0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("gasPrice is required");
    }

    @Test
    void toTransaction_refusesDataThatIsNotHex() {
        assertThatThrownBy(() -> request(FROM, "0", "0", "abc").toTransaction(0))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("data is not hex");
    }
}
