package io.porthole.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.porthole.api.ErrorBody;
import io.porthole.api.ErrorCode;

/**
 * The answers Helidon itself gives, before any route runs, to a request it cannot take (a request line too long,
 * a bad percent-encoding, header or {@code Content-Length}, a transfer coding or HTTP version it does not
 * speak), in the same {@code {"code", "message"}} JSON as every other error. The messages are ours: Helidon's
 * may name its internals. A HEAD request gets the headers only. Stateless and thread-safe.
 */
final class ProtocolErrors implements DirectHandler {
    /** Every kind of event Helidon answers directly, handled here. */
    static DirectHandlers handlers() {
        var handler = new ProtocolErrors();
        var b = DirectHandlers.builder();
        for (var type : EventType.values()) b.addHandler(type, handler);
        return b.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        var code = switch (status.code()) {
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 414 -> ErrorCode.URI_TOO_LONG;
            case 501 -> ErrorCode.NOT_IMPLEMENTED;
            case 503 -> ErrorCode.UNAVAILABLE;
            case 505 -> ErrorCode.HTTP_VERSION_NOT_SUPPORTED;
            default -> status.code() < 500 ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL;
        };
        var text = switch (code) {
            case PAYLOAD_TOO_LARGE -> "the request body is larger than this server takes";
            case URI_TOO_LONG -> "the request line (method, path and query) is longer than this server reads";
            case NOT_IMPLEMENTED -> "this server takes request bodies as they are or chunked, no other transfer coding";
            case UNAVAILABLE -> "the server is handling too many requests; try again shortly";
            case HTTP_VERSION_NOT_SUPPORTED -> "this server speaks HTTP/1.1";
            case INTERNAL -> "the server could not read this request";
            default -> "this is not a valid HTTP/1.1 request: check the request line (method, path, percent-encoding),"
                    + " the headers and the body's framing (Content-Length or chunk sizes)";
        };
        var body = Http.json(ErrorBody.of(code, text));
        headers.set(HeaderNames.CONTENT_TYPE, Http.APPLICATION_JSON);
        headers.set(HeaderNames.CACHE_CONTROL, "no-store");
        var answer = TransportResponse.builder()
                .status(Status.create(code.httpStatus()))
                .headers(headers)
                .keepAlive(eventType.keepAlive());
        if (Method.HEAD_NAME.equals(request.method())) {
            answer.header(HeaderNames.CONTENT_LENGTH, String.valueOf(body.length));
        } else {
            answer.entity(body);
        }
        return answer.build();
    }
}
