package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.PageServer;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract of a {@link Node}: the same scenario against a computer through its owner ({@link LocalNode}) and
 * through another node ({@link RemoteNode}) gets the same answers: statuses, error codes and the fields of each body.
 * Then a node killed and started again on its data directory, before the others count it as down, takes its computer
 * back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeContractTest {
    private TestCluster cluster;
    private PageServer pages;
    private String id;

    @BeforeAll
    void start() {
        pages = PageServer.start();
        // nobody counts as down during this test: the restart below must find its computer still its own
        cluster = new TestCluster(200, 120_000, Map.of());
        cluster.start("owner", "--max-computers=2");
        cluster.start("other", "--max-computers=1");
        var r = cluster.call("owner", "POST", "/computers", "{\"kind\":\"browser\"}");
        assertEquals(200, r.status(), r.body());
        assertEquals("owner", TestCluster.servedBy(r));
        id = r.json().path("id").asText();
    }

    @AfterAll
    void stop() {
        if (cluster != null) cluster.close();
        if (pages != null) pages.close();
    }

    /** What a scenario step answered, reduced to what both nodes must agree on. */
    private record Seen(String step, int status, String code, TreeSet<String> fields, String servedBy) {}

    private Seen step(String via, String step, String method, String path, String body) {
        var r = cluster.call(via, method, path, body);
        var fields = new TreeSet<String>();
        String code = null;
        if (r.json() != null && r.json().isObject()) {
            r.json().fieldNames().forEachRemaining(fields::add);
            code = r.json().path("code").asText(null);
            var status = r.json().path("status");
            if (status.isTextual()) code = code == null ? status.asText() : code;
        }
        return new Seen(step, r.status(), code, fields, TestCluster.servedBy(r));
    }

    @ParameterizedTest
    @ValueSource(strings = {"owner", "other"})
    @Order(1)
    void theSameScenarioGetsTheSameAnswersThroughEitherNode(String via) {
        var page = pages.url("input.html");
        var seen = new ArrayList<Seen>();
        seen.add(step(via, "get", "GET", "/computers/" + id, null));
        seen.add(step(via, "navigate", "POST", "/computers/" + id + "/navigate", "{\"url\":\"" + page + "\"}"));
        seen.add(step(via, "click", "POST", "/computers/" + id + "/click", "{\"x\":100,\"y\":100}"));
        seen.add(step(via, "bad click", "POST", "/computers/" + id + "/click", "{\"x\":\"left\"}"));
        seen.add(step(via, "unknown action", "POST", "/computers/" + id + "/teleport", "{}"));
        seen.add(step(via, "batch", "POST", "/computers/" + id + "/batch", "{\"actions\":[{\"type\":\"click\",\"x\":120,\"y\":120}]}"));
        seen.add(step(via, "exec sync", "POST", "/computers/" + id + "/exec/sync", "{\"command\":\"echo hi\"}"));
        seen.add(step(via, "tabs", "GET", "/computers/" + id + "/tabs", null));
        seen.add(step(via, "keepalive", "POST", "/computers/" + id + "/keepalive", null));
        seen.add(step(via, "sandbox", "GET", "/browser-sandboxes/" + id, null));
        seen.add(step(via, "replay events", "GET", "/computers/" + id + "/replay-events", null));
        seen.add(step(via, "no such computer", "GET", "/computers/comp_nosuchcomputer000000000000", null));
        var noKey = cluster.request(via, "GET", "/computers/" + id, null, Map.of());
        seen.add(new Seen("no key", noKey.status(), noKey.json() == null ? null : noKey.json().path("code").asText(null),
                new TreeSet<>(), null));
        for (var s : seen) {
            if (s.step().equals("no such computer") || s.step().equals("no key")) continue;
            assertEquals("owner", s.servedBy(), s.toString());
        }
        var expected = expectations.putIfAbsent("scenario", stripped(seen));
        if (expected != null) assertEquals(expected, stripped(seen), "through " + via);
    }

    /** The first run's answers, which the second must match. */
    private final Map<String, java.util.List<String>> expectations = new java.util.concurrent.ConcurrentHashMap<>();

    private static java.util.List<String> stripped(java.util.List<Seen> seen) {
        return seen.stream().map(s -> s.step() + " " + s.status() + " " + s.code() + " " + s.fields()).toList();
    }

    @Test
    @Order(2)
    void aNodeStartedAgainOnItsDirectoryTakesItsComputerBack() throws Exception {
        cluster.kill("owner");
        // while it is away, the other node cannot reach it: a retryable 503, not a hang
        var away = cluster.call("other", "POST", "/computers/" + id + "/screenshot", "{}");
        assertEquals(503, away.status(), away.body());
        assertEquals("unavailable", away.json().path("code").asText(), away.body());
        assertTrue(away.header("Retry-After") != null, "Retry-After");
        cluster.start("owner");
        var shot = cluster.call("other", "POST", "/computers/" + id + "/screenshot", "{}");
        assertEquals(200, shot.status(), shot.body());
        assertEquals("success", shot.json().path("status").asText(), shot.body());
        var events = cluster.call("other", "GET", "/computers/" + id + "/replay-events", null);
        assertTrue(events.body().contains("adopted"), events.body());
        JsonNode view = cluster.call("other", "GET", "/computers/" + id, null).json();
        assertEquals("running", view.path("status").asText(), view.toString());
        var deleted = cluster.call("other", "DELETE", "/computers/" + id, null);
        assertTrue(deleted.status() == 200 || deleted.status() == 204, deleted.body());
    }
}
