package io.porthole.api;

/** The body of every non-2xx JSON answer: {@code {"code": "...", "message": "..."}}. */
public record ErrorBody(String code, String message) {
    public static ErrorBody of(ErrorCode code, String message) {
        return new ErrorBody(code.wireName(), message);
    }
}
