package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.core.ComputersConfig;
import io.porthole.testing.PageServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One Porthole server and one page server for the whole test JVM (real Chromium is slow to start, so tests
 * share them), stopped at JVM exit. Tenant A uses {@link #KEY}; tenant B uses {@link #keyB()}.
 */
final class TestServer {
    static final String KEY = "test-key-tenant-a";
    /** Each computer's memory limit in the tests: room for a browser, not for a hog. */
    static final long MEMORY_LIMIT = 1L << 30;
    static final ObjectMapper JSON = new ObjectMapper();
    private static TestServer instance;

    final PortholeServer server;
    final PageServer pages;
    final Path dataDir;
    final String keyB;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer() {
        this(c -> c);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    /** A server of its own, configured like the shared one and then by {@code customize}; the caller closes it. */
    TestServer(java.util.function.UnaryOperator<ServerConfig> customize) {
        try {
            dataDir = Files.createTempDirectory("porthole-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var computers = new ComputersConfig(3600, 300, 24 * 3600, 16, 1280, 720);
        // the page server is on loopback, which computers may not reach unless allowed
        var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY).withComputers(computers)
                .withSchedulerTickMillis(50).withEgressAllow(java.util.List.of("127.0.0.1"))
                .withLimits(new io.porthole.runtime.local.LocalSandboxRuntime.Limits(MEMORY_LIMIT, 512))
                .toBuilder().stopComputersOnShutdown(true).build();
        server = PortholeServer.start(customize.apply(config));
        keyB = server.keys().create("tenant-b", "tests b", false).key();
        pages = PageServer.start();
    }

    void close() {
        server.close();
        pages.close();
        io.porthole.core.internal.Files2.deleteTree(dataDir);
    }

    static synchronized TestServer get() {
        if (instance == null) instance = new TestServer();
        return instance;
    }

    String keyB() {
        return keyB;
    }

    /** A response: status, headers and body parsed as JSON when it is JSON. */
    record Response(int status, JsonNode json, String body, HttpResponse<byte[]> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Response request(String method, String path, String body, Map<String, String> headers) {
        var b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).timeout(Duration.ofSeconds(90));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            var res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            var text = new String(res.body(), java.nio.charset.StandardCharsets.UTF_8);
            JsonNode json = null;
            if (res.headers().firstValue("Content-Type").orElse("").startsWith("application/json") && !text.isEmpty()) {
                json = JSON.readTree(text);
            }
            return new Response(res.statusCode(), json, text, res);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response call(String method, String path, String body) {
        return call(method, path, body, KEY);
    }

    Response call(String method, String path, String body, String key) {
        var headers = new java.util.HashMap<String, String>();
        if (key != null) headers.put("Authorization", "Bearer " + key);
        if (body != null) headers.put("Content-Type", "application/json");
        return request(method, path, body, headers);
    }

    Response post(String path, String body) {
        return call("POST", path, body);
    }

    /** Creates a browser computer for tenant A and returns its id. */
    String createComputer(String body) {
        var r = post("/computers", body);
        if (r.status() != 200) throw new AssertionError("create failed: " + r.status() + " " + r.body());
        return r.json().get("id").asText();
    }

    /** Posts an action to a computer route and returns the ActionResult, failing on a non-200 answer. */
    JsonNode action(String id, String route, String body) {
        var r = post("/computers/" + id + "/" + route, body);
        if (r.status() != 200) throw new AssertionError(route + " answered " + r.status() + ": " + r.body());
        return r.json();
    }

    void delete(String id) {
        call("DELETE", "/computers/" + id, null);
    }
}
