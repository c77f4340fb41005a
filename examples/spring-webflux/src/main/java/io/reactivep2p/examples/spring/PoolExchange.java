package io.reactivep2p.examples.spring;

import io.reactivep2p.P2pNode;
import io.reactivep2p.mempool.Transaction;
import io.reactivep2p.peer.Peer;
import io.reactivep2p.peer.RpcException;
import io.reactivep2p.protocol.Message;
import io.reactivep2p.protocol.MessageType;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/**
 * Asking a peer for the best of its pool, by request-stream: {@code GET_POOL} carries
 * {@code u16 n}; the peer answers with its {@code n} best-paying transactions, best first,
 * each a TX message, as the asker's demand allows.
 */
final class PoolExchange {

    /** {@code GET_POOL}: {@code u16 n}, 1..{@value NodeController#MAX_TOP}. */
    static final MessageType GET_POOL = MessageType.of(0xB0, "GET_POOL");

    private PoolExchange() {
    }

    /** Answers peers' {@code GET_POOL} from {@code node}'s pool. */
    static void serve(P2pNode node) {
        node.handleStreams(GET_POOL, (peer, request) -> {
            if (request.payloadLength() != 2) {
                return Flux.error(RpcException.application(400, "GET_POOL carries a u16"));
            }
            int n = request.payload().getShort(0) & 0xFFFF;
            if (n < 1 || n > NodeController.MAX_TOP) {
                return Flux.error(RpcException.application(400, "n must be in 1.." + NodeController.MAX_TOP));
            }
            return Flux.fromIterable(node.mempool().top(n)).map(Transaction::toMessage);
        });
    }

    /** Asks {@code peer} for its {@code n} best transactions. */
    static Flux<Transaction> ask(Peer peer, int n) {
        Message request = Message.wrap(GET_POOL, ByteBuffer.allocate(2).putShort((short) n).array());
        return peer.requestStream(request).map(Transaction::decode);
    }
}
