package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.testing.PageServer;
import io.porthole.testing.UpstreamProxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A computer's upstream proxy (with its credentials) is kept, encrypted, and chained again after a restart. */
class RestartUpstreamTest {
    private static final String KEY = "restart-upstream-key";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String base, String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(60));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theUpstreamProxyOutlivesASigkillOfTheServer(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-restart");
        try (var pages = PageServer.start(); var upstream = UpstreamProxy.start("alice", "s3cr3t-upstream")) {
            var server = ChildServer.start(dataDir, KEY, "--egress-allow=127.0.0.1");
            String id;
            try {
                var base = ChildServer.baseUrl(server);
                var created = call(base, "POST", "/computers", "{}");
                assertEquals(200, created.statusCode(), created.body());
                id = TestServer.JSON.readTree(created.body()).path("id").asText();
                var changed = call(base, "POST", "/computers/" + id + "/change-proxy",
                        "{\"proxy_url\":\"http://alice:s3cr3t-upstream@127.0.0.1:" + upstream.port() + "\"}");
                assertEquals(200, changed.statusCode(), changed.body());
                server.destroyForcibly();
                assertTrue(server.waitFor(10, TimeUnit.SECONDS));
            } finally {
                server.destroyForcibly();
            }
            for (var f : List.of("porthole.db", "porthole.db-wal")) {
                var file = dataDir.resolve(f);
                if (Files.exists(file)) {
                    assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("s3cr3t-upstream"),
                            f + " holds the proxy password in the clear");
                }
            }
            var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY).withEgressAllow(List.of("127.0.0.1"))
                    .toBuilder().stopComputersOnShutdown(true).build();
            try (var restarted = PortholeServer.start(config)) {
                var base = restarted.baseUrl();
                var nav = call(base, "POST", "/computers/" + id + "/navigate",
                        "{\"url\":\"" + pages.url("second.html") + "?after-restart\"}");
                assertEquals("success", TestServer.JSON.readTree(nav.body()).path("status").asText(), nav.body());
                assertTrue(upstream.seen().stream().anyMatch(s -> s.requestLine().contains("after-restart") && s.authorised()),
                        upstream.seen().toString());
                assertEquals(204, call(base, "DELETE", "/computers/" + id, null).statusCode());
            }
        }
    }
}
