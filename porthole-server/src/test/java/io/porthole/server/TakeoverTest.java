package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.SseClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A person taking control of a computer (the console's take-over), and viewer links: agents are told
 * {@code human_in_control} and can wait for the hand-back; the person's input is ordinary actions; a link opens
 * one computer, read-only or with control, until it is revoked.
 */
class TakeoverTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void computer() {
        t = TestServer.get();
        id = t.createComputer("{}");
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
    }

    @AfterEach
    void handBack() {
        t.call("DELETE", "/computers/" + id + "/control", null);
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    static TestServer.Response as(String key, String method, String path, String body) {
        return t.call(method, path, body, key);
    }

    static String take(String key) {
        var r = as(key, "POST", "/computers/" + id + "/control", null);
        assertEquals(200, r.status(), r.body());
        return r.json().path("lease_id").asText();
    }

    static JsonNode input(String key, String lease, String action) {
        var r = as(key, "POST", "/computers/" + id + "/control/input", "{\"lease_id\":\"" + lease + "\",\"action\":" + action + "}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    static String pageLog() {
        return t.action(id, "html", "{}").path("result").path("html_content").asText();
    }

    @Test
    void whileAPersonHoldsControlAgentsAreToldHumanInControlAndThePersonsInputIsOrdinaryActions() {
        try (var events = EventsTest.events(id)) {
            var lease = take(TestServer.KEY);
            events.await(e -> EventsTest.json(e).path("type").asText().equals("control")
                    && EventsTest.json(e).path("event").asText().equals("taken"), WAIT);
            var computer = t.call("GET", "/computers/" + id, null).json();
            assertTrue(computer.path("control").path("holder").asText().contains("key"), computer.toString());

            // an agent's click: an action error the SDKs do not retry, saying how to wait
            var refused = t.action(id, "click", "{\"x\":300,\"y\":300,\"request_id\":\"agent-click\"}");
            assertEquals("error", refused.path("status").asText());
            assertEquals("human_in_control", refused.path("error_code").asText());
            assertTrue(refused.path("error_message").asText().contains("/events"), refused.toString());
            // reading goes on
            assertEquals("success", t.action(id, "screenshot", "{}").path("status").asText());
            // natively: an RPC error line, and a 409 that says not to retry
            var rpc = Sandboxes.rpc(t, id, "{\"id\":1,\"method\":\"click\",\"params\":{\"x\":1,\"y\":1}}\n");
            assertEquals("human_in_control", rpc.getFirst().path("error").path("code").asText(), rpc.toString());
            var tab = t.post("/browser-sandboxes/" + id + "/contexts/default/tabs", "{}");
            assertEquals(409, tab.status(), tab.body());
            assertEquals("human_in_control", tab.json().path("code").asText());
            assertEquals("false", tab.header("x-should-retry"));

            // the person's click reaches the page, through the same dispatcher (it is an event like any action)
            var clicked = input(TestServer.KEY, lease, "{\"type\":\"click\",\"x\":321,\"y\":321,\"request_id\":\"person\"}");
            assertEquals("success", clicked.path("status").asText(), clicked.toString());
            assertTrue(pageLog().contains("\"type\":\"click\",\"x\":321,\"y\":321"), "the page saw the person's click");
            assertFalse(pageLog().contains("\"x\":300,\"y\":300"), "and not the agent's");
            var request = EventsTest.json(events.await(EventsTest.is("action_request", "person"), WAIT));
            assertEquals("console", request.path("source").asText());

            var back = t.call("DELETE", "/computers/" + id + "/control", null);
            assertTrue(back.json().path("released").asBoolean(), back.body());
            var released = EventsTest.json(events.await(e -> EventsTest.json(e).path("type").asText().equals("control")
                    && EventsTest.json(e).path("event").asText().equals("released"), WAIT));
            assertEquals("handed_back", released.path("reason").asText());
            assertEquals("success", t.action(id, "click", "{\"x\":5,\"y\":5}").path("status").asText(), "agents act again");
            assertTrue(t.call("GET", "/computers/" + id, null).json().path("control").isNull());
            // input under the ended lease is refused
            var late = input(TestServer.KEY, lease, "{\"type\":\"click\",\"x\":1,\"y\":1}");
            assertEquals("not_in_control", late.path("error_code").asText());
        }
        var replay = t.call("GET", "/computers/" + id + "/replay-events?limit=100", null).json().path("items");
        boolean taken = false;
        boolean released = false;
        for (var e : replay) {
            if (!e.path("category").asText().equals("control")) continue;
            taken |= e.path("type").asText().equals("taken");
            released |= e.path("type").asText().equals("released");
        }
        assertTrue(taken && released, "taking and handing back are replay events: " + replay);
    }

    @Test
    void controlHeldBySomeoneElseCannotBeTaken() {
        var link = t.post("/computers/" + id + "/viewers", "{\"mode\":\"control\"}").json();
        var token = link.path("token").asText();
        take(token);
        var again = as(TestServer.KEY, "POST", "/computers/" + id + "/control", null);
        assertEquals(409, again.status());
        assertEquals("control_taken", again.json().path("code").asText());
        assertEquals("false", again.header("x-should-retry"));
        // the owner may end anyone's lease
        assertTrue(t.call("DELETE", "/computers/" + id + "/control", null).json().path("released").asBoolean());
        take(TestServer.KEY);
    }

    @Test
    void aLeaseThatIsNotRenewedEnds() {
        var live = ServerConfig.LiveConfig.defaults();
        var quick = new TestServer(c -> c.withLive(new ServerConfig.LiveConfig(live.eventsHeartbeat(),
                live.screencastHeartbeat(), Duration.ofSeconds(5), live.viewerLinkDefault())));
        try {
            var computer = quick.createComputer("{}");
            try (var events = SseClient.open(quick.http, quick.server.baseUrl() + "/computers/" + computer + "/events",
                    Map.of("Authorization", "Bearer " + TestServer.KEY))) {
                var lease = quick.post("/computers/" + computer + "/control", null).json();
                assertEquals(5, lease.path("ttl_seconds").asInt());
                var ended = EventsTest.json(events.await(e -> EventsTest.json(e).path("event").asText().equals("released"),
                        WAIT));
                assertEquals("timed_out", ended.path("reason").asText());
            }
            assertEquals("success", quick.action(computer, "click", "{\"x\":5,\"y\":5}").path("status").asText());
        } finally {
            quick.close();
        }
    }

    @Test
    void aReadOnlyLinkWatchesOneComputerAndCannotControlIt() {
        var made = t.post("/computers/" + id + "/viewers", "{\"mode\":\"read_only\",\"expires_in_seconds\":600}");
        assertEquals(200, made.status(), made.body());
        var token = made.json().path("token").asText();
        assertTrue(token.startsWith("pv_") && token.length() >= 46, "256 random bits: " + token);
        var url = made.json().path("url").asText();
        assertTrue(url.endsWith("/view#" + token), "the token is in the fragment, which no server sees: " + url);
        assertFalse(url.contains(TestServer.KEY));

        var who = as(token, "GET", "/viewer", null);
        assertEquals(id, who.json().path("computer_id").asText());
        assertEquals("read_only", who.json().path("mode").asText());
        assertEquals(200, as(token, "GET", "/computers/" + id + "/control", null).status());
        assertEquals(403, as(token, "POST", "/computers/" + id + "/control", null).status());
        assertEquals(403, as(token, "GET", "/computers/" + id + "/viewers", null).status(), "only the owner lists links");
        try (var events = EventsTest.events("/computers/" + id + "/events", token, Map.of())) {
            assertEquals(403, events.status(), "what an agent types and prints is not for a shared link");
        }
        // it opens nothing else: not another computer, not the API
        var other = t.createComputer("{}");
        try {
            assertEquals(404, as(token, "GET", "/computers/" + other + "/control", null).status());
        } finally {
            t.delete(other);
        }
        assertEquals(401, as(token, "GET", "/computers", null).status());
        assertEquals(401, as(token, "GET", "/computers/" + id, null).status());

        var listed = t.call("GET", "/computers/" + id + "/viewers", null).json().path("items");
        assertTrue(listed.toString().contains(made.json().path("id").asText()));
        assertFalse(listed.toString().contains(token), "a list never shows a token");
        var revoked = t.call("DELETE", "/computers/" + id + "/viewers/" + made.json().path("id").asText(), null);
        assertEquals(200, revoked.status(), revoked.body());
        assertFalse(revoked.json().path("active").asBoolean());
        assertEquals(401, as(token, "GET", "/viewer", null).status(), "a revoked link opens nothing");
    }

    @Test
    void aControlLinkTakesControlAndRevokingItHandsControlBack() {
        var made = t.post("/computers/" + id + "/viewers", "{\"mode\":\"control\"}").json();
        var token = made.path("token").asText();
        var lease = take(token);
        assertTrue(t.call("GET", "/computers/" + id + "/control", null).json().path("control").path("holder").asText()
                .startsWith("viewer link vl_"));
        assertEquals("success", input(token, lease, "{\"type\":\"click\",\"x\":222,\"y\":222}").path("status").asText());
        assertTrue(pageLog().contains("\"x\":222,\"y\":222"));
        t.call("DELETE", "/computers/" + id + "/viewers/" + made.path("id").asText(), null);
        assertTrue(t.call("GET", "/computers/" + id + "/control", null).json().path("control").isNull(),
                "its control ended with it");
        assertEquals(401, as(token, "POST", "/computers/" + id + "/control/input",
                "{\"lease_id\":\"" + lease + "\",\"action\":{\"type\":\"click\"}}").status());
    }

    @Test
    void badInputIsAClearError() {
        var bad = t.post("/computers/" + id + "/viewers", "{\"mode\":\"admin\"}");
        assertEquals(400, bad.status());
        assertEquals(400, t.post("/computers/" + id + "/viewers", "{\"expires_in_seconds\":1}").status());
        assertEquals(400, t.post("/computers/" + id + "/viewers", "{\"expires_in_seconds\":99999999}").status());
        assertEquals(400, t.post("/computers/" + id + "/control/input", "{\"action\":{\"type\":\"click\"}}").status());
        assertEquals(400, t.post("/computers/" + id + "/control/input", "{\"lease_id\":\"x\"}").status());
        var renew = t.post("/computers/" + id + "/control/renew", "{\"lease_id\":\"lease_gone\"}");
        assertEquals(409, renew.status());
        assertEquals("not_in_control", renew.json().path("code").asText());
        assertEquals(404, t.call("DELETE", "/computers/" + id + "/viewers/vl_nope", null).status());
        assertEquals(404, t.call("POST", "/computers/" + id + "/control", null, t.keyB()).status());
        assertEquals(401, t.call("GET", "/viewer", null).status());
    }
}
