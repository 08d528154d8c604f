package io.porthole.core;

import io.porthole.api.ErrorCode;

/**
 * The one unchecked root of Porthole's errors. Each carries an {@link ErrorCode}; the server turns the code
 * into an HTTP status in one place.
 */
public class PortholeException extends RuntimeException {
    private final ErrorCode code;

    public PortholeException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public PortholeException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** A request Porthole cannot read: bad JSON, a missing or mistyped field, an unknown action. */
    public static final class InvalidRequest extends PortholeException {
        public InvalidRequest(ErrorCode code, String message) {
            super(code, message);
        }

        public InvalidRequest(String message) {
            super(ErrorCode.INVALID_ARGUMENT, message);
        }
    }

    /** No such thing for this tenant, or it has ended. */
    public static final class NotFound extends PortholeException {
        public NotFound(ErrorCode code, String message) {
            super(code, message);
        }
    }

    /** An action that was well-formed but failed when carried out; answered as an ActionResult error. */
    public static final class ActionFailed extends PortholeException {
        public ActionFailed(String message) {
            super(ErrorCode.ACTION_FAILED, message);
        }

        public ActionFailed(ErrorCode code, String message) {
            super(code, message);
        }

        public ActionFailed(String message, Throwable cause) {
            super(ErrorCode.ACTION_FAILED, message, cause);
        }
    }

    /** Missing or unknown credentials, or a key that may not do this. */
    public static final class Unauthorized extends PortholeException {
        public Unauthorized(ErrorCode code, String message) {
            super(code, message);
        }
    }

    /** A backend that cannot be used: no browser binary, a browser that did not start, a full host. */
    public static final class Unavailable extends PortholeException {
        public Unavailable(ErrorCode code, String message, Throwable cause) {
            super(code, message, cause);
        }

        public Unavailable(String message) {
            super(ErrorCode.UNAVAILABLE, message);
        }
    }
}
