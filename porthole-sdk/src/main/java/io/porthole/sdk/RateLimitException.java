package io.porthole.sdk;

/**
 * HTTP 429: over a configured limit (code {@code limit_exceeded}). Retried after the server's {@code Retry-After} while retries remain, since the server refused the request without acting on it.
 *
 * <p>Immutable and thread-safe.
 */
public class RateLimitException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public RateLimitException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
