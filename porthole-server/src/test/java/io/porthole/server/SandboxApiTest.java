package io.porthole.server;

import static io.porthole.server.Sandboxes.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser-sandboxes lifecycle routes (contracts/browser-sandboxes.md): create, get, list with cursors and
 * state filters, delete; tenants kept apart; bad input answered with clear 4xx JSON; one object shared with
 * the Computers API.
 */
class SandboxApiTest {
    private static TestServer t;
    /** A running sandbox made with a viewport and metadata, shared by the tests that only read it. */
    private static JsonNode made;
    private static String id;

    @BeforeAll
    static void create() {
        t = TestServer.get();
        made = Sandboxes.create(t, "{\"viewport\":{\"width\":900,\"height\":700,\"deviceScaleFactor\":1},"
                + "\"metadata\":{\"team\":\"qa\",\"run\":\"42\"}}");
        id = made.path("id").asText();
    }

    @AfterAll
    static void delete() {
        Sandboxes.delete(t, id);
    }

    @Test
    void createAnswersTheSandboxObjectInCamelCase() {
        assertFalse(id.isBlank(), made.toString());
        assertEquals("chromium", made.path("browser").asText());
        assertEquals("running", made.path("state").asText());
        assertEquals(900, made.path("viewport").path("width").asInt());
        assertEquals(700, made.path("viewport").path("height").asInt());
        assertEquals(1.0, made.path("viewport").path("deviceScaleFactor").asDouble());
        assertEquals("qa", made.path("metadata").path("team").asText());
        assertEquals("42", made.path("metadata").path("run").asText());
        assertEquals(2, made.path("metadata").size());
        for (var field : List.of("createdAt", "expiresAt", "idleExpiresAt")) {
            assertTrue(made.path(field).isTextual(), field + " in " + made);
        }
        assertFalse(made.path("persistent").asBoolean());
        assertTrue(made.path("accessToken").asText().length() > 20, made.toString());
        var ws = t.server.baseUrl().replaceFirst("^http", "ws") + "/browser-sandboxes/" + id + "/";
        var connect = made.path("connect");
        assertTrue(connect.path("cdp").asText().startsWith(ws + "cdp"), connect.toString());
        assertTrue(connect.path("bidi").isNull(), "Chromium speaks CDP here, no BiDi URL: " + connect);
        assertEquals(t.server.baseUrl() + "/browser-sandboxes/" + id + "/rpc", connect.path("rpc").asText());
        for (var key : List.of("created_at", "max_lifetime_seconds", "status")) {
            assertFalse(made.has(key), "no snake_case field " + key + " on the native surface: " + made);
        }
    }

    @Test
    void theSandboxIsTheSameComputerOnTheComputersApi() {
        var computer = t.call("GET", "/computers/" + id, null);
        assertEquals(200, computer.status(), computer.body());
        assertEquals(id, computer.json().path("id").asText());
        assertEquals("running", computer.json().path("status").asText());
        var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        assertEquals("success", nav.path("status").asText(), nav.toString());
        assertEquals("success", t.action(id, "click", "{\"x\":300,\"y\":200}").path("status").asText());
        var clicks = PageLog.ofType(PageLog.read(t, id), "click");
        assertEquals(1, clicks.size(), clicks.toString());
        assertEquals(300, clicks.getFirst().path("x").asInt());
    }

    @Test
    void getAnswersTheSameObject() {
        var r = Sandboxes.get(t, id);
        assertEquals(200, r.status(), r.body());
        assertEquals(id, r.json().path("id").asText());
        assertEquals("running", r.json().path("state").asText());
        assertEquals(made.path("accessToken").asText(), r.json().path("accessToken").asText());
        assertEquals(made.path("connect"), r.json().path("connect"));
        assertEquals(made.path("metadata"), r.json().path("metadata"));
    }

    /** Every item of the list, page by page with {@code limit}; asserts each page's size. */
    private static List<String> walk(String query, int limit) {
        var ids = new ArrayList<String>();
        String cursor = null;
        for (int pages = 0; pages < 500; pages++) {
            var r = t.call("GET", "/browser-sandboxes?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + cursor), null);
            assertEquals(200, r.status(), r.body());
            var items = r.json().path("items");
            assertTrue(items.size() <= limit, r.body());
            items.forEach(i -> ids.add(i.path("id").asText()));
            var next = r.json().path("nextCursor");
            if (next.isNull() || next.isMissingNode()) return ids;
            assertEquals(limit, items.size(), "a page before the last is full");
            cursor = next.asText();
        }
        throw new AssertionError("the cursor never ended");
    }

    @Test
    void listIsNewestFirstPaginatedAndFiltered() {
        var older = Sandboxes.create(t, "{}").path("id").asText();
        var newer = Sandboxes.create(t, "{}").path("id").asText();
        try {
            var first = t.call("GET", "/browser-sandboxes?limit=1", null);
            assertEquals(200, first.status(), first.body());
            assertEquals(1, first.json().path("items").size());
            assertTrue(first.json().path("nextCursor").isTextual(), first.body());
            var running = walk("&state=running", 1);
            assertTrue(running.contains(older) && running.contains(newer) && running.contains(id), running.toString());
            assertTrue(running.indexOf(newer) < running.indexOf(older), "newest first: " + running);
            assertTrue(running.indexOf(older) < running.indexOf(id), "newest first: " + running);
            assertEquals(running.size(), new java.util.HashSet<>(running).size(), "no item twice: " + running);
            var all = walk("", 50);
            assertTrue(all.indexOf(newer) < all.indexOf(older), all.toString());

            Sandboxes.delete(t, older);
            assertFalse(walk("&state=running", 50).contains(older));
            assertTrue(walk("&state=closed", 50).contains(older));
            var both = walk("&state=running,closed", 50);
            assertTrue(both.contains(older) && both.contains(newer), both.toString());
            assertFalse(walk("&state=paused", 50).contains(newer));

            assertError(t.call("GET", "/browser-sandboxes?state=sleeping", null), 400, "invalid_argument");
            assertError(t.call("GET", "/browser-sandboxes?limit=0", null), 400, "invalid_argument");
            assertError(t.call("GET", "/browser-sandboxes?cursor=garbage!", null), 400, "invalid_argument");
        } finally {
            Sandboxes.delete(t, older);
            Sandboxes.delete(t, newer);
        }
    }

    /** A cursor as the list encodes it (base64url of {@code o:<offset>}), for offsets no list hands out. */
    private static String cursor(String offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aCraftedCursorIsAnEmptyPageOrA400NeverA500() {
        for (var offset : List.of("2147483647", "2147483600", "1000000")) {
            var r = t.call("GET", "/browser-sandboxes?limit=5&cursor=" + cursor(offset), null);
            assertEquals(200, r.status(), offset + ": " + r.body());
            assertEquals(0, r.json().path("items").size(), r.body());
            assertTrue(r.json().path("nextCursor").isNull(), r.body());
        }
        var max = t.call("GET", "/browser-sandboxes?limit=200&cursor=" + cursor("2147483647"), null);
        assertEquals(200, max.status(), max.body());
        for (var offset : List.of("2147483648", "-1", "99999999999999999999", "1e3", "")) {
            assertError(t.call("GET", "/browser-sandboxes?limit=5&cursor=" + cursor(offset), null), 400,
                    "invalid_argument");
        }
        assertEquals(200, t.call("GET", "/browser-sandboxes?limit=5", null).status(), "the list still works");
    }

    @Test
    void deleteClosesIdempotentlyAndDropsTheAccessToken() {
        var other = Sandboxes.create(t, "{}").path("id").asText();
        try {
            var processes = io.porthole.testing.Processes.ofComputer(other);
            assertFalse(processes.isEmpty());
            var r = t.call("DELETE", "/browser-sandboxes/" + other, null);
            assertEquals(200, r.status(), r.body());
            assertEquals("closed", r.json().path("state").asText());
            assertFalse(r.json().has("accessToken"), r.body());
            assertFalse(r.json().has("connect"), r.body());
            assertNull(r.json().path("idleExpiresAt").textValue());
            var again = t.call("DELETE", "/browser-sandboxes/" + other, null);
            assertEquals(200, again.status(), again.body());
            assertEquals("closed", again.json().path("state").asText());
            var got = Sandboxes.get(t, other);
            assertEquals("closed", got.json().path("state").asText());
            assertFalse(got.json().has("accessToken"), got.body());
            assertEquals(List.of(), io.porthole.testing.Processes.awaitComputerGone(processes, 15_000));
            assertError(t.post("/computers/" + other + "/click", "{\"x\":1,\"y\":1}"), 404, "computer_not_running");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            Sandboxes.delete(t, other);
        }
    }

    @Test
    void anotherTenantsSandboxIsA404Everywhere() {
        var b = t.keyB();
        for (var call : List.of(new String[] {"GET", ""}, new String[] {"DELETE", ""}, new String[] {"POST", "/suspend"},
                new String[] {"POST", "/resume"}, new String[] {"POST", "/rpc"}, new String[] {"GET", "/contexts"},
                new String[] {"POST", "/contexts"}, new String[] {"GET", "/artifacts"},
                new String[] {"GET", "/replay-events"}, new String[] {"GET", "/cdp/json/version"})) {
            var r = t.call(call[0], "/browser-sandboxes/" + id + call[1], call[0].equals("POST") ? "{}" : null, b);
            assertEquals(404, r.status(), call[0] + " " + call[1] + ": " + r.body());
            assertTrue(r.json() != null && r.json().path("code").asText().equals("not_found"), r.body());
        }
        assertFalse(walk("", 200).isEmpty());
        var listB = t.call("GET", "/browser-sandboxes?limit=200", null, b);
        assertFalse(listB.body().contains(id), "tenant B does not list A's sandbox");
        assertEquals("running", Sandboxes.get(t, id).json().path("state").asText(), "B's delete did nothing");
        assertError(t.call("GET", "/browser-sandboxes/" + id, null, "not-a-key"), 401, "unauthorized");
        assertError(t.call("GET", "/browser-sandboxes", null, null), 401, "unauthorized");
        assertError(Sandboxes.get(t, "comp_doesnotexist"), 404, "not_found");
    }

    @Test
    void badInputIsAClear4xxAndTheServerGoesOn() {
        int before = walk("", 200).size();
        assertError(t.post("/browser-sandboxes", "{\"viewport\":{\"width\":-5,\"height\":600}}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "{\"viewport\":\"big\"}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "{\"viewport\":{\"width\":800,\"height\":600,\"deviceScaleFactor\":9}}"),
                400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "{\"browser\":\"safari\"}"), 400, "invalid_argument");
        var proxy = t.post("/browser-sandboxes", "{\"proxy\":\"ftp://user:pw@127.0.0.1:21\"}");
        assertEquals(422, proxy.status(), proxy.body());
        assertFalse(proxy.body().contains("pw@"), "the credentials are not echoed: " + proxy.body());
        assertError(t.post("/browser-sandboxes", "{\"templateID\":\"no-such-template\"}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "{\"metadata\":\"x\"}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "{\"metadata\":{\"n\":1}}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "{\"metadata\":[\"a\"]}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes", "[1,2]"), 400, "invalid_json");
        assertError(t.post("/browser-sandboxes", "{not json"), 400, "invalid_json");
        assertError(t.post("/browser-sandboxes", "{\"timeoutSeconds\":-1}"), 400, "invalid_argument");
        // nothing was left half-made, and the server still answers
        assertEquals(before, walk("", 200).size(), "no sandbox was made by a refused create");
        assertEquals("running", Sandboxes.get(t, id).json().path("state").asText());
        assertEquals("success", t.action(id, "screenshot", "{}").path("status").asText());
    }

    @Test
    void aDesktopIsNotABrowserSandbox() {
        var desktop = t.createComputer("{\"kind\":\"desktop\"}");
        try {
            assertError(Sandboxes.get(t, desktop), 404, "not_found");
            assertError(t.post("/browser-sandboxes/" + desktop + "/suspend", "{}"), 404, "not_found");
            assertError(t.post("/browser-sandboxes/" + desktop + "/resume", "{}"), 404, "not_found");
            assertError(t.call("DELETE", "/browser-sandboxes/" + desktop, null), 404, "not_found");
            assertError(t.call("GET", "/browser-sandboxes/" + desktop + "/replay-events", null), 404, "not_found");
            assertError(t.post("/browser-sandboxes/" + desktop + "/rpc", "{\"id\":1,\"method\":\"tabs.list\"}"), 404,
                    "not_found");
            var cdp = Sandboxes.rawUpgrade(t, "/browser-sandboxes/" + desktop + "/cdp",
                    "Authorization: Bearer " + TestServer.KEY + "\r\n");
            assertEquals(404, cdp.status(), cdp.body());
            assertFalse(walk("", 200).contains(desktop), "not listed");
            assertEquals("running", t.call("GET", "/computers/" + desktop, null).json().path("status").asText(),
                    "and untouched by those calls");
        } finally {
            t.delete(desktop);
        }
    }

    @Test
    void aProxyGivenAtCreateCarriesTheDefaultContextAndIsNotEchoed() {
        try (var upstream = io.porthole.testing.UpstreamProxy.start("sbuser", "sb-pass")) {
            long before = System.nanoTime();
            var made = Sandboxes.create(t, "{\"proxy\":\"http://sbuser:sb-pass@127.0.0.1:" + upstream.port()
                    + "\",\"timeoutSeconds\":600,\"idleTimeoutSeconds\":120}");
            // the idle timer starts when the create is done, which on a busy machine is a while after it began
            long took = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - before);
            var sid = made.path("id").asText();
            try {
                assertFalse(made.toString().contains("sb-pass"), made.toString());
                assertFalse(Sandboxes.get(t, sid).body().contains("sb-pass"));
                var created = java.time.Instant.parse(made.path("createdAt").asText());
                assertEquals(600, java.time.Duration.between(created,
                        java.time.Instant.parse(made.path("expiresAt").asText())).toSeconds(), made.toString());
                long idle = java.time.Duration.between(created, java.time.Instant.parse(made.path("idleExpiresAt").asText()))
                        .toSeconds();
                assertTrue(idle >= 119 && idle <= 121 + took, idle + " s after its creation, which took " + took + " s: " + made);
                t.action(sid, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "?via-byo\"}");
                var html = t.action(sid, "html", "{}").path("result").path("html_content").asText();
                assertTrue(html.contains("served by the upstream proxy"), html);
                assertTrue(upstream.seen().stream().anyMatch(s -> s.requestLine().contains("via-byo") && s.authorised()),
                        upstream.seen().toString());
            } finally {
                Sandboxes.delete(t, sid);
            }
        }
    }
}
