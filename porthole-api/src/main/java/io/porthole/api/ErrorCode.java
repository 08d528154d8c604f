package io.porthole.api;

/**
 * Every error code Porthole puts on the wire, with the HTTP status it travels with. The server maps a code
 * to its status here and nowhere else.
 *
 * <p>Deterministic failures never use 408, 409 (on the Computers API), 429 or 5xx: the official SDKs retry
 * those, so a failed click would be replayed.
 */
public enum ErrorCode {
    /** Not valid HTTP/1.1: the request line, a header or the body's framing (a chunk size, a length). */
    INVALID_REQUEST("invalid_request", 400),
    /** The body is not JSON, or not the JSON shape the route takes. */
    INVALID_JSON("invalid_json", 400),
    /** A field is missing, of the wrong type or out of range. */
    INVALID_ARGUMENT("invalid_argument", 400),
    /** The action's {@code type} is not one Porthole knows. */
    UNKNOWN_ACTION("unknown_action", 400),
    /** No credentials, or credentials Porthole does not know. */
    UNAUTHORIZED("unauthorized", 401),
    /** The key is valid but may not do this (admin routes). */
    FORBIDDEN("forbidden", 403),
    /** No such route, or no such computer for this tenant. */
    NOT_FOUND("not_found", 404),
    /** The computer exists but has ended; it takes no more actions. */
    COMPUTER_NOT_RUNNING("computer_not_running", 404),
    /** The route exists, but not with this method. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** A WebSocket endpoint asked for without a WebSocket upgrade. */
    UPGRADE_REQUIRED("upgrade_required", 426),
    /** The request body is larger than the configured limit. */
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    /** The request line (method, path and query) is longer than the server reads. */
    URI_TOO_LONG("uri_too_long", 414),
    /** Well-formed, but cannot be done (action-level failures carry this in an ActionResult). */
    ACTION_FAILED("action_failed", 422),
    /** The feature exists in the contract but not in this build yet. */
    NOT_SUPPORTED("not_supported", 422),
    /** The computer is suspended; resume it first (the Computers API: not a status the SDKs retry). */
    COMPUTER_PAUSED("computer_paused", 422),
    /** The computer's engine cannot do this (a PDF on Firefox, a CDP endpoint on Firefox). */
    UNSUPPORTED_ON_ENGINE("unsupported_on_engine", 400),
    /** The sandbox is in a state that does not allow this (an action on a paused sandbox); native API only. */
    WRONG_STATE("wrong_state", 409),
    /**
     * A person holds control of the computer (taken over from the console): actions that change its screen are
     * refused until it is handed back. On the Computers API it travels in an ActionResult (HTTP 200), so the SDKs
     * do not retry it; natively it is a 409 with {@code x-should-retry: false}.
     */
    HUMAN_IN_CONTROL("human_in_control", 409),
    /** Input sent under a control lease that has ended (handed back, timed out, taken by someone else). */
    NOT_IN_CONTROL("not_in_control", 409),
    /** Someone else holds control of the computer; wait for the hand-back. */
    CONTROL_TAKEN("control_taken", 409),
    /** Over a configured limit such as the number of live computers. */
    LIMIT_EXCEEDED("limit_exceeded", 429),
    /** A backend (browser binary, store) cannot be used right now. */
    UNAVAILABLE("unavailable", 503),
    /** A bug of ours. */
    INTERNAL("internal", 500),
    /** An HTTP feature the server does not implement (a transfer coding other than chunked). */
    NOT_IMPLEMENTED("not_implemented", 501),
    /** A protocol version other than HTTP/1.1. */
    HTTP_VERSION_NOT_SUPPORTED("http_version_not_supported", 505);

    private final String wireName;
    private final int httpStatus;

    ErrorCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    /** The snake_case code as it appears in {@code {"code": ...}}. */
    public String wireName() {
        return wireName;
    }

    /** The HTTP status a request failing with this code is answered with. */
    public int httpStatus() {
        return httpStatus;
    }
}
