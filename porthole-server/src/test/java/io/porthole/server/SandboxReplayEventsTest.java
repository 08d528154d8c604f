package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay-event log: lifecycle, connection, navigation and artifact events of a sandbox's whole life,
 * newest first, cursor paginated, and still there after the server is stopped and started again on the same
 * data directory.
 */
class SandboxReplayEventsTest {

    /** Every event, page by page ({@code limit} a page), asserting the cursor contract on the way. */
    private static List<JsonNode> walk(java.util.function.Function<String, JsonNode> get, String id, int limit) {
        var out = new ArrayList<JsonNode>();
        String cursor = null;
        for (int pages = 0; pages < 200; pages++) {
            var page = get.apply("/browser-sandboxes/" + id + "/replay-events?limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + cursor));
            var items = page.path("items");
            assertTrue(items.size() <= limit, page.toString());
            items.forEach(out::add);
            if (page.path("nextCursor").isNull()) return out;
            assertEquals(limit, items.size(), "a page before the last is full: " + page);
            cursor = page.path("nextCursor").asText();
        }
        throw new AssertionError("the cursor never ended");
    }

    private static String key(JsonNode e) {
        return e.path("category").asText() + "/" + e.path("type").asText();
    }

    private static List<String> keys(List<JsonNode> events) {
        return events.stream().map(SandboxReplayEventsTest::key).toList();
    }

    private static JsonNode find(List<JsonNode> events, String key) {
        return events.stream().filter(e -> key(e).equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in " + keys(events)));
    }

    @Test
    void aSandboxsWholeLifeIsLoggedNewestFirstAndSurvivesARestart() throws Exception {
        var t = new TestServer(c -> c);
        boolean closed = false;
        try {
            java.util.function.Function<String, JsonNode> get = path -> {
                var r = t.call("GET", path, null);
                assertEquals(200, r.status(), r.body());
                return r.json();
            };
            var made = Sandboxes.create(t, "{}");
            var id = made.path("id").asText();
            try (var cdp = Sandboxes.Ws.connect(made.path("connect").path("cdp").asText())) {
                assertTrue(cdp.call("Browser.getVersion", "{}").has("result"));
            }
            Await.until("the CDP client's detach to be logged", 10_000, () ->
                    keys(walk(get, id, 100)).contains("connection/detached"));
            var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
            assertEquals("success", nav.path("status").asText(), nav.toString());
            var artifact = t.post("/browser-sandboxes/" + id + "/artifacts",
                    "{\"type\":\"har\",\"contentType\":\"application/json\",\"data\":\"e30=\"}");
            assertEquals(201, artifact.status(), artifact.body());
            assertEquals(200, t.post("/browser-sandboxes/" + id + "/suspend", null).status());
            assertEquals(200, t.post("/browser-sandboxes/" + id + "/resume", null).status());
            Sandboxes.rpcResult(t, id, "tabs.list", "{}");
            assertEquals("closed", t.call("DELETE", "/browser-sandboxes/" + id, null).json().path("state").asText());

            var all = walk(get, id, 1000);
            var k = keys(all);
            for (var expected : List.of("lifecycle/created", "connection/attached", "connection/detached",
                    "navigation/navigated", "artifact/stored", "lifecycle/suspended", "lifecycle/resumed",
                    "lifecycle/closed")) {
                assertTrue(k.contains(expected), expected + " in " + k);
            }
            // newest first: the close is the first item, the creation the last, and ids and times only go down
            assertEquals("lifecycle/closed", k.getFirst(), k.toString());
            assertEquals("lifecycle/created", k.getLast(), k.toString());
            assertTrue(k.indexOf("lifecycle/resumed") < k.indexOf("lifecycle/suspended"), k.toString());
            assertTrue(k.indexOf("lifecycle/suspended") < k.indexOf("artifact/stored"), k.toString());
            assertTrue(k.lastIndexOf("navigation/navigated") > k.indexOf("artifact/stored"), k.toString());
            for (int i = 1; i < all.size(); i++) {
                assertTrue(Long.parseLong(all.get(i - 1).path("id").asText()) > Long.parseLong(all.get(i).path("id").asText()));
                assertFalse(Instant.parse(all.get(i - 1).path("at").asText()).isBefore(Instant.parse(all.get(i).path("at").asText())));
            }
            // what each says
            assertEquals("deleted", find(all, "lifecycle/closed").path("data").path("reason").asText());
            assertEquals("chromium", find(all, "lifecycle/created").path("data").path("browser").asText());
            assertEquals(artifact.json().path("id").asText(), find(all, "artifact/stored").path("data").path("artifactId").asText());
            assertTrue(all.stream().anyMatch(e -> key(e).equals("navigation/navigated")
                    && e.path("data").path("url").asText().endsWith("/second.html")), all.toString());
            var protocols = all.stream().filter(e -> e.path("category").asText().equals("connection"))
                    .map(e -> e.path("type").asText() + ":" + e.path("data").path("protocol").asText()).toList();
            assertTrue(protocols.containsAll(List.of("attached:cdp", "detached:cdp", "attached:rpc", "detached:rpc")),
                    protocols.toString());

            // paginated: pages of 2 give the same events as one page
            assertEquals(all, walk(get, id, 2));
            var first = get.apply("/browser-sandboxes/" + id + "/replay-events?limit=3");
            assertEquals(3, first.path("items").size());
            assertTrue(first.path("nextCursor").isTextual(), first.toString());
            Sandboxes.assertError(t.call("GET", "/browser-sandboxes/" + id + "/replay-events?cursor=x", null), 400,
                    "invalid_argument");
            Sandboxes.assertError(t.call("GET", "/browser-sandboxes/" + id + "/replay-events", null, t.keyB()), 404,
                    "not_found");

            // durable: stop the server, start a new one on the same data directory
            t.server.close();
            closed = true;
            try (var again = PortholeServer.start(t.server.config())) {
                var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                java.util.function.Function<String, JsonNode> getAgain = path -> {
                    try {
                        var r = http.send(HttpRequest.newBuilder(URI.create(again.baseUrl() + path))
                                .header("Authorization", "Bearer " + TestServer.KEY).timeout(Duration.ofSeconds(30))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals(200, r.statusCode(), r.body());
                        return TestServer.JSON.readTree(r.body());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                assertEquals(all, walk(getAgain, id, 1000), "every event is still there after the restart");
                assertEquals("closed", getAgain.apply("/browser-sandboxes/" + id).path("state").asText());
            }
        } finally {
            if (closed) {
                t.pages.close();
                io.porthole.core.internal.Files2.deleteTree(t.dataDir);
            } else {
                t.close();
            }
        }
    }
}
