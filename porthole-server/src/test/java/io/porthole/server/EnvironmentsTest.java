package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Saved environments beyond environment_id: their cookies loaded by context_id (into the browser) or into a
 * new context, listing and deleting them, and a desktop's home directory.
 */
class EnvironmentsTest {
    private static final TestServer t = TestServer.get();
    /** An environment saved from a browser that ran the state page's setter. */
    private static String saved;

    @BeforeAll
    static void save() {
        var id = t.createComputer("{\"persistent\":true}");
        read(id, "?mode=set", null);
        t.delete(id);
        saved = id;
    }

    /** What the state page reports in the main tab, or in {@code tab} through the RPC. */
    private static JsonNode read(String id, String query, String tab) {
        return StatePage.read(t, id, "state.html", query, tab);
    }

    @Test
    void contextIdLoadsTheSavedCookiesButNotTheProfile() {
        var id = t.createComputer("{\"context_id\":\"" + saved + "\"}");
        try {
            var got = read(id, "", null);
            assertTrue(got.path("cookie").asText().contains("keep=k1"), got.toString());
            assertTrue(got.path("cookie").asText().contains("sess=s1"), got.toString());
            assertTrue(got.path("ls").isNull(), "storage comes with environment_id only: " + got);
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aNewContextCanStartWithASavedEnvironmentsCookies() {
        var id = Sandboxes.create(t, "{}").path("id").asText();
        try {
            var ctx = t.post("/browser-sandboxes/" + id + "/contexts", "{\"environmentId\":\"" + saved + "\"}");
            assertEquals(201, ctx.status(), ctx.body());
            var contextId = ctx.json().path("id").asText();
            var tab = t.post("/browser-sandboxes/" + id + "/contexts/" + contextId + "/tabs", "{}");
            assertEquals(201, tab.status(), tab.body());
            var inContext = read(id, "", tab.json().path("tabId").asText());
            assertTrue(inContext.path("cookie").asText().contains("keep=k1"), inContext.toString());
            var defaultTab = Sandboxes.rpcResult(t, id, "tabs.list", "{}");
            String defaultId = null;
            for (var x : defaultTab) if (x.path("contextId").asText().equals("default")) defaultId = x.path("tabId").asText();
            var inDefault = read(id, "", defaultId);
            assertFalse(inDefault.path("cookie").asText().contains("keep=k1"), inDefault.toString());
            var unknown = t.post("/browser-sandboxes/" + id + "/contexts", "{\"environmentId\":\"comp_nope\"}");
            assertEquals(404, unknown.status(), unknown.body());
        } finally {
            Sandboxes.delete(t, id);
        }
    }

    @Test
    void environmentsAreListedAndCanBeDeletedByTheirTenantOnly() {
        var id = t.createComputer("{\"persistent\":true}");
        t.delete(id);
        var list = t.call("GET", "/environments", null);
        assertEquals(200, list.status(), list.body());
        assertTrue(list.body().contains(id), list.body());
        assertEquals(404, t.call("GET", "/environments/" + id, null, t.keyB()).status());
        assertEquals(404, t.call("DELETE", "/environments/" + id, null, t.keyB()).status());
        assertFalse(t.call("GET", "/environments", null, t.keyB()).body().contains(id));
        assertEquals(204, t.call("DELETE", "/environments/" + id, null).status());
        assertEquals(404, t.call("GET", "/environments/" + id, null).status());
        var r = t.post("/computers", "{\"environment_id\":\"" + id + "\"}");
        assertEquals(404, r.status(), r.body());
    }

    @Test
    void aDesktopKeepsItsHomeDirectory() {
        var first = t.createComputer("{\"kind\":\"desktop\",\"persistent\":true}");
        var write = t.post("/computers/" + first + "/exec/sync", "{\"command\":\"echo kept > ~/notes.txt && mkdir -p ~/work && echo 2 > ~/work/b\"}");
        assertEquals(0, write.json().path("exit_code").asInt(), write.body());
        t.delete(first);
        var second = t.createComputer("{\"kind\":\"desktop\",\"environment_id\":\"" + first + "\"}");
        try {
            var read = t.post("/computers/" + second + "/exec/sync", "{\"command\":\"cat ~/notes.txt ~/work/b\"}");
            assertEquals("kept\n2", read.json().path("stdout").asText().strip(), read.body());
        } finally {
            t.delete(second);
        }
    }

    @Test
    void cookiesCarryOverBetweenEnginesBothWays() {
        // Chromium's saved cookies into Firefox
        var firefox = t.createComputer("{\"engine\":\"firefox\",\"environment_id\":\"" + saved + "\",\"persistent\":true}");
        String fromFirefox;
        try {
            var got = read(firefox, "", null);
            assertTrue(got.path("cookie").asText().contains("keep=k1"), "persistent cookie: " + got);
            assertTrue(got.path("cookie").asText().contains("sess=s1"), "session cookie: " + got);
            fromFirefox = firefox;
        } finally {
            t.delete(firefox);
        }
        // and what that Firefox saved, back into Chromium
        var chromium = t.createComputer("{\"environment_id\":\"" + fromFirefox + "\"}");
        try {
            var got = read(chromium, "", null);
            assertTrue(got.path("cookie").asText().contains("keep=k1"), "persistent cookie: " + got);
            assertTrue(got.path("cookie").asText().contains("sess=s1"), "session cookie: " + got);
        } finally {
            t.delete(chromium);
        }
    }
}
