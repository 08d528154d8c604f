package io.porthole.sdk;

/**
 * HTTP 409: the target is in a state that does not allow this (codes {@code wrong_state}, {@code human_in_control}, ...). Retried only for requests that are safe to repeat, and only when the server does not say {@code x-should-retry: false}.
 *
 * <p>Immutable and thread-safe.
 */
public class ConflictException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public ConflictException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
