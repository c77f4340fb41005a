package io.reactivep2p.protocol;

import java.nio.ByteBuffer;

/**
 * PING ({@code 0x02}): {@code u64 nonce}. The peer answers with a {@link Pong} echoing it.
 *
 * @param nonce chosen by the sender, echoed in the PONG
 */
public record Ping(long nonce) {

    /** Encodes this PING. */
    public Message toMessage() {
        return Message.wrap(MessageType.MsgPing, ByteBuffer.allocate(8).putLong(nonce).array());
    }

    /** Decodes a PING payload: exactly 8 bytes. */
    public static Ping decode(Message message) {
        PayloadReader.requireType(message, MessageType.MsgPing);
        return new Ping(readNonce(message));
    }

    static long readNonce(Message message) {
        PayloadReader r = new PayloadReader(message);
        long nonce = r.u64("nonce");
        r.end();
        return nonce;
    }
}
