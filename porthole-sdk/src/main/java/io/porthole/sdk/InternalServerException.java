package io.porthole.sdk;

/**
 * HTTP 500 or above: a failure of the server (codes {@code internal}, {@code unavailable}, ...). Retried only for requests that are safe to repeat, unless the server says otherwise with {@code x-should-retry}.
 *
 * <p>Immutable and thread-safe.
 */
public class InternalServerException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public InternalServerException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
