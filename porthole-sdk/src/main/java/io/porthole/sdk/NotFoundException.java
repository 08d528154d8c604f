package io.porthole.sdk;

/**
 * HTTP 404: no such route, or no such computer or sandbox for this key's tenant (codes {@code not_found}, {@code computer_not_running}). Another tenant's id is a 404 too. Never retried.
 *
 * <p>Immutable and thread-safe.
 */
public class NotFoundException extends PortholeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for an answer the server gave.
     *
     * @param status the HTTP status
     * @param code the error code from the body
     * @param message the message from the body
     * @param requestId the server's request id, or null
     */
    public NotFoundException(int status, String code, String message, String requestId) {
        super(status, code, message, requestId, null);
    }
}
