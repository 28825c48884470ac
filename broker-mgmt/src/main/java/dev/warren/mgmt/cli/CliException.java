package dev.warren.mgmt.cli;

/** A failure that ends the command: the message goes to stderr and the process exits with the code. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** An error the node reported, printed as rabbitmqctl prints them: "Error:" then the text. */
    static CliException error(int exitCode, String message) {
        return new CliException(exitCode, "Error:\n" + message);
    }
}
