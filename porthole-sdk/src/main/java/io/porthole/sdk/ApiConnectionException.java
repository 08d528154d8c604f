package io.porthole.sdk;

/**
 * No answer arrived: the connection could not be made, or broke before the response was read. {@link #status()} is
 * 0 and {@link #code()} is {@code connection_error}. A request that was never sent is retried; one that may have
 * reached the server is retried only when it is safe to repeat (see {@link Porthole}).
 *
 * <p>Immutable and thread-safe.
 */
public class ApiConnectionException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * A connection failure.
     *
     * @param message what failed
     * @param cause the I/O exception underneath
     */
    public ApiConnectionException(String message, Throwable cause) {
        this("connection_error", message, cause);
    }

    /**
     * A connection failure with a code of its own (for subclasses).
     *
     * @param code the SDK's code for the failure
     * @param message what failed
     * @param cause the exception underneath
     */
    protected ApiConnectionException(String code, String message, Throwable cause) {
        super(0, code, message, null, cause);
    }
}
