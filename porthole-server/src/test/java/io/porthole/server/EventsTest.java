package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.SseClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /computers/{id}/events}: what other clients do to a computer, seen live: action requests and
 * responses with their request ids, command output, from every source; ids, resume and the error answers.
 */
class EventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void computer() {
        t = TestServer.get();
        id = t.createComputer("{}");
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    static SseClient events(String path, String key, Map<String, String> extra) {
        var headers = new java.util.HashMap<String, String>(extra);
        headers.put("Authorization", "Bearer " + key);
        var server = TestServer.get();
        return SseClient.open(server.http, server.server.baseUrl() + path, headers);
    }

    static SseClient events(String computer) {
        var s = events("/computers/" + computer + "/events", TestServer.KEY, Map.of());
        assertEquals(200, s.status());
        assertTrue(s.header("Content-Type").orElse("").startsWith("text/event-stream"), s.header("Content-Type").toString());
        return s;
    }

    static JsonNode json(SseClient.Event e) {
        try {
            return TestServer.JSON.readTree(e.data());
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    static Predicate<SseClient.Event> is(String type, String requestId) {
        return e -> e.event().equals("message") && type.equals(json(e).path("type").asText())
                && (requestId == null || requestId.equals(json(e).path("request_id").asText()));
    }

    @Test
    void anActionOfAnotherClientShowsAsItsRequestAndItsResponseWithTheSameRequestId() {
        try (var stream = events(id)) {
            var result = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\",\"request_id\":\"nav-1\"}");
            assertEquals("success", result.path("status").asText(), result.toString());
            var request = stream.await(is("action_request", "nav-1"), WAIT);
            var r = json(request);
            assertEquals("api", r.path("source").asText());
            assertEquals("navigate", r.path("action").path("type").asText());
            assertEquals(t.pages.url("input.html"), r.path("action").path("url").asText());
            assertNotNull(request.id(), "every event has an id");
            var response = stream.await(is("action_response", "nav-1"), WAIT);
            var a = json(response);
            assertEquals("success", a.path("status").asText());
            assertTrue(a.path("result").path("url").asText().endsWith("/input.html"), a.toString());
            assertTrue(Long.parseLong(response.id()) > Long.parseLong(request.id()), "ids increase");
        }
    }

    @Test
    void anActionWithoutARequestIdGetsOneThatItsAnswerAndItsEventsShare() {
        try (var stream = events(id)) {
            var result = t.action(id, "click", "{\"x\":5,\"y\":5}");
            var rid = result.path("request_id").asText();
            assertFalse(rid.isEmpty(), "the server gives the action an id: " + result);
            stream.await(is("action_request", rid), WAIT);
            stream.await(is("action_response", rid), WAIT);
        }
    }

    @Test
    void aFailedActionIsAnErrorResponse() {
        try (var stream = events(id)) {
            t.action(id, "tabs/nope/switch", "{\"request_id\":\"bad-tab\"}");
            var a = json(stream.await(is("action_response", "bad-tab"), WAIT));
            assertEquals("error", a.path("status").asText());
            assertFalse(a.path("error_message").asText().isEmpty());
        }
    }

    @Test
    void aShellCommandsResponseCarriesItsExitCodeAndOutput() {
        try (var stream = events(id)) {
            t.action(id, "debug", "{\"command\":\"echo out; echo err >&2; exit 3\",\"request_id\":\"dbg-1\"}");
            var a = json(stream.await(is("action_response", "dbg-1"), WAIT));
            assertEquals(3, a.path("exit_code").asInt());
            assertEquals("out\n", a.path("stdout").asText());
            assertEquals("err\n", a.path("stderr").asText());
        }
    }

    @Test
    void execOutputArrivesAsBase64ChunksUnderTheRequestIdTheStreamNames() throws Exception {
        try (var stream = events(id)) {
            var request = HttpRequest.newBuilder(URI.create(t.server.baseUrl() + "/computers/" + id + "/exec"))
                    .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"printf 'héllo\\\\n'; printf 'oops' >&2\"}"))
                    .build();
            var response = t.http.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            var rid = response.headers().firstValue("X-Request-Id").orElseThrow();
            var req = json(stream.await(is("action_request", rid), WAIT));
            assertEquals("exec", req.path("action").path("type").asText());
            var out = new StringBuilder();
            var err = new StringBuilder();
            while (true) {
                var e = stream.await(is("command_output", rid).or(is("action_response", rid)), WAIT);
                var j = json(e);
                if (j.path("type").asText().equals("action_response")) {
                    assertEquals(0, j.path("exit_code").asInt());
                    break;
                }
                var text = new String(Base64.getDecoder().decode(j.path("data").asText()), StandardCharsets.UTF_8);
                (j.path("is_stderr").asBoolean() ? err : out).append(text);
            }
            assertEquals("héllo\n", out.toString());
            assertEquals("oops", err.toString());
        }
    }

    @Test
    void batchAndRpcActionsShowTheirSource() {
        try (var stream = events(id)) {
            t.action(id, "batch", "{\"actions\":[{\"type\":\"wait\",\"ms\":1,\"request_id\":\"b-1\"}]}");
            assertEquals("batch", json(stream.await(is("action_request", "b-1"), WAIT)).path("source").asText());
            Sandboxes.rpc(t, id, "{\"id\":1,\"method\":\"wait\",\"params\":{\"ms\":1,\"request_id\":\"rpc-1\"}}\n");
            assertEquals("rpc", json(stream.await(is("action_request", "rpc-1"), WAIT)).path("source").asText());
        }
    }

    @Test
    void theNativeSurfaceHasTheSameEventsInCamelCase() {
        try (var stream = events("/browser-sandboxes/" + id + "/events", TestServer.KEY, Map.of())) {
            assertEquals(200, stream.status());
            t.action(id, "debug", "{\"command\":\"exit 4\",\"request_id\":\"camel-1\"}");
            var e = stream.await(x -> x.event().equals("message") && json(x).path("requestId").asText().equals("camel-1")
                    && json(x).path("type").asText().equals("action_response"), WAIT);
            assertEquals(4, json(e).path("exitCode").asInt());
            assertTrue(json(e).path("request_id").isMissingNode());
        }
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsWhatItMissed() {
        String lastSeen;
        try (var stream = events(id)) {
            t.action(id, "execute", "{\"action\":{\"type\":\"wait\",\"ms\":1,\"request_id\":\"before\"}}");
            lastSeen = stream.await(is("action_response", "before"), WAIT).id();
        }
        t.action(id, "execute", "{\"action\":{\"type\":\"wait\",\"ms\":1,\"request_id\":\"missed\"}}");
        try (var stream = events("/computers/" + id + "/events", TestServer.KEY, Map.of("Last-Event-ID", lastSeen))) {
            var missed = stream.await(is("action_request", "missed"), WAIT);
            assertTrue(Long.parseLong(missed.id()) > Long.parseLong(lastSeen));
        }
        // an id from before the buffer: the stream says so first
        try (var stream = events("/computers/" + id + "/events", TestServer.KEY, Map.of("Last-Event-ID", "1"))) {
            stream.await(e -> json(e).path("type").asText().equals("events_lost"), WAIT);
        }
    }

    @Test
    void anIdleStreamCarriesHeartbeats() {
        var live = ServerConfig.LiveConfig.defaults();
        var quick = new TestServer(c -> c.withLive(new ServerConfig.LiveConfig(Duration.ofMillis(200),
                live.screencastHeartbeat(), live.controlLease(), live.viewerLinkDefault())));
        try {
            var computer = quick.createComputer("{}");
            try (var stream = SseClient.open(quick.http, quick.server.baseUrl() + "/computers/" + computer + "/events",
                    Map.of("Authorization", "Bearer " + TestServer.KEY))) {
                var e = stream.next(WAIT).orElseThrow();
                assertTrue(e.isComment(), "an idle stream's first line is a comment: " + e);
                assertEquals("heartbeat", e.comment());
            }
            // the stream ends with the computer
            try (var stream = SseClient.open(quick.http, quick.server.baseUrl() + "/computers/" + computer + "/events",
                    Map.of("Authorization", "Bearer " + TestServer.KEY))) {
                quick.delete(computer);
                assertTrue(stream.awaitEnd(WAIT), "the stream closes when the computer ends");
            }
        } finally {
            quick.close();
        }
    }

    @Test
    void errorsAreClear() {
        try (var anonymous = events("/computers/" + id + "/events", "nope", Map.of())) {
            assertEquals(401, anonymous.status());
        }
        try (var other = events("/computers/" + id + "/events", t.keyB(), Map.of())) {
            assertEquals(404, other.status());
        }
        try (var unknown = events("/computers/comp_unknown/events", TestServer.KEY, Map.of())) {
            assertEquals(404, unknown.status());
        }
        try (var bad = events("/computers/" + id + "/events", TestServer.KEY, Map.of("Last-Event-ID", "yesterday"))) {
            assertEquals(400, bad.status());
        }
        var ended = t.createComputer("{}");
        t.delete(ended);
        try (var stream = events(ended)) {
            var e = stream.await(x -> x.event().equals("error"), WAIT);
            assertEquals("computer_not_running", json(e).path("code").asText());
            assertTrue(stream.awaitEnd(WAIT));
        }
    }
}
