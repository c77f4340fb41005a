package io.reactivep2p.cli;

/**
 * A failure of a command as it runs (a port in use, an unreadable data directory), with a
 * message meant for the user: printed as is, on one line, and the command exits with 1.
 */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
