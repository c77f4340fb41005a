package io.reactivep2p.peer;

import java.util.Objects;

/**
 * Why a request or stream to a peer ended in error, as its requester sees it; what a handler
 * throws to answer with an application error ({@link #application}).
 *
 * <pre>{@code
 * node.handleRequests(GET_BLOCK, (peer, request) -> store.block(request)
 *         .switchIfEmpty(Mono.error(RpcException.application(404, "no such block"))));
 *
 * peer.request(getBlock).onErrorResume(RpcException.class, e -> switch (e.kind()) {
 *     case APPLICATION -> Mono.empty();                    // e.code() == 404
 *     case TIMEOUT, CONNECTION_LOST -> askAnotherPeer();
 *     default -> Mono.error(e);
 * });
 * }</pre>
 *
 * <p>Errors from the wire carry no stack trace (they are cheap to make, whatever a peer sends).
 */
public final class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The responder's handler failed on purpose: {@link #code()} and the text are its. */
        APPLICATION,
        /** The responder refused: over its limit of streams in flight or its request rate (or, locally, this node's). */
        REFUSED,
        /** The responder has no handler for the request's type. */
        NO_HANDLER,
        /** The responder's handler failed otherwise; its details stayed there. */
        FAILED,
        /** No answer within the timeout (for a stream: no item while credits were outstanding); a CANCEL was sent. */
        TIMEOUT,
        /** The connection closed before the answer was complete. */
        CONNECTION_LOST,
        /** The responder broke the protocol (an item beyond the credits given): the connection is closed. */
        PROTOCOL
    }

    private final Kind kind;
    private final long code;

    /** An error of {@code kind}; {@code code} is the application's for {@link Kind#APPLICATION}, else 0. */
    public RpcException(Kind kind, long code, String message) {
        super(message, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        if (code < 0 || code > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("code must fit a u32, got " + code);
        }
        this.code = code;
    }

    /**
     * What a handler returns (or throws) to answer with an application error: the requester
     * gets an {@code RpcException} of kind {@link Kind#APPLICATION} with this code and text
     * (at most 256 UTF-8 bytes travel).
     *
     * @param code the application's code, 0 to 2^32 − 1
     */
    public static RpcException application(long code, String text) {
        return new RpcException(Kind.APPLICATION, code, Objects.requireNonNull(text, "text"));
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The application's code for {@link Kind#APPLICATION}; 0 otherwise. */
    public long code() {
        return code;
    }
}
