package io.porthole.engine.bidi;

/** A WebDriver BiDi command that failed: the protocol's error code ({@code no such frame}, …) and message. */
final class BidiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String error;

    BidiException(String error, String message) {
        super(message);
        this.error = error;
    }

    /** The protocol's error code, e.g. {@code unknown error}; {@code closed} when the connection ended. */
    String error() {
        return error;
    }
}
