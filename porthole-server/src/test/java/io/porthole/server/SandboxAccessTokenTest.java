package io.porthole.server;

import static io.porthole.server.Sandboxes.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protocol endpoints and the sandbox's access token: a client with only the token reaches the browser
 * over CDP (Chromium) or BiDi (Firefox); wrong or missing credentials, plain GETs and the wrong protocol get
 * clear HTTP errors; a token works for its own sandbox only and only while it lives.
 */
class SandboxAccessTokenTest {
    private static TestServer t;
    private static JsonNode chromium;
    private static JsonNode firefox;

    @BeforeAll
    static void create() {
        t = TestServer.get();
        chromium = Sandboxes.create(t, "{}");
        firefox = Sandboxes.create(t, "{\"browser\":\"firefox\"}");
    }

    @AfterAll
    static void delete() {
        Sandboxes.delete(t, chromium.path("id").asText());
        Sandboxes.delete(t, firefox.path("id").asText());
    }

    private static String id() {
        return chromium.path("id").asText();
    }

    private static String token() {
        return chromium.path("accessToken").asText();
    }

    @Test
    void theTokenAloneOpensACdpSessionToTheBrowser() throws Exception {
        var url = chromium.path("connect").path("cdp").asText();
        assertTrue(url.endsWith("/cdp?token=" + token()), url);
        try (var ws = Sandboxes.Ws.connect(url)) {
            var version = ws.call("Browser.getVersion", "{}");
            assertTrue(version.path("result").path("product").asText().contains("Chrom"), version.toString());
            var targets = ws.call("Target.getTargets", "{}");
            assertTrue(targets.path("result").path("targetInfos").toString().contains("\"page\""), targets.toString());
            // what the client does is the same browser the API drives
            t.action(id(), "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
            Await.until("the CDP client to see the page", 10_000, () -> {
                try {
                    return ws.call("Target.getTargets", "{}").toString().contains("second.html");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void theTokenAsABearerHeaderAndTheApiKeyWorkToo() {
        var path = "/browser-sandboxes/" + id() + "/cdp";
        assertEquals(101, Sandboxes.rawUpgrade(t, path, "Authorization: Bearer " + token() + "\r\n").status());
        assertEquals(101, Sandboxes.rawUpgrade(t, path, "Authorization: Bearer " + TestServer.KEY + "\r\n").status());
        assertEquals(101, Sandboxes.rawUpgrade(t, path, "X-API-Key: " + TestServer.KEY + "\r\n").status());
        assertEquals(101, Sandboxes.rawUpgrade(t, "/computers/" + id() + "/cdp?token=" + token(), "").status(),
                "the Computers API's endpoint takes the same token");
    }

    @Test
    void wrongOrMissingCredentialsAre401Json() {
        var path = "/browser-sandboxes/" + id() + "/cdp";
        for (var attempt : Map.of(
                path + "?token=pat_wrong", "",
                path + "?token=" + token() + "x", "",
                path, "",
                path + "?token=" + firefox.path("accessToken").asText(), "",
                path + "?token=", "Authorization: Bearer not-a-key\r\n").entrySet()) {
            var r = Sandboxes.rawUpgrade(t, attempt.getKey(), attempt.getValue());
            assertEquals(401, r.status(), attempt + ": " + r.body());
            assertTrue(r.headers().getOrDefault("content-type", "").startsWith("application/json"), r.headers().toString());
            assertEquals("unauthorized", r.json().path("code").asText(), r.body());
            assertFalse(r.json().path("message").asText().isBlank());
        }
        var b = Sandboxes.rawUpgrade(t, path, "Authorization: Bearer " + t.keyB() + "\r\n");
        assertEquals(404, b.status(), "another tenant's key: " + b.body());
        assertEquals("not_found", b.json().path("code").asText());
        assertError(t.call("GET", "/browser-sandboxes/" + id(), null, token()), 401, "unauthorized");
    }

    @Test
    void aPlainGetOfTheEndpointIs426() {
        assertError(t.call("GET", "/browser-sandboxes/" + id() + "/cdp", null), 426, "upgrade_required");
        assertError(t.request("GET", "/browser-sandboxes/" + id() + "/cdp?token=" + token(), null, Map.of()), 426,
                "upgrade_required");
        assertError(t.request("GET", "/browser-sandboxes/" + id() + "/cdp", null, Map.of()), 401, "unauthorized");
    }

    @Test
    void jsonVersionPointsBackAtTheServer() throws Exception {
        var r = t.call("GET", "/browser-sandboxes/" + id() + "/cdp/json/version", null);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.json().path("Browser").asText().contains("Chrom"), r.body());
        var ws = r.json().path("webSocketDebuggerUrl").asText();
        var base = t.server.baseUrl().replaceFirst("^http", "ws");
        assertTrue(ws.startsWith(base + "/browser-sandboxes/" + id() + "/cdp"), ws);
        try (var client = Sandboxes.Ws.connect(ws)) {
            assertTrue(client.call("Browser.getVersion", "{}").has("result"));
        }
        var byToken = t.request("GET", "/browser-sandboxes/" + id() + "/cdp/json/version?token=" + token(), null, Map.of());
        assertEquals(200, byToken.status(), "a token holder can find the endpoint too: " + byToken.body());
        assertError(t.call("GET", "/browser-sandboxes/" + id() + "/cdp/json/version", null, t.keyB()), 404, "not_found");
    }

    @Test
    void firefoxHasNoCdpButSpeaksBidiWithItsToken() throws Exception {
        var fx = firefox.path("id").asText();
        assertError(t.call("GET", "/browser-sandboxes/" + fx + "/cdp", null), 400, "unsupported_on_engine");
        var up = Sandboxes.rawUpgrade(t, "/browser-sandboxes/" + fx + "/cdp?token=" + firefox.path("accessToken").asText(), "");
        assertEquals(400, up.status(), up.body());
        assertEquals("unsupported_on_engine", up.json().path("code").asText());
        assertError(t.call("GET", "/browser-sandboxes/" + fx + "/cdp/json/version", null), 400, "unsupported_on_engine");
        var base = t.server.baseUrl().replaceFirst("^http", "ws") + "/browser-sandboxes/" + fx + "/bidi?token=";
        assertEquals(base + firefox.path("accessToken").asText(), firefox.path("connect").path("bidi").asText());
        assertTrue(firefox.path("connect").path("cdp").isNull(), firefox.toString());
        try (var ws = Sandboxes.Ws.connect(firefox.path("connect").path("bidi").asText())) {
            var status = ws.call("session.status", "{}");
            assertEquals("success", status.path("type").asText(), status.toString());
        }
    }

    @Test
    void aTokenIsPerSandboxAndEndsWithIt() throws Exception {
        var other = Sandboxes.create(t, "{}");
        var otherId = other.path("id").asText();
        try {
            assertNotEquals(token(), other.path("accessToken").asText());
            var cross = Sandboxes.rawUpgrade(t, "/browser-sandboxes/" + id() + "/cdp?token="
                    + other.path("accessToken").asText(), "");
            assertEquals(401, cross.status(), "another sandbox's token: " + cross.body());
            var ws = Sandboxes.Ws.connect(other.path("connect").path("cdp").asText());
            assertTrue(ws.call("Browser.getVersion", "{}").has("result"));
            Sandboxes.delete(t, otherId);
            var why = ws.closed.get(15, TimeUnit.SECONDS);
            assertFalse(why.isBlank(), "the open session ended with the sandbox");
            var after = Sandboxes.rawUpgrade(t, "/browser-sandboxes/" + otherId + "/cdp?token="
                    + other.path("accessToken").asText(), "");
            assertEquals(404, after.status(), "the token of a closed sandbox opens nothing: " + after.body());
            assertTrue(after.body().contains("\"code\""), after.body());
        } finally {
            Sandboxes.delete(t, otherId);
        }
    }

    /** Chromium speaks no BiDi here: then its bidi URL must not be advertised and the endpoint must say so. */
    @Test
    void chromiumsBidiEndpointWorksOrIsClearlyRefused() throws Exception {
        var bidi = chromium.path("connect").path("bidi");
        if (bidi.isTextual()) {
            try (var ws = Sandboxes.Ws.connect(bidi.asText())) {
                var status = ws.call("session.status", "{}");
                assertEquals("success", status.path("type").asText(), "an advertised bidi URL works: " + status);
            }
        } else {
            var up = Sandboxes.rawUpgrade(t, "/browser-sandboxes/" + id() + "/bidi?token=" + token(), "");
            assertEquals(400, up.status(), up.body());
            assertEquals("unsupported_on_engine", up.json().path("code").asText(), up.body());
            assertError(t.call("GET", "/browser-sandboxes/" + id() + "/bidi", null), 400, "unsupported_on_engine");
        }
    }
}
