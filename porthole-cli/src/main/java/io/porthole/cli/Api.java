package io.porthole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The CLI's calls to a Porthole server: JSON requests and the two streams (NDJSON exec, SSE events). Every failure is
 * a {@link CliException} with the server's code, or {@code connection_failed} / {@code timeout}; the key is only ever
 * in the Authorization header. Thread-safe.
 */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;

    Api(String baseUrl, String apiKey, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode get(String path) {
        return json(request("GET", path, null, "application/json"));
    }

    JsonNode post(String path, Object body) {
        return json(request("POST", path, body, "application/json"));
    }

    JsonNode delete(String path) {
        return json(request("DELETE", path, null, "*/*"));
    }

    /** Saves a download's bytes at {@code target} (through a temporary file beside it, so a failure leaves none). */
    void download(String path, Path target) {
        var res = send(builder("GET", path, null, "*/*").timeout(timeout), HttpResponse.BodyHandlers.ofInputStream());
        try (var in = check(res)) {
            writeAtomically(in, target);
        } catch (IOException e) {
            throw CliException.error("io_error", "could not write " + target + ": " + e.getMessage());
        }
    }

    /** Posts and hands each NDJSON line to {@code line} as it comes, until the stream ends or {@code line} says stop. */
    void ndjson(String path, Object body, Predicate<JsonNode> line) {
        var res = send(builder("POST", path, body, "application/x-ndjson").timeout(timeout),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var in = check(res); var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String l;
            while ((l = reader.readLine()) != null) {
                if (l.isBlank()) continue;
                if (!line.test(JSON.readTree(l))) return;
            }
        } catch (IOException e) {
            throw new CliException("connection_failed", "the stream from " + baseUrl + " broke: " + e.getMessage(),
                    ExitCodes.CONNECTION);
        }
    }

    /** One server-sent event: its id, name (null for a default event) and data. */
    record Event(String id, String name, String data) {}

    /** Follows an SSE stream, handing each event (not comments) to {@code event}, until the server ends it. */
    void events(String path, String lastEventId, Consumer<Event> event) {
        var b = builder("GET", path, null, "text/event-stream").timeout(timeout);
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        var res = send(b, HttpResponse.BodyHandlers.ofInputStream());
        try (var in = check(res); var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String id = null, name = null;
            var data = new StringBuilder();
            String l;
            while ((l = reader.readLine()) != null) {
                if (l.isEmpty()) {
                    if (!data.isEmpty()) event.accept(new Event(id, name, data.toString()));
                    name = null;
                    data.setLength(0);
                    continue;
                }
                if (l.startsWith(":")) continue;
                int colon = l.indexOf(':');
                var field = colon < 0 ? l : l.substring(0, colon);
                var value = colon < 0 ? "" : l.substring(colon + 1);
                if (value.startsWith(" ")) value = value.substring(1);
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> {
                        if (!data.isEmpty()) data.append('\n');
                        data.append(value);
                    }
                    default -> { }
                }
            }
            if (!data.isEmpty()) event.accept(new Event(id, name, data.toString()));
        } catch (IOException e) {
            throw new CliException("connection_failed", "the stream from " + baseUrl + " broke: " + e.getMessage(),
                    ExitCodes.CONNECTION);
        }
    }

    private HttpResponse<byte[]> request(String method, String path, Object body, String accept) {
        var res = send(builder(method, path, body, accept).timeout(timeout), HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() >= 400) throw failure(res.statusCode(), res.body());
        return res;
    }

    private static JsonNode json(HttpResponse<byte[]> res) {
        if (res.body().length == 0) return JSON.nullNode();
        try {
            return JSON.readTree(res.body());
        } catch (IOException e) {
            throw CliException.error("bad_response", "the server answered " + res.statusCode() + " with a body that is not JSON");
        }
    }

    private HttpRequest.Builder builder(String method, String path, Object body, String accept) {
        URI uri;
        try {
            uri = URI.create(baseUrl + path);
        } catch (IllegalArgumentException e) {
            throw new CliException("invalid_base_url", "'" + baseUrl + "' is not a URL", ExitCodes.USAGE);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new CliException("invalid_base_url", "the base URL must be http:// or https:// with a host, not '"
                    + baseUrl + "'", ExitCodes.USAGE);
        }
        var b = HttpRequest.newBuilder(uri).header("Accept", accept).header("User-Agent", "porthole-cli");
        if (apiKey != null && !apiKey.isEmpty()) b.header("Authorization", "Bearer " + apiKey);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(b.build(), handler);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new CliException("connection_failed", "cannot reach " + baseUrl + " (is the server running? set"
                    + " --base-url or PORTHOLE_BASE_URL)", ExitCodes.CONNECTION);
        } catch (HttpTimeoutException e) {
            throw new CliException("timeout", "no answer from " + baseUrl + " within " + timeout.toSeconds()
                    + " s (--timeout)", ExitCodes.CONNECTION);
        } catch (IOException e) {
            throw new CliException("connection_failed", "talking to " + baseUrl + " failed: " + e.getMessage(),
                    ExitCodes.CONNECTION);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", "interrupted", ExitCodes.ERROR);
        }
    }

    /** The body's stream when the answer is a success; the server's error otherwise. */
    private static InputStream check(HttpResponse<InputStream> res) {
        if (res.statusCode() < 400) return res.body();
        byte[] body;
        try (var in = res.body()) {
            body = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            body = new byte[0];
        }
        throw failure(res.statusCode(), body);
    }

    private static CliException failure(int status, byte[] body) {
        String code = "http_" + status, message = "the server answered " + status;
        try {
            var n = JSON.readTree(body);
            if (n != null && n.hasNonNull("code")) code = n.get("code").asText();
            if (n != null && n.hasNonNull("message")) message = n.get("message").asText();
        } catch (IOException e) {
            // not JSON: the status says it
        }
        return CliException.http(status, code, message);
    }

    /** Writes a stream at {@code target} through a temporary file beside it, moved into place at the end. */
    static void writeAtomically(InputStream in, Path target) throws IOException {
        var dir = target.toAbsolutePath().getParent();
        var tmp = Files.createTempFile(dir, ".porthole-", ".part");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
