package io.porthole.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * Plain JSON requests, for the admin API that the SDK leaves out (keys). Every failure is a {@link CliException} with
 * the server's code, or {@code connection_failed} / {@code timeout}; the key is only ever in the Authorization header.
 * Thread-safe.
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
