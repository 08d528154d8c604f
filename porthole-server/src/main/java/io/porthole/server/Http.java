package io.porthole.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorBody;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import java.io.IOException;
import java.io.InputStream;

/** JSON in and out of Helidon requests, with the body limit and the one error mapping. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
    static final String APPLICATION_JSON = "application/json";

    private Http() {}

    /**
     * The request body as JSON; an empty body (as the Python SDK sends on bodiless POSTs) is {@code {}}.
     *
     * @throws PortholeException 413 if it is larger than {@code limit}, 400 if it is not JSON
     */
    static JsonNode body(ServerRequest req, long limit) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > limit) throw tooLarge(limit);
        byte[] bytes;
        if (!req.content().hasEntity()) {
            bytes = new byte[0];
        } else {
            try (InputStream in = req.content().inputStream()) {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                if (bytes.length > limit) throw tooLarge(limit);
            } catch (IOException e) {
                throw new PortholeException(ErrorCode.INVALID_JSON, "the request body could not be read: " + e.getMessage());
            }
        }
        if (isBlank(bytes)) return JSON.createObjectNode();
        try {
            var node = JSON.readTree(bytes);
            return node == null || node.isMissingNode() ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            throw new PortholeException(ErrorCode.INVALID_JSON, "the body is not valid JSON: "
                    + (e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage()));
        }
    }

    private static boolean isBlank(byte[] b) {
        for (byte x : b) if (x != ' ' && x != '\n' && x != '\r' && x != '\t') return false;
        return true;
    }

    private static PortholeException tooLarge(long limit) {
        return new PortholeException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is larger than " + limit + " bytes");
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
        if (code == ErrorCode.LIMIT_EXCEEDED) res.header(HeaderNames.RETRY_AFTER, "5");
        send(res, code.httpStatus(), ErrorBody.of(code, message));
    }
}
