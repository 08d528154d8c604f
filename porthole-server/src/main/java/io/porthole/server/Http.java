package io.porthole.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorBody;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * JSON in and out of Helidon requests: the one reader of request bodies (its byte stream, with the body limit,
 * and strict JSON objects), the JSON senders and the one error answer.
 */
final class Http {
    /**
     * Strict on the way in: one JSON value per body or line (nothing after it) and no key twice (which of two
     * values a reader keeps differs between parsers); unknown fields are ignored.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, true)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            .build();
    static final String APPLICATION_JSON = "application/json";
    private static final io.helidon.http.HeaderName SHOULD_RETRY = HeaderNames.create("x-should-retry");

    private Http() {}

    /**
     * The request body as a JSON object; an empty body (as the Python SDK sends on bodiless POSTs) is {@code {}}.
     * Every route that takes a JSON body reads it here.
     *
     * @throws PortholeException 413 if it is larger than {@code limit}; 400 if it is not one JSON object, or its
     *                           framing is broken (a bad chunk size)
     */
    static ObjectNode body(ServerRequest req, long limit) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > limit) throw tooLarge(limit);
        byte[] bytes = new byte[0];
        if (req.content().hasEntity()) {
            try {
                // not closed: closing reads on to the end, which is ConnectionGuard's call (bounded) to make
                bytes = entity(req).readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            } catch (IOException e) {
                throw new PortholeException(ErrorCode.INVALID_REQUEST, "the request body could not be read: " + e.getMessage());
            }
            if (bytes.length > limit) throw tooLarge(limit);
        }
        return isBlank(bytes) ? JSON.createObjectNode() : object(bytes, "the body");
    }

    /**
     * {@code json} as one JSON object and nothing after it.
     *
     * @param what names the text in the error message ("the body", "line 3")
     * @throws PortholeException 400 {@code invalid_json} otherwise
     */
    static ObjectNode object(byte[] json, String what) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (MismatchedInputException e) {
            // reading a tree, the only mismatch is FAIL_ON_TRAILING_TOKENS: a value after the value
            var at = e.getLocation();
            throw new PortholeException(ErrorCode.INVALID_JSON, what + " has more after its JSON value (line "
                    + at.getLineNr() + ", column " + at.getColumnNr() + "): send one JSON object");
        } catch (JsonProcessingException e) {
            throw new PortholeException(ErrorCode.INVALID_JSON, what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PortholeException(ErrorCode.INVALID_JSON, what + " is not valid JSON: " + e.getMessage());
        }
        if (node instanceof ObjectNode o) return o;
        throw new PortholeException(ErrorCode.INVALID_JSON, what + " must be a JSON object {...}, not "
                + (node == null || node.isMissingNode() ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
    }

    static ObjectNode object(String json, String what) {
        return object(json.getBytes(StandardCharsets.UTF_8), what);
    }

    /**
     * The request body's bytes, the one stream of them a request has (later calls return the same stream): a
     * broken framing (a chunk size that is not hex, a body cut short) reads as an {@link IOException}, and
     * {@link ConnectionGuard} learns how much of the body is left.
     */
    static BodyStream entity(ServerRequest req) {
        return req.context().get(BodyStream.class).orElseGet(() -> {
            var stream = new BodyStream(req.content().inputStream());
            req.context().register(stream);
            return stream;
        });
    }

    /** A request body as it is read: bytes counted, Helidon's framing failures turned into I/O errors. */
    static final class BodyStream extends InputStream {
        private final InputStream in;
        private long read;
        private boolean broken;

        private BodyStream(InputStream in) {
            this.in = in;
        }

        /** Bytes read from the body so far. */
        long bytesRead() {
            return read;
        }

        /** Whether a read failed: where the body ends (and the next request starts) is then unknown. */
        boolean broken() {
            return broken;
        }

        @Override
        public int read() throws IOException {
            var b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (RuntimeException e) {
                // Helidon reads the framing as the body is read: a bad chunk size is a NumberFormatException there
                broken = true;
                throw new IOException("its framing is broken (a chunk size or length that is not valid HTTP/1.1)", e);
            }
            if (n > 0) read += n;
            return n;
        }

        /** Does not read on to the end, as Helidon's stream does: {@link ConnectionGuard} drains, with bounds. */
        @Override
        public void close() {}
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) if (x != ' ' && x != '\n' && x != '\r' && x != '\t') return false;
        return true;
    }

    private static PortholeException tooLarge(long limit) {
        return new PortholeException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than " + limit + " bytes");
    }

    /**
     * A GET route that answers HEAD too, as GET without the body (RFC 9110 §9.3.2). Register every GET route
     * with this.
     */
    static HttpRoute get(String path, Handler handler) {
        return RouteTable.describe(path, (req, res) -> handler.handle(req, HeadResponse.of(req, res)), Method.GET,
                Method.HEAD);
    }

    static void send(ServerResponse res, int status, Object body) {
        sendJsonBytes(res, status, json(body));
    }

    static byte[] json(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sendJsonBytes(ServerResponse res, int status, byte[] bytes) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, APPLICATION_JSON);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes);
    }

    static void ok(ServerResponse res, Object body) {
        send(res, 200, body);
    }

    static void error(ServerResponse res, ErrorCode code, String message) {
        // over a limit, or a backend that cannot be used right now: worth a retry, after a pause (the SDKs wait this long)
        if (code == ErrorCode.LIMIT_EXCEEDED || code == ErrorCode.UNAVAILABLE) res.header(HeaderNames.RETRY_AFTER, "5");
        // a person holds the computer, or a sandbox is paused: retrying at once will not help (the SDKs honour this
        // header over the status, which they would otherwise retry)
        if (code == ErrorCode.HUMAN_IN_CONTROL || code == ErrorCode.CONTROL_TAKEN || code == ErrorCode.NOT_IN_CONTROL
                || code == ErrorCode.WRONG_STATE) {
            res.header(SHOULD_RETRY, "false");
        }
        send(res, code.httpStatus(), ErrorBody.of(code, message));
    }
}
