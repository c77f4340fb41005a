package io.reactivep2p.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * DISCONNECT ({@code 0x04}): {@code u8 reason}, {@code u16 len}, UTF-8 text (≤ 256 bytes).
 * The sender closes the connection after it.
 *
 * @param reasonCode the wire code, {@code 0..255}; see {@link #reason()}
 * @param text a short human-readable explanation; longer texts are cut to
 *     {@value #MAX_TEXT_BYTES} UTF-8 bytes (on a character boundary) when encoded
 */
public record Disconnect(int reasonCode, String text) {

    /** Limit of the text, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 256;

    /** Checks the code and the text. */
    public Disconnect {
        if (reasonCode < 0 || reasonCode > 0xFF) {
            throw new IllegalArgumentException("reason code must fit a u8, got " + reasonCode);
        }
        Objects.requireNonNull(text, "text");
    }

    /** A DISCONNECT for {@code reason}. */
    public static Disconnect of(DisconnectReason reason, String text) {
        if (reason == DisconnectReason.UNKNOWN) {
            throw new IllegalArgumentException("UNKNOWN is not sent");
        }
        return new Disconnect(reason.code(), text);
    }

    /** The reason; {@link DisconnectReason#UNKNOWN} for a code this version does not define. */
    public DisconnectReason reason() {
        return DisconnectReason.fromCode(reasonCode);
    }

    /** Encodes this DISCONNECT. */
    public Message toMessage() {
        byte[] utf8 = truncate(text.getBytes(StandardCharsets.UTF_8));
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + utf8.length);
        buf.put((byte) reasonCode).putShort((short) utf8.length).put(utf8);
        return Message.wrap(MessageType.MsgDisconnect, buf.array());
    }

    /** Decodes a DISCONNECT payload. */
    public static Disconnect decode(Message message) {
        PayloadReader.requireType(message, MessageType.MsgDisconnect);
        PayloadReader r = new PayloadReader(message);
        int reason = r.u8("reason");
        String text = r.utf8(MAX_TEXT_BYTES, "text");
        r.end();
        return new Disconnect(reason, text);
    }

    static byte[] truncate(byte[] utf8) {
        if (utf8.length <= MAX_TEXT_BYTES) {
            return utf8;
        }
        int end = MAX_TEXT_BYTES;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--; // do not cut a multi-byte character
        }
        return Arrays.copyOf(utf8, end);
    }
}
