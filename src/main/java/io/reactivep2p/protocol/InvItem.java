package io.reactivep2p.protocol;

import java.util.Objects;

/**
 * One entry of an {@link Inventory}: a message type and the content hash of a message.
 *
 * @param type the announced message's type
 * @param hash SHA-256 over {@code type ‖ payload}
 */
public record InvItem(MessageType type, ContentHash hash) {

    /** Checks the fields. */
    public InvItem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(hash, "hash");
    }

    /** The item announcing {@code message}. */
    public static InvItem of(Message message) {
        return new InvItem(message.type(), ContentHash.of(message));
    }
}
