package io.porthole.server;

import static io.porthole.server.PageLog.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unmodified Playwright and Puppeteer (the Node.js scripts of src/test/node, run by {@link NodeScripts}) drive
 * browser sandboxes through the CDP and WebDriver BiDi passthrough: each opens a page on the loopback page server,
 * clicks, types, reads the page back and takes a screenshot. Also: a client with only the sandbox's access token,
 * and the server's own actions on the same browser while a client is attached. One Chromium sandbox for the class;
 * the Firefox test makes its own.
 */
class PlaywrightPuppeteerTest {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static TestServer t;
    private static JsonNode chromium;
    private static String id;

    @BeforeAll
    static void createSandbox() {
        t = TestServer.get();
        NodeScripts.nodeModules(); // install before the sandbox's clock starts
        chromium = createSandbox("chromium");
        id = chromium.path("id").asText();
    }

    @AfterAll
    static void deleteSandbox() {
        if (id != null) t.call("DELETE", "/browser-sandboxes/" + id, null);
    }

    static JsonNode createSandbox(String browser) {
        var r = t.post("/browser-sandboxes", "{\"browser\":\"" + browser + "\"}");
        if (r.status() != 201) throw new AssertionError("POST /browser-sandboxes " + browser + " answered " + r.status() + ": " + r.body());
        var s = r.json();
        assertFalse(s.path("accessToken").asText().isEmpty(), s.toString());
        return s;
    }

    /** The environment of a script: where to connect, which page to open, and the API key unless {@code key} is null. */
    private static Map<String, String> env(String endpoint, String page, String key) {
        var env = new HashMap<String, String>();
        env.put("PORTHOLE_ENDPOINT", endpoint);
        env.put("PAGE_URL", page);
        env.put("SCRIPT_TIMEOUT_MS", String.valueOf(SCRIPT_TIMEOUT.minusSeconds(10).toMillis()));
        if (key != null) env.put("PORTHOLE_API_KEY", key);
        return env;
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** What the scripts report after driving input.html: they typed into the field they clicked. */
    private static void assertDroveThePage(JsonNode r, String typed) {
        assertTrue(r.path("ok").asBoolean(), r.toString());
        assertTrue(r.path("url").asText().contains("input.html"), r.toString());
        assertEquals("Porthole input fixture", r.path("title").asText(), r.toString());
        assertEquals(typed, r.path("value").asText(), r.toString());
        assertTrue(r.path("clicks").asInt() >= 1, r.toString());
        assertTrue(r.path("screenshotBytes").asInt() > 1000, r.toString());
    }

    @Test
    void jsonVersionPointsBackAtTheServer() {
        var r = t.call("GET", "/browser-sandboxes/" + id + "/cdp/json/version", null);
        assertEquals(200, r.status(), r.body());
        var ws = r.json().path("webSocketDebuggerUrl").asText();
        assertTrue(ws.startsWith(t.server.baseUrl().replaceFirst("^http", "ws") + "/browser-sandboxes/" + id + "/cdp"), ws);
        assertTrue(r.json().path("Browser").asText().contains("/"), r.body());
    }

    @Test
    void playwrightConnectsOverCdpThroughJsonVersion() {
        var endpoint = t.server.baseUrl() + "/browser-sandboxes/" + id + "/cdp";
        var result = NodeScripts.run("playwright-cdp.js", env(endpoint, t.pages.url("input.html"), TestServer.KEY), SCRIPT_TIMEOUT)
                .assertOk().json();
        assertDroveThePage(result, "from playwright");
        assertEquals(1, result.path("contexts").asInt(), "the browser's existing default context: " + result);
        // the page the client made gets the same desktop-browser user agent as the server's own tabs
        assertFalse(result.path("userAgent").asText().contains("Headless"), result.toString());
        assertEquals(result.path("pagesAtConnect").size(), result.path("pagesAtEnd").asInt(), "the client closed its page: " + result);
        // and its own session sees the browser's native window, screen and pointer: no override of ours to find
        var n = result.path("native");
        assertEquals("function get outerWidth() { [native code] }", n.path("outerGetter").asText(), n.toString());
        assertTrue(n.path("outerHeight").asInt() > n.path("innerHeight").asInt(), n.toString());
        assertTrue(n.path("screenHeight").asInt() > n.path("availHeight").asInt()
                && n.path("availHeight").asInt() >= n.path("outerHeight").asInt(), n.toString());
        assertTrue(n.path("finePointer").asBoolean(), n.toString());
        assertEquals("[\"Desktop\"]", n.path("formFactors").toString(), n.toString());
    }

    @Test
    void aPlaywrightContextSetsItsOwnLocaleOnAComputerOfAnotherOne() {
        // Chromium lets one session override a renderer's locale: the identity's must not take the place a client's
        // newContext({locale}) needs, or its pages fail with "Another locale override is already in effect"
        var r = t.post("/browser-sandboxes", "{\"identity\":{\"locale\":\"de-DE\"}}");
        assertEquals(201, r.status(), r.body());
        var other = r.json().path("id").asText();
        try {
            var e = env(t.server.baseUrl() + "/browser-sandboxes/" + other + "/cdp", t.pages.url("input.html"), TestServer.KEY);
            e.put("NEW_CONTEXT_LOCALE", "fr-FR");
            var result = NodeScripts.run("playwright-cdp.js", e, SCRIPT_TIMEOUT).assertOk().json();
            assertDroveThePage(result, "from playwright");
            assertEquals("fr-FR", result.path("intlLocale").asText(), result.toString());
        } finally {
            t.call("DELETE", "/browser-sandboxes/" + other, null);
        }
    }

    @Test
    void puppeteerConnectsOverCdpWithTheApiKey() {
        var endpoint = withoutQuery(chromium.path("connect").path("cdp").asText());
        var e = env(endpoint, t.pages.url("input.html"), TestServer.KEY);
        e.put("PORTHOLE_PROTOCOL", "cdp");
        var result = NodeScripts.run("puppeteer-client.js", e, SCRIPT_TIMEOUT).assertOk().json();
        assertDroveThePage(result, "from puppeteer");
        assertFalse(result.path("userAgent").asText().contains("Headless"), result.toString());
    }

    @Test
    void aClientWithOnlyTheAccessTokenConnects() {
        var endpoint = chromium.path("connect").path("cdp").asText();
        assertTrue(endpoint.startsWith("ws://") || endpoint.startsWith("wss://"), endpoint);
        assertTrue(endpoint.contains("token="), "connect.cdp carries the access token: " + endpoint);
        var e = env(endpoint, t.pages.url("input.html"), null);
        e.put("PORTHOLE_PROTOCOL", "cdp");
        assertDroveThePage(NodeScripts.run("puppeteer-client.js", e, SCRIPT_TIMEOUT).assertOk().json(), "from puppeteer");

        // a wrong token is refused, and the sandbox stays usable
        var bad = env(withoutQuery(endpoint) + "?token=not-the-token", t.pages.url("input.html"), null);
        bad.put("PORTHOLE_PROTOCOL", "cdp");
        bad.put("SCRIPT_TIMEOUT_MS", "30000");
        var refused = NodeScripts.run("puppeteer-client.js", bad, Duration.ofSeconds(45));
        assertNotEquals(0, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("401") || refused.stderr().contains("404"), "refused at the upgrade: " + refused);
        assertEquals("success", t.action(id, "screenshot", "{}").path("status").asText());
    }

    @Test
    void serverActionsKeepWorkingWhileAClientIsConnected() {
        var serverPage = t.pages.url("input.html") + "?from=server";
        assertEquals("success", t.action(id, "navigate", "{\"url\":\"" + serverPage + "\"}").path("status").asText());
        var endpoint = t.server.baseUrl() + "/browser-sandboxes/" + id + "/cdp";
        var e = env(endpoint, t.pages.url("input.html") + "?from=client", TestServer.KEY);
        e.put("HOLD", "1");
        try (var client = NodeScripts.start("playwright-cdp.js", e)) {
            var holding = client.awaitLine(l -> l.contains("\"holding\""), SCRIPT_TIMEOUT);
            assertTrue(holding.contains("\"ok\":true"), holding);

            // the server's actions go to its own main tab, with the client attached to the same browser
            var click = t.action(id, "click", "{\"x\":300,\"y\":200}");
            assertEquals("success", click.path("status").asText(), click.toString());
            var shot = t.action(id, "screenshot", "{}");
            assertEquals("success", shot.path("status").asText(), shot.toString());
            assertEquals(1280, shot.path("result").path("width").asInt(), shot.toString());
            var clicks = ofType(PageLog.read(t, id), "click");
            assertEquals(1, clicks.size(), clicks.toString());
            assertEquals(300, clicks.getFirst().path("x").asInt());

            client.closeStdin();
            var result = client.await(SCRIPT_TIMEOUT).assertOk().json();
            assertEquals(42, result.path("stillWorks").asInt(), result.toString());
            // the client sees the server's page, with the server's click in its log
            JsonNode seen = null;
            for (var p : result.path("pagesAfterHold")) {
                if (p.path("url").asText().contains("from=server")) seen = p;
            }
            assertTrue(seen != null, "the client sees the server's tab: " + result.path("pagesAfterHold"));
            var serverClicks = seen.path("log").findValues("type").stream().filter(v -> v.asText().equals("click")).count();
            assertEquals(1, serverClicks, seen.toString());
        }
        // and after the client left, too
        assertEquals("success", t.action(id, "click", "{\"x\":310,\"y\":210}").path("status").asText());
    }

    @Test
    void puppeteerConnectsToFirefoxOverWebDriverBiDi() {
        var firefox = createSandbox("firefox");
        var ffId = firefox.path("id").asText();
        try {
            var endpoint = firefox.path("connect").path("bidi").asText();
            assertTrue(endpoint.startsWith("ws://") || endpoint.startsWith("wss://"), endpoint);
            var e = env(endpoint, t.pages.url("input.html"), null);
            e.put("PORTHOLE_PROTOCOL", "webDriverBiDi");
            var result = NodeScripts.run("puppeteer-client.js", e, SCRIPT_TIMEOUT).assertOk().json();
            assertDroveThePage(result, "from puppeteer");
            assertTrue(result.path("version").asText().toLowerCase().contains("firefox"), result.toString());
            assertTrue(result.path("userAgent").asText().contains("Firefox/"), result.toString());
        } finally {
            t.call("DELETE", "/browser-sandboxes/" + ffId, null);
        }
    }
}
