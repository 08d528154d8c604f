package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.PageServer;
import io.porthole.testing.S3Fixture;
import io.porthole.testing.SseClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three nodes on one PostgreSQL (ADR 0026): a create lands where there is room, every API works through a node that
 * does not own the computer, a SIGKILLed node's computers fail within the configured time while the others go on, a
 * drain waits for its computers and exits 0, and the killed node comes back and sweeps what it left.
 *
 * <p>Capacities: a 1, b 2, c 1; placement takes the node with most room, the node asked first when tied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final long DOWN_AFTER_MILLIS = 2500;

    private TestCluster cluster;
    private PageServer pages;
    private S3Fixture s3;
    /** An artifact stored on b's computer, and its bytes. */
    private String artifact;
    private final byte[] artifactBytes = "a trace kept in the bucket every node reads".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** On b (placed there from a), on c (firefox, asked at c), on a, on b again (a full). */
    private String onB;
    private String firefoxOnC;
    private String onA;
    private String secondOnB;

    @BeforeAll
    void start() {
        NodeScripts.nodeModules();
        pages = PageServer.start();
        s3 = S3Fixture.start();
        cluster = new TestCluster(200, DOWN_AFTER_MILLIS, Map.of("PORTHOLE_BLOBS", "s3",
                "PORTHOLE_S3_ENDPOINT", s3.endpoint().toString(), "PORTHOLE_S3_REGION", s3.region(),
                "PORTHOLE_S3_BUCKET", s3.bucket(), "PORTHOLE_S3_ACCESS_KEY_ID", s3.accessKeyId(),
                "PORTHOLE_S3_SECRET_ACCESS_KEY", s3.secretAccessKey()));
        cluster.start("a", "--max-computers=1");
        cluster.start("b", "--max-computers=2");
        cluster.start("c", "--max-computers=1");
    }

    @AfterAll
    void stop() {
        if (cluster != null) cluster.close();
        if (pages != null) pages.close();
        if (s3 != null) s3.close();
    }

    private String create(String via, String body, String expectedNode) {
        var r = cluster.call(via, "POST", "/computers", body);
        assertEquals(200, r.status(), r.body());
        assertEquals(expectedNode, TestCluster.servedBy(r), "placed on " + TestCluster.servedBy(r) + ": " + r.body());
        return r.json().path("id").asText();
    }

    private JsonNode action(String via, String id, String route, String body) {
        var r = cluster.call(via, "POST", "/computers/" + id + "/" + route, body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    @Order(1)
    void everyNodeSeesTheOthers() {
        var r = cluster.call("c", "GET", "/admin/nodes", null);
        assertEquals(200, r.status(), r.body());
        var ids = new java.util.ArrayList<String>();
        r.json().path("items").forEach(n -> {
            ids.add(n.path("id").asText());
            assertEquals("up", n.path("state").asText(), n.toString());
        });
        assertEquals(java.util.List.of("a", "b", "c"), ids);
        assertEquals(200, cluster.call("a", "GET", "/ready", null).status());
    }

    @Test
    @Order(2)
    void createsLandWhereThereIsRoomAndTheClusterAnswers429WhenFull() {
        onB = create("a", "{\"kind\":\"browser\"}", "b");
        firefoxOnC = create("c", "{\"kind\":\"browser\",\"engine\":\"firefox\"}", "c");
        onA = create("a", "{\"kind\":\"browser\"}", "a");
        // a is full now: its create goes to b
        secondOnB = create("a", "{\"kind\":\"browser\"}", "b");
        var full = cluster.call("c", "POST", "/computers", "{\"kind\":\"browser\"}");
        assertEquals(429, full.status(), full.body());
        assertEquals("limit_exceeded", full.json().path("code").asText(), full.body());
    }

    @Test
    @Order(3)
    void actionsAndBatchWorkThroughANodeThatDoesNotOwnTheComputer() {
        var nav = action("a", onB, "navigate", "{\"url\":\"" + pages.url("input.html") + "\"}");
        assertEquals("success", nav.path("status").asText(), nav.toString());
        var r = cluster.call("c", "GET", "/computers/" + onB, null);
        assertEquals(200, r.status(), r.body());
        assertEquals("b", TestCluster.servedBy(r));
        assertEquals("running", r.json().path("status").asText());
        var batch = action("c", onB, "batch", "{\"actions\":[{\"type\":\"click\",\"x\":100,\"y\":100},"
                + "{\"type\":\"type\",\"text\":\"through c\"}]}");
        assertTrue(batch.path("success").asBoolean(), batch.toString());
        assertEquals(2, batch.path("executed").asInt(), batch.toString());
        var shot = action("a", onB, "screenshot", "{}");
        var url = shot.path("result").path("screenshot_url").asText(shot.path("screenshot_url").asText());
        assertTrue(url.startsWith("http"), shot.toString());
        // the screenshot URL b handed out works through every node (the picture is in the shared bucket)
        var shotPath = URI.create(url).getRawPath();
        for (var via : new String[] {"a", "c"}) {
            var png = cluster.request(via, "GET", shotPath, null, Map.of());
            assertEquals(200, png.status(), via + ": " + png.body());
            assertEquals("image/png", png.header("Content-Type"));
            assertTrue(png.raw().body().length > 1000);
        }
        // a bad input through another node gets the owner's 4xx, and the computer stays usable
        var bad = cluster.call("a", "POST", "/computers/" + onB + "/click", "{\"x\":\"left\"}");
        assertEquals(400, bad.status(), bad.body());
        assertEquals("success", action("a", onB, "screenshot", "{}").path("status").asText());
    }

    @Test
    @Order(4)
    void artifactsAreStoredAndFetchedThroughNodesThatDoNotOwnTheComputer() {
        var body = TestServer.JSON.createObjectNode().put("type", "trace").put("contentType", "application/zip")
                .put("name", "trace.zip").put("data", java.util.Base64.getEncoder().encodeToString(artifactBytes));
        var stored = cluster.call("a", "POST", "/browser-sandboxes/" + onB + "/artifacts", body.toString());
        assertEquals(201, stored.status(), stored.body());
        artifact = stored.json().path("id").asText();
        var fetched = cluster.call("c", "GET", "/browser-sandboxes/" + onB + "/artifacts/" + artifact, null);
        assertEquals(200, fetched.status(), fetched.body());
        assertEquals(new String(artifactBytes, java.nio.charset.StandardCharsets.UTF_8), fetched.body());
    }

    @Test
    @Order(4)
    void execStreamsThroughANodeThatDoesNotOwnTheComputer() throws Exception {
        // the command waits for a file that the test makes only once it has read the first line: a forwarder that
        // held the stream back would let the command time out instead
        var command = "echo ready; for i in $(seq 1 300); do [ -e /tmp/go ] && echo went && exit 0; sleep 0.1; done;"
                + " echo timed-out";
        var request = HttpRequest.newBuilder(URI.create(cluster.member("a").url() + "/computers/" + onB + "/exec"))
                .header("Authorization", "Bearer " + TestCluster.KEY).header("Content-Type", "application/json")
                .header("Accept", "application/x-ndjson").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.JSON.writeValueAsString(
                        Map.of("command", command)))).build();
        var response = TestCluster.HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        var lines = response.body().iterator();
        var seen = new StringBuilder();
        while (lines.hasNext()) {
            var line = TestServer.JSON.readTree(lines.next());
            seen.append(line).append('\n');
            if (decoded(line).contains("ready")) break;
        }
        var go = cluster.call("c", "POST", "/computers/" + onB + "/exec/sync", "{\"command\":\"touch /tmp/go\"}");
        assertEquals(200, go.status(), go.body());
        var rest = new StringBuilder();
        while (lines.hasNext()) {
            var line = TestServer.JSON.readTree(lines.next());
            rest.append(decoded(line));
            seen.append(line).append('\n');
        }
        assertTrue(rest.toString().contains("went"), "the command saw the file made after its first line: " + seen);
    }

    /** The text of an exec stream line (a stdout or stderr chunk). */
    private static String decoded(JsonNode line) {
        return line.path("data").asText("");
    }

    @Test
    @Order(5)
    void eventsAndTheScreencastStreamThroughANodeThatDoesNotOwnTheComputer() {
        var headers = Map.of("Authorization", "Bearer " + TestCluster.KEY);
        try (var events = SseClient.open(TestCluster.HTTP, cluster.member("c").url() + "/computers/" + onB + "/events", headers)) {
            assertEquals(200, events.status());
            var requestId = action("a", onB, "scroll", "{\"x\":100,\"y\":100,\"scroll_x\":0,\"scroll_y\":50}")
                    .path("request_id").asText();
            assertTrue(requestId.startsWith("req_"), requestId);
            var done = events.await(e -> e.data() != null && e.data().contains("action_response")
                    && e.data().contains(requestId), Duration.ofSeconds(30));
            assertNotNull(done);
        }
        try (var cast = SseClient.open(TestCluster.HTTP, cluster.member("a").url() + "/computers/" + onB + "/screencast", headers)) {
            assertEquals(200, cast.status());
            var frame = cast.await(e -> !e.isComment() && e.data() != null && e.data().length() > 100, Duration.ofSeconds(30));
            assertNotNull(frame);
        }
    }

    @Test
    @Order(6)
    void rpcWorksThroughANodeThatDoesNotOwnTheSandbox() {
        var r = cluster.request("a", "POST", "/browser-sandboxes/" + onB + "/rpc",
                "{\"id\":1,\"method\":\"tabs.list\",\"params\":{}}\n", Map.of("Authorization", "Bearer " + TestCluster.KEY,
                        "Content-Type", "application/x-ndjson"));
        assertEquals(200, r.status(), r.body());
        assertEquals("b", TestCluster.servedBy(r));
        assertTrue(r.body().contains("\"result\""), r.body());
    }

    @Test
    @Order(7)
    void playwrightOverCdpAndPuppeteerOverBidiThroughANodeThatDoesNotOwnTheComputer() {
        var cdp = scriptEnv(cluster.member("c").url().replaceFirst("^http", "ws") + "/computers/" + onB + "/cdp");
        var played = NodeScripts.run("playwright-cdp.js", cdp, SCRIPT_TIMEOUT).assertOk().json();
        assertTrue(played.path("ok").asBoolean(), played.toString());
        assertEquals("from playwright", played.path("value").asText(), played.toString());

        var bidi = scriptEnv(cluster.member("a").url().replaceFirst("^http", "ws") + "/browser-sandboxes/" + firefoxOnC + "/bidi");
        bidi.put("PORTHOLE_PROTOCOL", "webDriverBiDi");
        var puppeteer = NodeScripts.run("puppeteer-client.js", bidi, SCRIPT_TIMEOUT).assertOk().json();
        assertTrue(puppeteer.path("ok").asBoolean(), puppeteer.toString());
        assertEquals("from puppeteer", puppeteer.path("value").asText(), puppeteer.toString());
    }

    private Map<String, String> scriptEnv(String endpoint) {
        var env = new HashMap<String, String>();
        env.put("PORTHOLE_ENDPOINT", endpoint);
        env.put("PAGE_URL", pages.url("input.html"));
        env.put("SCRIPT_TIMEOUT_MS", String.valueOf(SCRIPT_TIMEOUT.minusSeconds(10).toMillis()));
        env.put("PORTHOLE_API_KEY", TestCluster.KEY);
        return env;
    }

    @Test
    @Order(8)
    void aDeleteThroughAnotherNodeEndsTheComputerOnItsOwner() {
        var r = cluster.call("c", "DELETE", "/computers/" + onA, null);
        assertTrue(r.status() == 200 || r.status() == 204, r.status() + " " + r.body());
        var after = cluster.call("b", "GET", "/computers/" + onA, null);
        assertEquals(200, after.status(), after.body());
        assertEquals("terminated", after.json().path("status").asText(), after.body());
    }

    @Test
    @Order(9)
    void aKilledNodesComputersFailWithinTheConfiguredTimeWhileTheOthersGoOn() throws Exception {
        cluster.kill("b");
        // within the time a node may be silent, and some heartbeats to notice it
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DOWN_AFTER_MILLIS + 10_000);
        JsonNode seen = null;
        while (System.nanoTime() < deadline) {
            var r = cluster.call("a", "GET", "/computers/" + onB, null);
            seen = r.json();
            if (r.status() == 200 && "failed".equals(seen.path("status").asText())) break;
            Thread.sleep(100);
        }
        assertNotNull(seen);
        assertEquals("failed", seen.path("status").asText(), String.valueOf(seen));
        var second = cluster.call("c", "GET", "/computers/" + secondOnB, null);
        assertEquals("failed", second.json().path("status").asText(), second.body());
        // an action on it gets the ordinary not-running answer at once
        var refused = cluster.call("c", "POST", "/computers/" + onB + "/screenshot", "{}");
        assertTrue(refused.status() >= 400 && refused.status() < 500, refused.status() + " " + refused.body());
        // the node is down, and its computers' logs say why
        var nodes = cluster.call("a", "GET", "/admin/nodes/b", null);
        assertEquals("down", nodes.json().path("state").asText(), nodes.body());
        var events = cluster.call("c", "GET", "/computers/" + onB + "/replay-events", null);
        assertTrue(events.body().contains("node_lost"), events.body());
        // what it stored is still there for every node: the record in the database, the bytes in the bucket
        var kept = cluster.call("a", "GET", "/computers/" + onB + "/artifacts/" + artifact, null);
        assertEquals(200, kept.status(), kept.body());
        assertEquals(new String(artifactBytes, java.nio.charset.StandardCharsets.UTF_8), kept.body());
        // the other nodes go on
        var ff = cluster.call("a", "POST", "/computers/" + firefoxOnC + "/screenshot", "{}");
        assertEquals(200, ff.status(), ff.body());
        assertEquals("success", ff.json().path("status").asText(), ff.body());
    }

    @Test
    @Order(10)
    void aDrainWaitsForTheNodesComputersThenTheNodeExitsZero() throws Exception {
        var drain = cluster.call("a", "POST", "/admin/nodes/c/drain", null);
        assertEquals(202, drain.status(), drain.body());
        assertEquals("draining", drain.json().path("state").asText(), drain.body());
        // nothing new goes to it; what it runs goes on
        var ready = cluster.call("c", "GET", "/ready", null);
        assertEquals(503, ready.status(), ready.body());
        var created = cluster.call("c", "POST", "/computers", "{\"kind\":\"browser\"}");
        assertEquals(200, created.status(), created.body());
        assertEquals("a", TestCluster.servedBy(created), "placed away from the draining node: " + created.body());
        var stillThere = cluster.call("a", "POST", "/computers/" + firefoxOnC + "/screenshot", "{}");
        assertEquals("success", stillThere.json().path("status").asText(), stillThere.body());
        assertTrue(cluster.member("c").process().isAlive(), "the node waits for its computer");
        // its last computer ends: the node leaves and exits 0
        var deleted = cluster.call("a", "DELETE", "/computers/" + firefoxOnC, null);
        assertTrue(deleted.status() == 200 || deleted.status() == 204, deleted.body());
        assertTrue(cluster.member("c").process().waitFor(60, TimeUnit.SECONDS), "the drained node exits");
        assertEquals(0, cluster.member("c").process().exitValue());
        var nodes = cluster.call("a", "GET", "/admin/nodes/c", null);
        assertEquals("left", nodes.json().path("state").asText(), nodes.body());
        cluster.call("a", "DELETE", "/computers/" + created.json().path("id").asText(), null);
    }

    @Test
    @Order(11)
    void theKilledNodeComesBackAndSweepsWhatTheClusterFailed() throws Exception {
        cluster.start("b");
        var node = cluster.call("a", "GET", "/admin/nodes/b", null);
        assertEquals("up", node.json().path("state").asText(), node.body());
        var r = cluster.call("b", "GET", "/computers/" + onB, null);
        assertEquals("failed", r.json().path("status").asText(), r.body());
        // and it takes computers again
        var id = create("b", "{\"kind\":\"browser\"}", "b");
        assertEquals("success", action("a", id, "screenshot", "{}").path("status").asText());
        cluster.call("a", "DELETE", "/computers/" + id, null);
    }
}
