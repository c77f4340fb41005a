package io.reactivep2p.examples.spring;

import io.reactivep2p.peer.RpcException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebInputException;

/**
 * Errors of the HTTP API as {@code {"error": "one line"}}: 400 for a request that cannot be
 * served as written, 404 for a peer that is not connected, 502 when a peer asked fails, 503
 * while the node is not running (starting or stopping).
 */
@RestControllerAdvice(assignableTypes = NodeController.class)
final class ApiErrors {

    /** Longest message returned: a JSON parser's message may quote the whole input. */
    static final int MAX_MESSAGE_LENGTH = 200;

    /** The body of an error answer. */
    record ErrorBody(String error) {
    }

    @ExceptionHandler
    ResponseEntity<ErrorBody> invalid(InvalidRequestException e) {
        return answer(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    /** A body that is not JSON or not an object, a missing body, a query parameter of the wrong type. */
    @ExceptionHandler
    ResponseEntity<ErrorBody> unreadable(ServerWebInputException e) {
        Throwable cause = e.getMostSpecificCause();
        String detail = cause == e ? "" : ": " + cause.getMessage();
        return answer(HttpStatus.BAD_REQUEST, e.getReason() + detail);
    }

    @ExceptionHandler
    ResponseEntity<ErrorBody> noSuchPeer(NodeController.NoSuchPeerException e) {
        return answer(HttpStatus.NOT_FOUND, e.getMessage());
    }

    /** A peer asked refused, failed, timed out or left before its answer began. */
    @ExceptionHandler
    ResponseEntity<ErrorBody> peerFailed(RpcException e) {
        return answer(HttpStatus.BAD_GATEWAY, "the peer answered " + e.kind() + ": " + e.getMessage());
    }

    /** {@code node.submit} before the node started or after it stopped. */
    @ExceptionHandler
    ResponseEntity<ErrorBody> notRunning(IllegalStateException e) {
        return answer(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    private static ResponseEntity<ErrorBody> answer(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(new ErrorBody(oneLine(message)));
    }

    /** The first line of {@code message}, at most {@value #MAX_MESSAGE_LENGTH} characters. */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        String line = (end < 0 ? message : message.substring(0, end)).strip();
        return line.length() <= MAX_MESSAGE_LENGTH ? line : line.substring(0, MAX_MESSAGE_LENGTH) + "...";
    }
}
