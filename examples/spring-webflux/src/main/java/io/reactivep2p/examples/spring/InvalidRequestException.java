package io.reactivep2p.examples.spring;

/** A request the API cannot serve as written: answered 400 with the message, one line. */
final class InvalidRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InvalidRequestException(String message) {
        super(message, null, false, false); // a client's mistake: no stack trace to fill
    }
}
