package io.reactivep2p.protocol;

import java.nio.ByteBuffer;

/**
 * PONG ({@code 0x03}): {@code u64 nonce}, echoing the {@link Ping} it answers.
 *
 * @param nonce the ping's nonce
 */
public record Pong(long nonce) {

    /** Encodes this PONG. */
    public Message toMessage() {
        return Message.wrap(MessageType.MsgPong, ByteBuffer.allocate(8).putLong(nonce).array());
    }

    /** Decodes a PONG payload: exactly 8 bytes. */
    public static Pong decode(Message message) {
        PayloadReader.requireType(message, MessageType.MsgPong);
        return new Pong(Ping.readNonce(message));
    }
}
