package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A browser computer's identity on both surfaces: what a create asks for is shown as resolved, what it leaves out is
 * the server's default, and every bad value is a 400 (or 422) with a code and a message, before anything starts.
 */
class IdentityTest {
    private final TestServer t = TestServer.get();

    private static List<String> strings(JsonNode array) {
        var out = new java.util.ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aComputerShowsTheIdentityItAskedFor() {
        var created = t.post("/computers", "{\"identity\":{\"timezone\":\"Europe/Berlin\",\"locale\":\"de-DE\","
                + "\"languages\":[\"de-DE\",\"de\",\"en\"],\"geolocation\":{\"latitude\":52.52,\"longitude\":13.405},"
                + "\"screen\":{\"width\":1920,\"height\":1080}}}");
        assertEquals(200, created.status(), created.body());
        var id = created.json().path("id").asText();
        try {
            for (var shown : List.of(created.json(), t.call("GET", "/computers/" + id, null).json(),
                    t.call("GET", "/browser-sandboxes/" + id, null).json())) {
                var identity = shown.path("identity");
                assertEquals("Europe/Berlin", identity.path("timezone").asText(), shown.toString());
                assertEquals("de-DE", identity.path("locale").asText());
                assertEquals(List.of("de-DE", "de", "en"), strings(identity.path("languages")));
                assertEquals(52.52, identity.path("geolocation").path("latitude").asDouble());
                assertEquals(13.405, identity.path("geolocation").path("longitude").asDouble());
                assertEquals(50, identity.path("geolocation").path("accuracy").asDouble(), "the default accuracy");
                assertEquals(1920, identity.path("screen").path("width").asInt());
                assertEquals(1080, identity.path("screen").path("height").asInt());
            }
            // without GeoIP a change of proxy changes no identity
            var changed = t.action(id, "change-proxy", "{\"proxy_url\":\"\"}");
            assertFalse(changed.path("result").has("identity"), changed.toString());
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aSandboxLeavesOutWhatItLikesAndGetsTheDefaults() {
        var made = Sandboxes.create(t, "{\"viewport\":{\"width\":800,\"height\":600},\"identity\":{\"locale\":\"fr-FR\","
                + "\"fromProxy\":false}}");
        var id = made.path("id").asText();
        try {
            for (var shown : List.of(made, Sandboxes.get(t, id).json())) {
                var identity = shown.path("identity");
                assertEquals("America/New_York", identity.path("timezone").asText(), shown.toString());
                assertEquals("fr-FR", identity.path("locale").asText());
                assertEquals(List.of("fr-FR", "fr"), strings(identity.path("languages")), "a locale brings its languages");
                assertTrue(identity.has("geolocation") && identity.path("geolocation").isNull(), shown.toString());
                assertEquals(1366, identity.path("screen").path("width").asInt(), "the smallest common screen that holds it");
                assertEquals(768, identity.path("screen").path("height").asInt());
            }
        } finally {
            Sandboxes.delete(t, id);
        }
    }

    @Test
    void aComputerThatAsksNothingHasTheDefaultIdentity() {
        var created = t.post("/computers", "{}");
        assertEquals(200, created.status(), created.body());
        try {
            var identity = created.json().path("identity");
            assertEquals("America/New_York", identity.path("timezone").asText(), created.body());
            assertEquals("en-US", identity.path("locale").asText());
            assertEquals(List.of("en-US", "en"), strings(identity.path("languages")));
            assertTrue(identity.path("geolocation").isNull());
            assertEquals(1440, identity.path("screen").path("width").asInt());
            assertEquals(900, identity.path("screen").path("height").asInt());
        } finally {
            t.delete(created.json().path("id").asText());
        }
    }

    @Test
    void badIdentitiesAreRefusedBeforeAnythingStarts() {
        int before = t.call("GET", "/computers", null).json().size();
        var bad = List.of(
                "{\"identity\":\"Europe/Berlin\"}",
                "{\"identity\":{\"timezone\":\"Mars/Olympus_Mons\"}}",
                "{\"identity\":{\"timezone\":\"+02:00\"}}",
                "{\"identity\":{\"locale\":\"no such tag\"}}",
                "{\"identity\":{\"languages\":[]}}",
                "{\"identity\":{\"languages\":[\"de;q=0.8\"]}}",
                "{\"identity\":{\"geolocation\":{\"latitude\":100,\"longitude\":0}}}",
                "{\"identity\":{\"geolocation\":{\"latitude\":0,\"longitude\":0,\"accuracy\":-1}}}",
                "{\"identity\":{\"screen\":{\"width\":1280,\"height\":720}}}",
                "{\"identity\":{\"screen\":{\"width\":99999,\"height\":1080}}}",
                "{\"identity\":{\"tz\":\"Europe/Berlin\"}}",
                "{\"identity\":{\"fromProxy\":true}}");
        for (var body : bad) {
            var r = t.post("/computers", body);
            Sandboxes.assertError(r, 400, "invalid_argument");
            assertTrue(r.json().path("message").asText().contains("identity"), body + " -> " + r.body());
        }
        for (var body : List.of("{\"identity\":{\"timezone\":\"Nowhere/City\"}}", "{\"identity\":{\"from_proxy\":true}}",
                "{\"identity\":{\"screen\":{\"width\":800,\"height\":700}}}")) {
            Sandboxes.assertError(t.post("/browser-sandboxes", body), 400, "invalid_argument");
        }
        // a desktop's screen is its display; GeoIP needs a database this server does not have
        Sandboxes.assertError(t.post("/computers", "{\"kind\":\"desktop\",\"identity\":{\"timezone\":\"Europe/Berlin\"}}"),
                422, "not_supported");
        var noDatabase = t.post("/computers", "{\"identity\":{\"from_proxy\":true}}");
        Sandboxes.assertError(noDatabase, 422, "not_supported");
        assertTrue(noDatabase.json().path("message").asText().contains("PORTHOLE_GEOIP_DATABASE"), noDatabase.body());
        Sandboxes.assertError(t.post("/browser-sandboxes", "{\"identity\":{\"fromProxy\":true}}"), 422, "not_supported");
        assertEquals(before, t.call("GET", "/computers", null).json().size(), "nothing was created");
    }
}
