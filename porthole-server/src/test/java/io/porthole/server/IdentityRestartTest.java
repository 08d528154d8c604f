package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A computer's identity is kept with it: a restarted server takes it over with the identity it was launched with. */
class IdentityRestartTest {
    private static final String KEY = "identity-restart-key";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String base, String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(60));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theIdentityOutlivesASigkillOfTheServer(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-identity-restart");
        var server = ChildServer.start(dataDir, KEY, "--pool=off");
        String id;
        String before;
        try {
            var base = ChildServer.baseUrl(server);
            var created = call(base, "POST", "/computers", "{\"identity\":{\"timezone\":\"Asia/Kolkata\",\"locale\":\"hi-IN\","
                    + "\"geolocation\":{\"latitude\":28.61,\"longitude\":77.2,\"accuracy\":30}}}");
            assertEquals(200, created.statusCode(), created.body());
            var json = TestServer.JSON.readTree(created.body());
            id = json.path("id").asText();
            before = json.path("identity").toString();
            assertEquals("Asia/Kolkata", json.path("identity").path("timezone").asText(), created.body());
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY).toBuilder()
                .stopComputersOnShutdown(true).build();
        try (var restarted = PortholeServer.start(config)) {
            var base = restarted.baseUrl();
            var got = call(base, "GET", "/computers/" + id, null);
            assertEquals(200, got.statusCode(), got.body());
            var json = TestServer.JSON.readTree(got.body());
            assertEquals("running", json.path("status").asText(), got.body());
            assertEquals(before, json.path("identity").toString());
            var events = call(base, "GET", "/computers/" + id + "/replay-events?limit=50", null).body();
            assertTrue(events.contains("adopted"), "taken over, not started again: " + events);
            var shot = call(base, "POST", "/computers/" + id + "/screenshot", "{\"base64\":true}");
            assertEquals(200, shot.statusCode(), shot.body());
            assertEquals(204, call(base, "DELETE", "/computers/" + id, null).statusCode());
        }
    }
}
