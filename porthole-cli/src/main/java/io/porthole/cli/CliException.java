package io.porthole.cli;

/**
 * A failure the CLI reports as {@code error: <code>: <message>} and an exit code; never carries a stack trace to the
 * user, and its message never carries the API key.
 */
final class CliException extends RuntimeException {
    private final String code;
    private final int exitCode;

    CliException(String code, String message, int exitCode) {
        super(message, null, false, false);
        this.code = code;
        this.exitCode = exitCode;
    }

    /** An answer of the server: its error code and message, the exit code from its status. */
    static CliException http(int status, String code, String message) {
        return new CliException(code, message, ExitCodes.forStatus(status));
    }

    /** Anything else that stops a command: a bad local path, an action that failed. */
    static CliException error(String code, String message) {
        return new CliException(code, message, ExitCodes.ERROR);
    }

    String code() {
        return code;
    }

    int exitCode() {
        return exitCode;
    }
}
