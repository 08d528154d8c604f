package io.porthole.sdk;

/**
 * HTTP 401: no API key, or one the server does not know (code {@code unauthorized}). Never retried.
 *
 * <p>Immutable and thread-safe.
 */
public class AuthenticationException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public AuthenticationException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
