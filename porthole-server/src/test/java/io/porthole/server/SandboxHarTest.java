package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code recordHar: true}: the egress proxy logs the sandbox's connections, stored as a HAR artifact at close. */
class SandboxHarTest {
    private final TestServer t = TestServer.get();

    private JsonNode artifacts(String id) {
        var r = t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null);
        assertEquals(200, r.status(), r.body());
        return r.json().path("items");
    }

    @Test
    void aHarOfTheSandboxsTrafficIsStoredWhenItCloses() throws Exception {
        var id = Sandboxes.create(t, "{\"recordHar\":true}").path("id").asText();
        var page = t.pages.url("second.html");
        Sandboxes.rpcResult(t, id, "navigate", "{\"url\":\"" + page + "\"}");
        var refusedUrl = "http://169.254.169.254/latest/meta-data/";
        t.action(id, "navigate", "{\"url\":\"" + refusedUrl + "\"}");
        Sandboxes.delete(t, id);

        var items = artifacts(id);
        assertEquals(1, items.size(), items.toString());
        var har = items.get(0);
        assertEquals("har", har.path("type").asText());
        var download = t.call("GET", "/browser-sandboxes/" + id + "/artifacts/" + har.path("id").asText(), null);
        assertEquals(200, download.status());
        var log = TestServer.JSON.readTree(download.raw().body()).path("log");
        assertEquals("1.2", log.path("version").asText());
        JsonNode pageEntry = null;
        JsonNode refusedEntry = null;
        for (var e : log.path("entries")) {
            if (e.path("request").path("url").asText().equals(page)) pageEntry = e;
            if (e.path("request").path("url").asText().startsWith("http://169.254.169.254")) refusedEntry = e;
        }
        assertTrue(pageEntry != null, "the page's request is logged: " + log);
        assertEquals("GET", pageEntry.path("request").path("method").asText());
        assertEquals(200, pageEntry.path("response").path("status").asInt(), pageEntry.toString());
        assertTrue(pageEntry.path("response").path("bodySize").asLong() > 0, pageEntry.toString());
        assertTrue(refusedEntry != null && refusedEntry.path("response").path("status").asInt() == 403,
                "a refusal is logged as such: " + log);
        assertFalse(download.body().toLowerCase(java.util.Locale.ROOT).contains("proxy-authorization"),
                "no proxy credentials in the log");
    }

    @Test
    void withoutRecordHarThereIsNone() {
        var id = Sandboxes.create(t, "{}").path("id").asText();
        Sandboxes.rpcResult(t, id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
        Sandboxes.delete(t, id);
        assertEquals(0, artifacts(id).size());
    }
}
