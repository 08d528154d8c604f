package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.porthole.testing.Socks5Proxy;
import io.porthole.testing.UpstreamProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With a GeoIP database, what an identity leaves out comes from the upstream proxy's exit: the echo URL fetched
 * through the proxy names it (192.0.2.7, in Berlin in the test database), else the proxy host (127.0.0.1, in
 * Tokyo); a change of proxy computes what new contexts get.
 */
class IdentityGeoIpTest {
    private static Path dir;
    private static HttpServer echo;
    private static Socks5Proxy advanced;
    private static TestServer t;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("porthole-geoip-");
        var database = GeoIpLocatorTest.database(dir);
        echo = GeoIpLocatorTest.echo("192.0.2.7", 200);
        var geoIp = new ServerConfig.GeoIpConfig(Optional.of(database), Optional.of(GeoIpLocatorTest.echoUrl(echo)),
                Duration.ofSeconds(3));
        advanced = Socks5Proxy.start("operator", "s3cr3t-advanced");
        var advancedUrl = java.net.URI.create("socks5://operator:s3cr3t-advanced@127.0.0.1:" + advanced.port());
        t = new TestServer(c -> c.toBuilder().geoIp(geoIp).advancedProxy(Optional.of(advancedUrl)).build());
    }

    @AfterAll
    static void stop() {
        if (t != null) t.close();
        if (echo != null) echo.stop(0);
        if (advanced != null) advanced.close();
        io.porthole.core.internal.Files2.deleteTree(dir);
    }

    private static List<String> strings(JsonNode array) {
        var out = new java.util.ArrayList<String>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void aSandboxBehindAProxyTakesTheExitsZoneAndCountryForWhatItLeavesOut() {
        try (var socks = Socks5Proxy.start("carol", "s3cr3t-socks")) {
            var proxy = "socks5://carol:s3cr3t-socks@127.0.0.1:" + socks.port();
            var made = Sandboxes.create(t, "{\"proxy\":\"" + proxy + "\"}");
            var id = made.path("id").asText();
            try {
                var identity = Sandboxes.get(t, id).json().path("identity");
                assertEquals("Europe/Berlin", identity.path("timezone").asText(), identity.toString());
                assertEquals("de-DE", identity.path("locale").asText());
                assertEquals(List.of("de-DE", "de", "en-US", "en"), strings(identity.path("languages")));
                assertEquals(52.5, identity.path("geolocation").path("latitude").asDouble());
                assertEquals(13.4, identity.path("geolocation").path("longitude").asDouble());
                assertEquals(20_000, identity.path("geolocation").path("accuracy").asDouble());
                assertTrue(socks.seen().stream().anyMatch(s -> s.authorised() && s.target().endsWith(":"
                        + echo.getAddress().getPort())), "the echo URL was fetched through the proxy: " + socks.seen());
            } finally {
                Sandboxes.delete(t, id);
            }
            var explicit = Sandboxes.create(t, "{\"proxy\":\"" + proxy + "\",\"identity\":{\"locale\":\"fr-FR\"}}");
            try {
                var identity = explicit.path("identity");
                assertEquals("Europe/Berlin", identity.path("timezone").asText(), identity.toString());
                assertEquals("fr-FR", identity.path("locale").asText(), "what is given stays");
                assertEquals(List.of("fr-FR", "fr"), strings(identity.path("languages")));
            } finally {
                Sandboxes.delete(t, explicit.path("id").asText());
            }
            var off = Sandboxes.create(t, "{\"proxy\":\"" + proxy + "\",\"identity\":{\"fromProxy\":false}}");
            try {
                assertEquals("America/New_York", off.path("identity").path("timezone").asText(), off.toString());
                assertTrue(off.path("identity").path("geolocation").isNull(), off.toString());
            } finally {
                Sandboxes.delete(t, off.path("id").asText());
            }
        }
    }

    @Test
    void aComputerOnTheAdvancedProxyTakesItsExitsIdentity() {
        var created = t.post("/computers", "{\"use_advanced_proxy\":true,\"identity\":{\"timezone\":\"Europe/Paris\"}}");
        assertEquals(200, created.status(), created.body());
        try {
            var identity = created.json().path("identity");
            assertEquals("Europe/Paris", identity.path("timezone").asText(), "what is given stays: " + identity);
            assertEquals("de-DE", identity.path("locale").asText(), identity.toString());
            assertEquals(52.5, identity.path("geolocation").path("latitude").asDouble(), identity.toString());
        } finally {
            t.delete(created.json().path("id").asText());
        }
    }

    @Test
    void aChangeOfProxyGivesNewContextsTheNewExitsIdentity() {
        var id = t.createComputer("{\"identity\":{\"languages\":[\"en-GB\",\"en\"]}}");
        try (var upstream = UpstreamProxy.start("alice", "s3cr3t-upstream")) {
            var launched = t.call("GET", "/computers/" + id, null).json().path("identity");
            assertEquals("America/New_York", launched.path("timezone").asText(), "no proxy: the defaults");
            // the test upstream answers the echo itself (not an address): the proxy host, 127.0.0.1, is looked up
            var changed = t.action(id, "change-proxy", "{\"proxy_url\":\"http://alice:s3cr3t-upstream@127.0.0.1:"
                    + upstream.port() + "\"}");
            var next = changed.path("result").path("identity");
            assertEquals("Asia/Tokyo", next.path("timezone").asText(), changed.toString());
            assertEquals("ja-JP", next.path("locale").asText());
            assertEquals(List.of("en-GB", "en"), strings(next.path("languages")), "the languages given stay");
            assertFalse(changed.toString().contains("s3cr3t-upstream"), changed.toString());
            var shown = t.call("GET", "/computers/" + id, null).json().path("identity");
            assertEquals(launched, shown, "the computer's identity is the one it was launched with");
            var events = t.call("GET", "/computers/" + id + "/replay-events?limit=50", null).body();
            assertTrue(events.contains("identity_for_new_contexts"), events);
            assertFalse(events.contains("s3cr3t-upstream"), events);
            // going direct: new contexts get the defaults again, with what the request gave
            var direct = t.action(id, "change-proxy", "{\"proxy_url\":\"\"}").path("result").path("identity");
            assertEquals("America/New_York", direct.path("timezone").asText(), direct.toString());
            assertEquals(List.of("en-GB", "en"), strings(direct.path("languages")));
        } finally {
            t.delete(id);
        }
    }
}
