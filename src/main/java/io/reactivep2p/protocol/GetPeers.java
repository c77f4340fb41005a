package io.reactivep2p.protocol;

import java.nio.ByteBuffer;

/**
 * GET_PEERS ({@code 0x10}): {@code u16 max}, at most {@value Peers#MAX_PEERS}.
 *
 * @param max how many addresses the sender wants at most
 */
public record GetPeers(int max) {

    /** Checks the count. */
    public GetPeers {
        if (max < 0 || max > Peers.MAX_PEERS) {
            throw new IllegalArgumentException("max must be in 0.." + Peers.MAX_PEERS + ", got " + max);
        }
    }

    /** Encodes this GET_PEERS. */
    public Message toMessage() {
        return Message.wrap(MessageType.MsgGetPeers, ByteBuffer.allocate(2).putShort((short) max).array());
    }

    /** Decodes a GET_PEERS payload: exactly 2 bytes, a count ≤ 1000. */
    public static GetPeers decode(Message message) {
        PayloadReader.requireType(message, MessageType.MsgGetPeers);
        PayloadReader r = new PayloadReader(message);
        int max = r.u16("max");
        r.end();
        if (max > Peers.MAX_PEERS) {
            throw r.limit("max " + max + " is above " + Peers.MAX_PEERS);
        }
        return new GetPeers(max);
    }
}
