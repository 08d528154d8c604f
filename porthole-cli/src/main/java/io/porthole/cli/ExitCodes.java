package io.porthole.cli;

/**
 * The exit codes of {@code porthole}, one table for every command (ADR 0031). {@code computers exec} exits with the
 * remote command's own code once the command has run; these codes then mean that it could not run.
 */
final class ExitCodes {
    /** Done. */
    static final int OK = 0;
    /** Any other error: a bad request (400, 409, 422), an action that answered {@code status: "error"}, a local file. */
    static final int ERROR = 1;
    /** Bad command line (picocli's own code). */
    static final int USAGE = 2;
    /** 404: no such computer, sandbox, key or artifact (or another tenant's), or it has ended. */
    static final int NOT_FOUND = 3;
    /** 401 or 403: no key, a wrong or revoked key, or a key that is not an admin's for {@code keys}. */
    static final int AUTH = 4;
    /** 429: over a configured limit; try again later. */
    static final int RATE_LIMITED = 5;
    /** 5xx: the server failed. */
    static final int SERVER_ERROR = 6;
    /** The server could not be reached, or did not answer within {@code --timeout}. */
    static final int CONNECTION = 7;

    private ExitCodes() {}

    /** The exit code for an HTTP status, or {@link #CONNECTION} for none (0). */
    static int forStatus(int status) {
        if (status == 0) return CONNECTION;
        if (status == 404) return NOT_FOUND;
        if (status == 401 || status == 403) return AUTH;
        if (status == 429) return RATE_LIMITED;
        if (status >= 500) return SERVER_ERROR;
        return ERROR;
    }
}
