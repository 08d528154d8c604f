package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.SseClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real browser (Debian's Chromium, driven by playwright-core from {@code
 * src/test/node/console-ui.js}): a person signs in, finds the computer, watches it live, takes over, clicks and types
 * into the page, hands back, reads the timeline, and shares a read-only link, with no console error on any page and
 * no horizontal scroll at a phone's width. Also: the console's files are served on its own paths only, with their
 * security headers, and the API answers as before. Screenshots land in {@code target/console-screenshots}.
 */
class ConsoleTest {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final Path SHOTS = NodeScripts.DIR.getParent().resolve("console-screenshots");
    private static TestServer t;
    private static String id;
    private static boolean frames;

    @BeforeAll
    static void computer() {
        t = TestServer.get();
        NodeScripts.nodeModules(); // install before the computer's idle clock starts
        id = t.createComputer("{}");
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        frames = screencastSendsPictures(id);
    }

    @AfterAll
    static void cleanUp() {
        if (id != null) t.delete(id);
    }

    /**
     * Whether the computer's screencast sends pictures here. Until the captures are built (they are on their way
     * from other branches), it answers with an error event, and the checks that need pictures are left out.
     */
    static boolean screencastSendsPictures(String computer) {
        try (var sse = SseClient.open(t.http, t.server.baseUrl() + "/computers/" + computer + "/screencast",
                Map.of("Authorization", "Bearer " + TestServer.KEY))) {
            var first = sse.await(e -> true, Duration.ofSeconds(30));
            if (first.event().equals("error")) {
                System.out.println("ConsoleTest: the screencast sends no pictures on this build (" + first.data()
                        + "); the checks that need them are left out");
                return false;
            }
            return true;
        }
    }

    private static JsonNode scenario(String name, String computer) {
        var env = Map.of(
                "PORTHOLE_URL", t.server.baseUrl(),
                "PORTHOLE_API_KEY", TestServer.KEY,
                "COMPUTER_ID", computer,
                "SCENARIO", name,
                "PAGE_URL", t.pages.url("input.html"),
                "PAGE2_URL", t.pages.url("colour.html") + "?bg=%23d35400",
                "CHROMIUM", "/usr/bin/chromium",
                "SCREENSHOTS", SHOTS.toString(),
                "FRAMES", frames ? "1" : "0",
                "SCRIPT_TIMEOUT_MS", String.valueOf(SCRIPT_TIMEOUT.minusSeconds(15).toMillis()));
        var r = NodeScripts.run("console-ui.js", env, SCRIPT_TIMEOUT).assertOk().json();
        assertTrue(r.path("ok").asBoolean(), r.toString());
        assertEquals(List.of(), strings(r.path("problems")), "console errors or uncaught exceptions on a page: " + r);
        assertEquals(List.of(), strings(r.path("secretInUrl")), "a URL carried the API key or a link's token: " + r);
        return r;
    }

    private static List<String> strings(JsonNode array) {
        var out = new java.util.ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aPersonSignsInSeesTheComputerLiveAndEveryPageFitsAPhone() {
        var r = scenario("browse", id);
        assertTrue(r.path("listed").asBoolean(), r.toString());
        assertTrue(r.path("keyInStorage").asBoolean(), "the key is in sessionStorage only: " + r);
        assertTrue(r.path("computerPage").asBoolean(), r.toString());
        if (frames) {
            assertEquals("success", r.path("navigated").asText(), r.toString());
            assertTrue(r.path("pictureChange").asDouble() > 8, "the live view changed with the page: " + r);
            assertTrue(r.path("framesAfter").asInt() >= 1, r.toString());
        }
        assertTrue(r.path("timeline").asInt() >= 2, "the timeline lists the replay events: " + r);
        assertTrue(r.path("phoneListFits").asBoolean(), "no horizontal scroll at 390 px: " + r);
        assertTrue(r.path("phoneComputerFits").asBoolean(), r.toString());
        assertTrue(r.path("phoneEnvironmentsFits").asBoolean(), r.toString());
        assertTrue(r.path("phoneKeysFits").asBoolean(), r.toString());
        assertTrue(r.path("keysListed").asInt() >= 1, "an admin key sees the keys: " + r);
        assertTrue(r.path("signedOutForgets").asBoolean(), r.toString());
    }

    @Test
    void aPersonTakesOverClicksAndTypesWhileAgentsWaitAndHandsBack() {
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        var r = scenario("takeover", id);
        assertTrue(r.path("holder").asText().startsWith("console"), "the lease names the console: " + r);
        assertEquals("human_in_control", r.path("agentRefused").asText(), r.toString());
        assertEquals(321, r.path("clickSeen").path("x").asInt(), 1.0, r.toString());
        assertEquals(321, r.path("clickSeen").path("y").asInt(), 1.0, r.toString());
        assertEquals("hi there", r.path("typed").asText(), r.toString());
        assertTrue(r.path("enterSeen").asBoolean(), r.toString());
        assertTrue(r.path("agentClickAbsent").asBoolean(), "the agent's click did not reach the page: " + r);
        assertEquals("released", r.path("released").asText(), r.toString());
        assertEquals("success", r.path("agentActsAgain").asText(), r.toString());
        assertTrue(r.path("timelineControl").asInt() >= 2, "taken and released are on the timeline: " + r);
        assertTrue(t.call("GET", "/computers/" + id, null).json().path("control").isNull());
        // the person's input went through the dispatcher as the console's
        boolean console = false;
        for (var e : t.call("GET", "/computers/" + id + "/replay-events?limit=200", null).json().path("items")) {
            console |= e.path("category").asText().equals("control") && e.path("data").path("holder").asText().startsWith("console");
        }
        assertTrue(console, "the replay events name the console as the holder");
    }

    @Test
    void aReadOnlyLinkShowsTheScreenAndCannotControlIt() {
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        var r = scenario("viewer", id);
        assertTrue(r.path("linkShape").asBoolean(), r.toString());
        assertTrue(r.path("tokenLeftAddressBar").asBoolean(), "the token is taken out of the address bar: " + r);
        if (frames) assertTrue(r.path("viewerFrames").asInt() >= 1, r.toString());
        assertFalse(r.path("takeOverOffered").asBoolean(), "a read-only link offers no take-over: " + r);
        assertEquals(List.of(), strings(r.path("inputRequests")), "a read-only view sends no input: " + r);
        assertTrue(r.path("pageLogUnchanged").asBoolean(), r.toString());
        assertTrue(r.path("readOnlyShown").asBoolean(), r.toString());
        assertEquals(403, r.path("controlRefused").asInt(), r.toString());
        assertTrue(r.path("viewerPhoneFits").asBoolean(), r.toString());
        if (frames) assertTrue(r.path("revokedMessage").asText().contains("revoked"), "the view says why it ended: " + r);
        assertEquals(401, r.path("linkRefused").asInt(), "a revoked link opens nothing: " + r);
    }

    @Test
    void aLinkMadeForControlMayTakeOverAndClick() {
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        var r = scenario("controllink", id);
        assertTrue(r.path("holder").asText().startsWith("viewer link"), "the lease names the link: " + r);
        assertEquals(200, r.path("clickSeen").path("x").asInt(), 1.0, r.toString());
        assertEquals(250, r.path("clickSeen").path("y").asInt(), 1.0, r.toString());
        assertEquals("released", r.path("released").asText(), r.toString());
    }

    @Test
    void aDesktopsLiveViewDecodesH264InThePage() {
        var desktop = t.createComputer("{\"kind\":\"desktop\"}");
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(screencastSendsPictures(desktop),
                    "a desktop's screencast sends no pictures on this build yet");
            var r = scenario("desktop", desktop);
            assertTrue(r.path("webCodecs").asBoolean(), "Chromium offers WebCodecs on the console's page: " + r);
            assertTrue(r.path("decoded").asInt() >= 2, "pictures were decoded: " + r);
            assertEquals(r.path("display"), r.path("canvasSize"), "the decoded picture is the screen's size: " + r);
            assertTrue(r.path("shell").asBoolean(), r.toString());
        } finally {
            t.delete(desktop);
        }
    }

    // ---- the console's paths, without a browser ----

    @Test
    void theConsoleIsServedOnItsOwnPathsWithStrictHeaders() {
        for (var path : List.of("/", "/view", "/console/js/app.js", "/console/console.css", "/console/favicon.svg")) {
            var r = t.request("GET", path, null, Map.of());
            assertEquals(200, r.status(), path);
            var csp = r.header("Content-Security-Policy");
            assertTrue(csp != null && csp.contains("script-src 'self'") && csp.contains("connect-src 'self'")
                    && csp.contains("default-src 'none'") && !csp.contains("unsafe"), path + ": " + csp);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            assertEquals("DENY", r.header("X-Frame-Options"), path);
            assertEquals("no-referrer", r.header("Referrer-Policy"), path);
        }
        assertTrue(t.request("GET", "/", null, Map.of()).header("Content-Type").startsWith("text/html"));
        assertTrue(t.request("GET", "/console/js/app.js", null, Map.of()).header("Content-Type").contains("javascript"));
        // no page of the console has inline script: everything runs from files under the CSP
        var index = t.request("GET", "/", null, Map.of()).body();
        var view = t.request("GET", "/view", null, Map.of()).body();
        for (var html : List.of(index, view)) {
            assertFalse(html.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "inline script: " + html);
            assertFalse(html.contains(" on") && html.matches("(?s).*\\son[a-z]+=.*"), "inline handler: " + html);
        }
    }

    @Test
    void everyOtherPathIsStillTheApis() {
        assertEquals(200, t.request("GET", "/health", null, Map.of()).status());
        assertEquals(401, t.request("GET", "/computers", null, Map.of()).status());
        assertEquals(401, t.request("GET", "/viewer", null, Map.of()).status());
        for (var path : List.of("/console", "/console/", "/console/nope.js", "/console/js", "/view/x", "/views",
                "/index.html", "/nope", "/console/../computers")) {
            var r = t.request("GET", path, null, Map.of("Authorization", "Bearer " + TestServer.KEY));
            var expected = path.equals("/console/../computers") ? 200 : 404;
            assertEquals(expected, r.status(), path + ": " + r.body());
            assertTrue(r.header("Content-Type").startsWith("application/json"), path);
            if (expected == 404) assertEquals("not_found", r.json().path("code").asText(), path);
        }
        // the console's paths answer GET and HEAD only; other methods get the API's 404
        var post = t.request("POST", "/", "{}", Map.of("Content-Type", "application/json"));
        assertEquals(404, post.status());
        assertEquals("not_found", post.json().path("code").asText());
    }

    @Test
    void aFileTheBrowserHasIsNotSentAgain() {
        var first = t.request("GET", "/console/js/app.js", null, Map.of());
        var etag = first.header("ETag");
        assertTrue(etag != null && !etag.isBlank(), "the console's files carry an ETag");
        var again = t.request("GET", "/console/js/app.js", null, Map.of("If-None-Match", etag));
        assertEquals(304, again.status(), again.body());
        assertEquals("", again.body());
        assertEquals("nosniff", again.header("X-Content-Type-Options"));
    }

    @Test
    void aHeadRequestOnTheConsoleCarriesNoBody() {
        for (var path : List.of("/", "/view", "/console/js/app.js", "/console/nope.js")) {
            try (var c = new RawHttp(t.server.port())) {
                var head = c.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
                assertEquals(path.endsWith("nope.js") ? 404 : 200, head.status(), path);
                var next = c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
                assertEquals(200, next.status(), path + ": the HEAD answer had a body: " + next.text());
                assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
            }
        }
    }

    @Test
    void meSaysWhoTheKeyIsAndWhetherItMayManageKeys() {
        var admin = t.call("GET", "/me", null);
        assertEquals(200, admin.status(), admin.body());
        assertEquals("default", admin.json().path("tenant").asText());
        assertTrue(admin.json().path("admin").asBoolean());
        assertFalse(admin.json().path("key_id").asText().isEmpty());
        var tenant = t.call("GET", "/me", null, t.keyB());
        assertEquals("tenant-b", tenant.json().path("tenant").asText());
        assertFalse(tenant.json().path("admin").asBoolean());
        assertEquals(401, t.call("GET", "/me", null, null).status());
        var link = t.post("/computers/" + id + "/viewers", "{\"mode\":\"read_only\"}").json().path("token").asText();
        assertEquals(401, t.call("GET", "/me", null, link).status(), "a viewer link is not an API key");
        assertNull(admin.json().get("key"), "never the secret");
    }
}
