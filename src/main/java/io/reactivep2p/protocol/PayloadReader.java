package io.reactivep2p.protocol;

import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;

/**
 * Reads the fields of a payload, checking that each fits in what remains before reading
 * it, so a field "running past the end" is a {@link ProtocolException}, never an index
 * error or an allocation sized by the peer.
 */
final class PayloadReader {

    private final byte[] bytes;
    private final String what;
    private int position;

    PayloadReader(Message message) {
        this.bytes = message.array();
        this.what = message.type().name();
    }

    int remaining() {
        return bytes.length - position;
    }

    int u8(String field) {
        need(1, field);
        return bytes[position++] & 0xFF;
    }

    int u16(String field) {
        need(2, field);
        int v = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        position += 2;
        return v;
    }

    long u32(String field) {
        return unsigned(4, field);
    }

    long u64(String field) {
        return unsigned(8, field);
    }

    private long unsigned(int bytesLong, String field) {
        need(bytesLong, field);
        long v = 0;
        for (int i = 0; i < bytesLong; i++) {
            v = (v << 8) | (bytes[position + i] & 0xFF);
        }
        position += bytesLong;
        return v;
    }

    /** The rest of the payload, as the payload of a message of {@code type}. */
    Message rest(MessageType type) {
        Message m = Message.of(type, bytes, position, bytes.length - position);
        position = bytes.length;
        return m;
    }

    /** {@code length} bytes; the caller has checked {@code length} against its limit. */
    byte[] bytes(int length, String field) {
        need(length, field);
        byte[] v = new byte[length];
        System.arraycopy(bytes, position, v, 0, length);
        position += length;
        return v;
    }

    /** A {@code u16} length (at most {@code max}) and that many bytes of strict UTF-8. */
    String utf8(int max, String field) {
        int length = u16(field + " length");
        if (length > max) {
            throw limit(field + " of " + length + " bytes is above " + max);
        }
        need(length, field);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, position, length))
                    .toString();
            position += length;
            return s;
        } catch (CharacterCodingException e) {
            throw malformed(field + " is not valid UTF-8");
        }
    }

    /** Checks that {@code count} entries of at least {@code minEntryLength} bytes can remain. */
    void needEntries(int count, int minEntryLength, String field) {
        if ((long) count * minEntryLength > remaining()) {
            throw malformed(count + " " + field + " need at least " + ((long) count * minEntryLength)
                    + " bytes, " + remaining() + " remain");
        }
    }

    /** Fails unless every byte was read: version 1 payloads have no trailing bytes. */
    void end() {
        if (position != bytes.length) {
            throw malformed((bytes.length - position) + " trailing bytes");
        }
    }

    private void need(int n, String field) {
        if (bytes.length - position < n) {
            throw malformed(field + " needs " + n + " bytes, " + (bytes.length - position) + " remain");
        }
    }

    ProtocolException malformed(String detail) {
        return new ProtocolException(ProtocolException.Kind.MALFORMED_PAYLOAD, what + ": " + detail);
    }

    ProtocolException limit(String detail) {
        return new ProtocolException(ProtocolException.Kind.LIMIT_EXCEEDED, what + ": " + detail);
    }

    static void requireType(Message message, MessageType expected) {
        if (!message.type().equals(expected)) {
            throw new IllegalArgumentException("expected a " + expected.name() + " message, got " + message.type());
        }
    }
}
