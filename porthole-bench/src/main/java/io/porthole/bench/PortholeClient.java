package io.porthole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The Computers API over the JDK's HTTP client (HTTP/1.1, keep-alive), as an agent would call it. */
final class PortholeClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, raw body, and the body as JSON when it is JSON. */
    record Response(int status, String body, JsonNode json) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** A one-line description for error messages. */
        String describe() {
            var b = body.length() > 400 ? body.substring(0, 400) + "…" : body;
            return "HTTP " + status + (b.isEmpty() ? "" : ": " + b);
        }
    }

    private final HttpClient http;
    private final String baseUrl;
    private final String apiKey;

    PortholeClient(HttpClient http, String baseUrl, String apiKey) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    Response post(String path, String json, Duration timeout) throws IOException, InterruptedException {
        return send(request(path, timeout).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Response get(String path, Duration timeout) throws IOException, InterruptedException {
        return send(request(path, timeout).GET().build());
    }

    Response delete(String path, Duration timeout) throws IOException, InterruptedException {
        return send(request(path, timeout).DELETE().build());
    }

    /** GETs an absolute URL the server handed out (a screenshot_url) and returns its bytes; throws unless 200. */
    byte[] fetch(String url, Duration timeout) throws IOException, InterruptedException {
        var res = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (res.statusCode() != 200) throw new IOException("GET " + url + " answered HTTP " + res.statusCode());
        return res.body();
    }

    /**
     * An NDJSON answer: the status, the last line (the whole body when the status is not 200) and when, by
     * {@link System#nanoTime()}, the headers, the first line whose {@code type} is {@code exit} or {@code error},
     * and the end of the body arrived.
     */
    record Stream(Response response, long headersAt, long lastLineAt, long endAt) {}

    /** POSTs to an NDJSON endpoint ({@code /exec}) and reads the stream to its end. */
    Stream postNdjson(String path, String json, Duration timeout) throws IOException, InterruptedException {
        var res = http.send(request(path, timeout).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long headersAt = System.nanoTime();
        long lastLineAt = 0;
        String last = "";
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(res.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (res.statusCode() != 200) {
                    last = last + line;
                } else if (!line.isEmpty()) {
                    last = line;
                    if (lastLineAt == 0 && (line.contains("\"type\":\"exit\"") || line.contains("\"type\":\"error\""))) {
                        lastLineAt = System.nanoTime();
                    }
                }
            }
        }
        long endAt = System.nanoTime();
        JsonNode node = null;
        try {
            node = last.isBlank() ? null : JSON.readTree(last);
        } catch (IOException notJson) {
            // kept as text
        }
        return new Stream(new Response(res.statusCode(), last, node), headersAt, lastLineAt == 0 ? endAt : lastLineAt,
                endAt);
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json");
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        var res = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        var body = res.body() == null ? "" : res.body();
        if (!body.isBlank()) {
            try {
                json = JSON.readTree(body);
            } catch (IOException notJson) {
                // kept as text
            }
        }
        return new Response(res.statusCode(), body, json);
    }
}
