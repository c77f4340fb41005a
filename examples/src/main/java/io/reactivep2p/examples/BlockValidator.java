package io.reactivep2p.examples;

import io.reactivep2p.P2pNode;
import io.reactivep2p.gossip.Validation;
import io.reactivep2p.peer.PeerMessage;
import io.reactivep2p.protocol.MessageType;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import reactor.core.publisher.Mono;

/**
 * An application's rule for blocks, as a node's validator: a block is its body followed by the
 * body's CRC32C (4 bytes, big-endian); a block whose checksum does not match is invalid, and
 * the node rejects it: it is not delivered, not relayed, and the peer that sent it is scored.
 * {@code BlockValidatorTest} checks it on a simulated network with {@code StepVerifier}.
 *
 * <pre>{@code
 * BlockValidator.install(node);                         // before blocks arrive
 * node.broadcast(Message.of(MsgBlock, BlockValidator.block(body)));
 * }</pre>
 */
public final class BlockValidator {

    /** The type it validates. */
    public static final MessageType TYPE = MessageType.MsgBlock;

    private BlockValidator() {
    }

    /** Makes {@code node} validate every block it receives with {@link #validate}. */
    public static void install(P2pNode node) {
        node.validator(TYPE, m -> Mono.just(validate(m)));
    }

    /** ACCEPT a well-formed block, REJECT another. */
    public static Validation validate(PeerMessage message) {
        byte[] block = message.message().payloadBytes();
        if (block.length < 4) {
            return Validation.REJECT;
        }
        CRC32C crc = new CRC32C();
        crc.update(block, 0, block.length - 4);
        int expected = ByteBuffer.wrap(block, block.length - 4, 4).getInt();
        return (int) crc.getValue() == expected ? Validation.ACCEPT : Validation.REJECT;
    }

    /** A well-formed block of {@code body}. */
    public static byte[] block(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }
}
