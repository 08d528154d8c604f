package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batches run in order and stop at the first failed action, answering 200 with per-action results. */
class BatchTest {
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

    @Test
    void batchStopsAtTheFirstError() {
        var url = t.pages.url("input.html");
        var r = t.post("/computers/" + id + "/batch", """
                {"actions":[
                  {"type":"go_to_url","url":"%s"},
                  {"type":"click","x":111,"y":222},
                  {"type":"teleport"},
                  {"type":"click","x":333,"y":444}
                ]}""".formatted(url));
        assertEquals(200, r.status(), r.body());
        var b = r.json();
        assertFalse(b.path("success").asBoolean());
        assertEquals(3, b.path("executed").asInt());
        assertEquals(2, b.path("failed_index").asInt());
        assertEquals(3, b.path("results").size());
        assertEquals("success", b.path("results").get(1).path("status").asText());
        assertEquals("error", b.path("results").get(2).path("status").asText());
        assertEquals("unknown_action", b.path("results").get(2).path("error_code").asText());
        var clicks = PageLog.ofType(PageLog.read(t, id), "click");
        assertEquals(1, clicks.size(), "the action after the failure did not run");
        assertEquals(111, clicks.getFirst().path("x").asInt());
    }

    @Test
    void batchStopsAtARuntimeFailureToo() {
        var r = t.post("/computers/" + id + "/batch", """
                {"actions":[
                  {"type":"wait","ms":1},
                  {"type":"close_tab","tab_id":"no-such-tab"},
                  {"type":"wait","ms":1}
                ]}""").json();
        assertEquals(1, r.path("failed_index").asInt());
        assertEquals(2, r.path("results").size());
        assertTrue(r.path("results").get(1).path("error_message").asText().contains("no-such-tab"));
    }

    @Test
    void aBatchOverTheBudgetIsRefusedWholeAndNothingOfItRuns() {
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        var r = t.post("/computers/" + id + "/batch", """
                {"actions":[
                  {"type":"click","x":111,"y":222},
                  {"type":"wait","ms":20000},
                  {"type":"wait","ms":20000}
                ]}""");
        assertEquals(400, r.status(), r.body());
        assertEquals("invalid_argument", r.json().path("code").asText());
        assertTrue(r.json().path("message").asText().contains("action 2: 'ms'"), r.body());
        assertEquals(0, PageLog.ofType(PageLog.read(t, id), "click").size(), "not even the first action ran");
        var after = t.action(id, "click", "{\"x\":5,\"y\":5}");
        assertEquals("success", after.path("status").asText(), after.toString());
    }

    @Test
    void anOutOfRangeElementFailsAtItsIndexAfterTheOnesBeforeIt() {
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        var b = t.post("/computers/" + id + "/batch", """
                {"actions":[
                  {"type":"click","x":111,"y":222},
                  {"type":"click","x":1e39,"y":100},
                  {"type":"click","x":333,"y":444}
                ]}""").json();
        assertFalse(b.path("success").asBoolean(), b.toString());
        assertEquals(1, b.path("failed_index").asInt());
        assertEquals("invalid_argument", b.path("results").get(1).path("error_code").asText(), b.toString());
        assertTrue(b.path("results").get(1).path("error_message").asText().contains("'x'"), b.toString());
        var clicks = PageLog.ofType(PageLog.read(t, id), "click");
        assertEquals(1, clicks.size(), clicks.toString());
        var after = t.action(id, "click", "{\"x\":5,\"y\":5}");
        assertEquals("success", after.path("status").asText(), "the computer still clicks: " + after);
    }

    @Test
    void anEmptyBatchSucceeds() {
        var r = t.post("/computers/" + id + "/batch", "{\"actions\":[]}").json();
        assertTrue(r.path("success").asBoolean());
        assertEquals(0, r.path("executed").asInt());
        assertTrue(r.path("failed_index").isNull());
    }
}
