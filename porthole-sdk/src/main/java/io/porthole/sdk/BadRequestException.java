package io.porthole.sdk;

/**
 * HTTP 400: the request was malformed or a field is invalid (codes {@code invalid_argument}, {@code invalid_json}, {@code unknown_action}, {@code unsupported_on_engine}, ...). Never retried.
 *
 * <p>Immutable and thread-safe.
 */
public class BadRequestException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public BadRequestException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
