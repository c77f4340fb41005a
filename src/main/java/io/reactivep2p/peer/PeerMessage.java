package io.reactivep2p.peer;

import io.reactivep2p.protocol.Message;
import java.util.Objects;

/**
 * A message and the peer it came from, as delivered by {@code node.messages(type)}.
 *
 * @param peer the sender
 * @param message the message
 */
public record PeerMessage(Peer peer, Message message) {

    /** Checks the fields. */
    public PeerMessage {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(message, "message");
    }
}
