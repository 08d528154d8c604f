package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A viewport action answers once the page has the new size: the page context it reports, and what the next
 * action reads, are the size asked for, round after round, on both engines.
 */
class ViewportTest {
    private static final TestServer t = TestServer.get();

    private static JsonNode ok(JsonNode result) {
        assertEquals("success", result.path("status").asText(), result.toString());
        return result;
    }

    @ParameterizedTest
    @ValueSource(strings = {"chromium", "firefox"})
    void thePageHasTheNewSizeWhenTheViewportActionAnswers(String engine) {
        var id = t.createComputer("{\"engine\":\"" + engine + "\"}");
        try {
            ok(t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}"));
            int[][] sizes = {{800, 600}, {1280, 720}, {1024, 768}, {640, 480}};
            for (int i = 0; i < 12; i++) {
                var size = sizes[i % sizes.length];
                var set = ok(t.action(id, "viewport", "{\"width\":" + size[0] + ",\"height\":" + size[1]
                        + ",\"include_context\":true}"));
                var seen = set.path("page_context");
                assertEquals(size[0], seen.path("viewport_width").asInt(), engine + " round " + i + ": " + seen);
                assertEquals(size[1], seen.path("viewport_height").asInt(), engine + " round " + i + ": " + seen);
                var next = ok(t.action(id, "screenshot", "{\"include_context\":true}"));
                assertEquals(size[0], next.path("page_context").path("viewport_width").asInt(), next.toString());
                assertEquals(size[1], next.path("page_context").path("viewport_height").asInt(), next.toString());
                assertEquals(size[0], next.path("result").path("width").asInt(), "the screenshot too");
                assertEquals(size[1], next.path("result").path("height").asInt(), "the screenshot too");
            }
        } finally {
            t.delete(id);
        }
    }
}
