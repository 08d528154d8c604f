package io.porthole.sdk;

/**
 * The answer did not arrive within the request's timeout ({@link Porthole.Builder#timeout}, or a
 * {@link RequestOptions#timeout} of its own). {@link #code()} is {@code timeout}. Retried only when the request is
 * safe to repeat: a click that timed out may have happened.
 *
 * <p>Immutable and thread-safe.
 */
public class ApiTimeoutException extends ApiConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * A timeout.
     *
     * @param message what timed out
     * @param cause the exception underneath
     */
    public ApiTimeoutException(String message, Throwable cause) {
        super("timeout", message, cause);
    }
}
