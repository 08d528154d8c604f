package io.porthole.server;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.helidon.webserver.http.ServerRequest;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of an artifact upload, {@code {"type", "contentType", "name", "data"}}, read as it streams: {@code data}
 * is decoded from base64 straight into bytes, never held as one JSON string (Jackson refuses strings over 20
 * million characters, and the string would cost three times the artifact in memory). So the largest upload is
 * set by {@code PORTHOLE_MAX_ARTIFACT_BYTES} alone.
 *
 * <p>{@code data} is standard base64 (RFC 4648's alphabet), padding optional; whitespace and line breaks may
 * come between its four-character groups.
 *
 * @param type the artifact type as given, or null
 * @param contentType the media type as given, or null
 * @param name the file name as given, or null
 * @param data the decoded bytes
 */
record ArtifactUpload(String type, String contentType, String name, byte[] data) {
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withPaddingAllowed();
    /** Room for the fields around {@code data} and JSON whitespace. */
    private static final long ENVELOPE_BYTES = 64 * 1024;
    /** The largest array the JVM makes. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Reads the request's body.
     *
     * @param maxBytes the largest artifact, decoded
     * @throws PortholeException 413 {@code payload_too_large} over the limit; 400 {@code invalid_json} if the
     *     body is not one JSON object; 400 {@code invalid_argument} if a field has the wrong type or {@code data}
     *     is not base64
     */
    static ArtifactUpload read(ServerRequest req, long maxBytes) {
        long limit = Math.min(maxBytes, MAX_ARRAY);
        // base64 is 4/3 of the bytes, plus the JSON around it
        long bodyLimit = limit / 3 * 4 + 4 + ENVELOPE_BYTES;
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > bodyLimit) throw tooLarge(limit);
        if (!req.content().hasEntity()) throw badData();
        try (var in = new Bounded(Http.entity(req), bodyLimit, limit);
             JsonParser p = Http.JSON.createParser(in)) {
            var first = p.nextToken();
            if (first == null) throw badData();
            if (first != JsonToken.START_OBJECT) throw notAnObject();
            String type = null;
            String contentType = null;
            String name = null;
            byte[] data = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                var field = p.currentName();
                var value = p.nextToken();
                switch (field) {
                    case "data" -> data = value == JsonToken.VALUE_NULL ? null : decode(p, value, limit);
                    case "type" -> type = text(p, value, field);
                    case "contentType" -> contentType = text(p, value, field);
                    case "name" -> name = text(p, value, field);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) throw notAnObject();
            if (data == null) throw badData();
            return new ArtifactUpload(type, contentType, name, data);
        } catch (JsonProcessingException e) {
            throw new PortholeException(ErrorCode.INVALID_JSON, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PortholeException(ErrorCode.INVALID_JSON, "the request body could not be read: " + e.getMessage());
        }
    }

    private static byte[] decode(JsonParser p, JsonToken value, long limit) throws IOException {
        if (value != JsonToken.VALUE_STRING) throw badData();
        // grown as bytes arrive, not sized from Content-Length: a length alone costs nothing
        var out = new BoundedBytes(limit);
        try {
            p.readBinaryValue(BASE64, out);
        } catch (JsonProcessingException e) {
            // a character outside the alphabet, misplaced padding or whitespace inside a group (Jackson reports
            // some of these as one exception, some as the other)
            throw new PortholeException.InvalidRequest("'data' is not valid base64: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw new PortholeException.InvalidRequest("'data' is not valid base64: " + e.getMessage());
        }
        return out.toByteArray();
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) return null;
        if (value != JsonToken.VALUE_STRING) throw new PortholeException.InvalidRequest("'" + field + "' must be a string");
        return p.getText();
    }

    private static PortholeException badData() {
        return new PortholeException.InvalidRequest("'data' must be the bytes as a base64 string");
    }

    private static PortholeException notAnObject() {
        return new PortholeException(ErrorCode.INVALID_JSON, "the body must be one JSON object"
                + " {\"type\", \"contentType\", \"name\", \"data\"}");
    }

    private static PortholeException tooLarge(long limit) {
        return new PortholeException(ErrorCode.PAYLOAD_TOO_LARGE, "an artifact may be at most " + limit
                + " bytes (PORTHOLE_MAX_ARTIFACT_BYTES)");
    }

    /** The body, refused with a 413 once it is longer than a base64 artifact of the limit can be. */
    private static final class Bounded extends FilterInputStream {
        private final long maxBody;
        private final long maxArtifact;
        private long read;

        Bounded(InputStream in, long maxBody, long maxArtifact) {
            super(in);
            this.maxBody = maxBody;
            this.maxArtifact = maxArtifact;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count(n);
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > maxBody) throw tooLarge(maxArtifact);
        }
    }

    /** Decoded bytes, refused with a 413 past the limit. */
    private static final class BoundedBytes extends ByteArrayOutputStream {
        private final long limit;

        BoundedBytes(long limit) {
            super(64 * 1024);
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            if (count + 1L > limit) throw tooLarge(limit);
            super.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + (long) len > limit) throw tooLarge(limit);
            super.write(b, off, len);
        }
    }
}
