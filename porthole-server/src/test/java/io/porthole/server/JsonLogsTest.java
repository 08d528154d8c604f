package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.testing.PageServer;
import io.porthole.testing.UpstreamProxy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code porthole serve} with {@code PORTHOLE_LOG_FORMAT=json} (and debug lines on): a computer is created behind a
 * proxy with a password, driven, refused a bad action, reached with its access token and deleted, and the server
 * is stopped. Every line it wrote, on stdout and stderr, is one JSON object with the fields of ADR 0034; every
 * line that names the computer carries its id and tenant; and no line holds the API key, either proxy password or
 * the access token.
 */
class JsonLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private static String random() {
        var b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Test
    void everyLineIsJsonNamesItsComputerAndHoldsNoSecret() throws Exception {
        var key = "key-" + random();
        var proxyPassword = "pw-" + random();
        var advancedPassword = "adv-" + random();
        var lines = new CopyOnWriteArrayList<String>();
        String id;
        String token;
        try (var pages = PageServer.start();
             var proxy = UpstreamProxy.start("agent", proxyPassword);
             var advanced = UpstreamProxy.start("operator", advancedPassword)) {
            var server = ChildServer.start(Map.of("PORTHOLE_LOG_FORMAT", "json", "PORTHOLE_LOG_LEVEL", "debug"), dataDir,
                    key, "--egress-allow=127.0.0.1",
                    "--advanced-proxy-url=http://operator:" + advancedPassword + "@127.0.0.1:" + advanced.port());
            try {
                var base = baseUrl(server, lines);
                var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                var created = call(http, key, "POST", base + "/computers", "{\"kind\":\"browser\"}");
                assertEquals(200, created.statusCode(), created.body());
                id = JSON.readTree(created.body()).path("id").asText();
                var proxied = call(http, key, "POST", base + "/computers/" + id + "/change-proxy",
                        "{\"proxy_url\":\"http://agent:" + proxyPassword + "@127.0.0.1:" + proxy.port() + "\"}");
                assertEquals(200, proxied.statusCode(), proxied.body());
                var navigated = call(http, key, "POST", base + "/computers/" + id + "/navigate",
                        "{\"url\":\"" + pages.url("second.html") + "?password=" + proxyPassword + "\"}");
                assertEquals(200, navigated.statusCode(), navigated.body());
                assertTrue(proxy.seen().stream().anyMatch(UpstreamProxy.Seen::authorised), "through the proxy: "
                        + navigated.body() + " " + proxy.seen());
                var refused = call(http, key, "POST", base + "/computers/" + id + "/navigate",
                        "{\"url\":\"javascript:alert(1)\"}");
                assertEquals(400, refused.statusCode(), refused.body());
                var version = call(http, key, "GET", base + "/computers/" + id + "/cdp/json/version", null);
                assertEquals(200, version.statusCode(), version.body());
                var ws = JSON.readTree(version.body()).path("webSocketDebuggerUrl").asText();
                token = ws.substring(ws.indexOf("token=") + "token=".length());
                assertTrue(token.startsWith("pat_"), ws);
                var byToken = call(http, null, "GET", base + "/computers/" + id + "/cdp/json/version?token=" + token, null);
                assertEquals(200, byToken.statusCode(), byToken.body());
                var deleted = call(http, key, "DELETE", base + "/computers/" + id, null);
                assertTrue(deleted.statusCode() == 200 || deleted.statusCode() == 204, deleted.body());
            } finally {
                // SIGTERM: the server's shutdown lines are part of the output too
                server.destroy();
                assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stops on SIGTERM");
            }
            awaitOutputEnd(lines);
        }
        var parsed = new ArrayList<JsonNode>();
        for (var line : lines) {
            if (line.equals(END)) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + line, e);
            }
            assertTrue(node.isObject(), line);
            for (var field : List.of("ts", "level", "logger", "message", "thread")) {
                assertTrue(node.path(field).isTextual(), field + " in " + line);
            }
            assertTrue(node.path("ts").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
            assertTrue(List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(node.path("level").asText()), line);
            parsed.add(node);
        }
        var about = parsed.stream().filter(n -> n.path("message").asText().contains(id)).toList();
        assertTrue(about.size() >= 2, "lines about the computer: " + about);
        for (var n : about) {
            assertEquals(id, n.path("computer_id").asText(), "computer_id: " + n);
            assertEquals("default", n.path("tenant").asText(), "tenant: " + n);
        }
        assertTrue(about.stream().anyMatch(n -> n.path("message").asText().contains("running")), "its start: " + about);
        assertTrue(about.stream().anyMatch(n -> n.path("message").asText().contains("terminated")), "its end: " + about);
        var all = String.join("\n", lines);
        for (var secret : List.of(key, proxyPassword, advancedPassword, token)) {
            assertFalse(all.contains(secret), "a secret in the log: " + secret);
        }
        assertTrue(all.contains("listening on"), all);
    }

    private static final String END = "\u0000end";

    /** Collects every line the server prints; returns its URL once it says where it listens. */
    private static String baseUrl(Process server, List<String> lines) throws Exception {
        var found = new CompletableFuture<String>();
        // a platform thread: reading a pipe pins a virtual thread's carrier
        Thread.ofPlatform().daemon(true).start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    var m = java.util.regex.Pattern.compile("listening on (http://[^\\s\"]+)").matcher(line);
                    if (m.find()) found.complete(m.group(1));
                }
            } catch (java.io.IOException e) {
                found.completeExceptionally(e);
            } finally {
                lines.add(END);
                found.completeExceptionally(new IllegalStateException("the server ended without saying where it listens"));
            }
        });
        try {
            return found.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the server did not start: " + e + "; it printed:\n" + String.join("\n", lines), e);
        }
    }

    private static void awaitOutputEnd(List<String> lines) {
        Await.until("the end of the server's output", 30_000, () -> lines.contains(END));
    }

    private static HttpResponse<String> call(HttpClient http, String key, String method, String url, String body)
            throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
