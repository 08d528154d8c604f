package io.porthole.sdk;

/**
 * HTTP 422: well-formed but impossible (codes {@code action_failed}, {@code not_supported}, {@code computer_paused}, ...). Never retried.
 *
 * <p>Immutable and thread-safe.
 */
public class UnprocessableEntityException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public UnprocessableEntityException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
