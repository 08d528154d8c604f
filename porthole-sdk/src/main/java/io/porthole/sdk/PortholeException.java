package io.porthole.sdk;

import java.util.Optional;

/**
 * The root of every exception the SDK throws: unchecked, carrying the HTTP status (0 when no answer arrived), the
 * server's error code (e.g. {@code not_found}, {@code invalid_argument}; for a failure without an answer a code of
 * the SDK's own such as {@code connection_error}) and its message.
 *
 * <p>Each HTTP status the server uses has a subclass named after it, as in the official Lightcone SDKs
 * ({@link BadRequestException}, {@link NotFoundException}, ...); other statuses arrive as this class itself.
 * Instances are immutable and thread-safe.
 */
public class PortholeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String requestId;

    /**
     * An exception for an answer with {@code status} and the body's {@code code} and {@code message}.
     *
     * @param status the HTTP status, or 0 when the server did not answer
     * @param code the error code from the body, never null (empty when the body had none)
     * @param message what went wrong, never null
     * @param requestId the server's request id header, or null
     * @param cause the underlying failure, or null
     */
    public PortholeException(int status, String code, String message, String requestId, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code == null ? "" : code;
        this.requestId = requestId;
    }

    /**
     * An exception without a server request id or cause.
     *
     * @param status the HTTP status, or 0 when the server did not answer
     * @param code the error code
     * @param message what went wrong
     */
    public PortholeException(int status, String code, String message) {
        this(status, code, message, null, null);
    }

    /**
     * The HTTP status of the answer.
     *
     * @return the status, or 0 when no answer arrived (connection failure, timeout)
     */
    public int status() {
        return status;
    }

    /**
     * The error code: the {@code code} of the server's JSON error body, or the SDK's own code for failures without
     * an answer ({@code connection_error}, {@code timeout}, {@code stream_error}).
     *
     * @return the code, never null, empty when the answer carried none
     */
    public String code() {
        return code;
    }

    /**
     * The id the server gave the request, when it sent one.
     *
     * @return the request id
     */
    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }
}
