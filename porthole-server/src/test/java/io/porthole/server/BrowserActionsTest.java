package io.porthole.server;

import static io.porthole.server.PageLog.ofType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each action's effect as the page sees it, on one shared browser computer. */
class BrowserActionsTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void createComputer() {
        t = TestServer.get();
        id = t.createComputer("{\"kind\":\"browser\"}");
    }

    @AfterAll
    static void deleteComputer() {
        t.delete(id);
    }

    @BeforeEach
    void freshPage() {
        var r = t.action(id, "viewport", "{\"width\":1280,\"height\":720,\"scale_factor\":1}");
        assertEquals("success", r.path("status").asText(), r.toString());
        r = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        assertEquals("success", r.path("status").asText(), r.toString());
    }

    private static JsonNode ok(JsonNode result) {
        assertEquals("success", result.path("status").asText(), result.toString());
        return result;
    }

    @Test
    void clickReachesThePageAtTheGivenPixel() {
        ok(t.action(id, "click", "{\"x\":300,\"y\":200}"));
        var clicks = ofType(PageLog.read(t, id), "click");
        assertEquals(1, clicks.size(), clicks.toString());
        assertEquals(300, clicks.getFirst().path("x").asInt());
        assertEquals(200, clicks.getFirst().path("y").asInt());
        assertEquals(0, clicks.getFirst().path("button").asInt());
    }

    @Test
    void floatCoordinatesAreAccepted() {
        ok(t.action(id, "click", "{\"x\":300.6,\"y\":200.2}"));
        var clicks = ofType(PageLog.read(t, id), "click");
        assertEquals(300, clicks.getFirst().path("x").asInt());
    }

    @Test
    void doubleClickFiresDblclick() {
        ok(t.action(id, "double-click", "{\"x\":310,\"y\":210}"));
        var log = PageLog.read(t, id);
        assertEquals(1, ofType(log, "dblclick").size(), log.toString());
        assertEquals(2, ofType(log, "click").size());
    }

    @Test
    void rightClickOpensTheContextMenuEvent() {
        ok(t.action(id, "right-click", "{\"x\":320,\"y\":220}"));
        var menu = ofType(PageLog.read(t, id), "contextmenu");
        assertEquals(1, menu.size());
        assertEquals(2, menu.getFirst().path("button").asInt());
    }

    @Test
    void tripleClickFromModelOutputIsThreeClicks() {
        ok(t.action(id, "execute", "{\"action\":{\"type\":\"triple_click\",\"x\":330,\"y\":230,\"button\":null}}"));
        var clicks = ofType(PageLog.read(t, id), "click");
        assertEquals(3, clicks.size());
        assertEquals(3, clicks.get(2).path("detail").asInt());
    }

    @Test
    void typedTextLandsInTheFocusedField() {
        ok(t.action(id, "click", "{\"x\":100,\"y\":35}"));
        ok(t.action(id, "type", "{\"text\":\"Hello, Wörld! ✓\"}"));
        var inputs = ofType(PageLog.read(t, id), "input");
        assertEquals("Hello, Wörld! ✓", inputs.getLast().path("value").asText());
    }

    @Test
    void hotkeyChordIsAppliedWithModifiers() {
        ok(t.action(id, "click", "{\"x\":100,\"y\":35}"));
        ok(t.action(id, "type", "{\"text\":\"abc\"}"));
        ok(t.action(id, "hotkey", "{\"keys\":[\"Control\",\"a\"]}"));
        ok(t.action(id, "type", "{\"text\":\"z\"}"));
        var log = PageLog.read(t, id);
        var chord = log.stream().filter(e -> e.path("type").asText().equals("keydown") && e.path("key").asText().equals("a")
                && e.path("ctrl").asBoolean()).toList();
        assertEquals(1, chord.size(), log.toString());
        assertEquals("z", ofType(log, "input").getLast().path("value").asText(), "select-all then typing replaces");
    }

    @Test
    void keyNamesAreCaseInsensitiveWithAliases() {
        ok(t.action(id, "click", "{\"x\":100,\"y\":35}"));
        ok(t.action(id, "hotkey", "{\"keys\":[\"SHIFT\",\"ctrl\",\"esc\"]}"));
        ok(t.action(id, "hotkey", "{\"keys\":[\"return\"]}"));
        var downs = ofType(PageLog.read(t, id), "keydown").stream().map(e -> e.path("key").asText()).toList();
        assertEquals(java.util.List.of("Shift", "Control", "Escape", "Enter"), downs);
    }

    @Test
    void keyDownHoldsAModifierUntilKeyUp() {
        ok(t.action(id, "click", "{\"x\":100,\"y\":35}"));
        ok(t.action(id, "key-down", "{\"key\":\"shift\"}"));
        ok(t.action(id, "click", "{\"x\":300,\"y\":300}"));
        ok(t.action(id, "key-up", "{\"key\":\"shift\"}"));
        var log = PageLog.read(t, id);
        var clicks = ofType(log, "click");
        assertTrue(clicks.getLast().path("shift").asBoolean(), "the click saw Shift held: " + log);
        assertEquals(1, ofType(log, "keyup").stream().filter(e -> e.path("key").asText().equals("Shift")).count());
    }

    @Test
    void scrollMovesThePageByTheDelta() {
        var r = ok(t.action(id, "scroll", "{\"dx\":0,\"dy\":300,\"x\":640,\"y\":360,\"include_context\":true}"));
        assertEquals(300, r.path("page_context").path("scroll_y").asDouble(), 1.0);
        r = ok(t.action(id, "execute", "{\"action\":{\"type\":\"hscroll\",\"scroll_x\":150,\"x\":640,\"y\":360,\"include_context\":true}}"));
        assertEquals(150, r.path("page_context").path("scroll_x").asDouble(), 1.0);
        assertEquals(300, r.path("page_context").path("scroll_y").asDouble(), 1.0);
    }

    @Test
    void dragPressesAtTheStartAndReleasesAtTheEnd() {
        ok(t.action(id, "drag", "{\"x1\":500,\"y1\":100,\"x2\":700,\"y2\":250}"));
        var log = PageLog.read(t, id);
        var down = ofType(log, "mousedown").getFirst();
        var up = ofType(log, "mouseup").getFirst();
        assertEquals(500, down.path("x").asInt());
        assertEquals(100, down.path("y").asInt());
        assertEquals(700, up.path("x").asInt());
        assertEquals(250, up.path("y").asInt());
        assertFalse(ofType(log, "dragmove").isEmpty(), "moves with the button held in between");
    }

    @Test
    void dragAlongAModelPathEndsAtItsLastPoint() {
        ok(t.action(id, "batch", "{\"actions\":[{\"type\":\"drag\",\"path\":[{\"x\":400,\"y\":100},{\"x\":450,\"y\":150},{\"x\":600,\"y\":120}]}]}")
                .path("results").get(0));
        var log = PageLog.read(t, id);
        assertEquals(600, ofType(log, "mouseup").getFirst().path("x").asInt());
        assertEquals(120, ofType(log, "mouseup").getFirst().path("y").asInt());
    }

    @Test
    void mouseDownAndUpMayBeAtDifferentPoints() {
        ok(t.action(id, "mouse-down", "{\"x\":500,\"y\":300}"));
        ok(t.action(id, "mouse-up", "{\"x\":520,\"y\":330}"));
        var log = PageLog.read(t, id);
        assertEquals(500, ofType(log, "mousedown").getFirst().path("x").asInt());
        assertEquals(330, ofType(log, "mouseup").getFirst().path("y").asInt());
    }

    @Test
    void twoQuickPressesAtOnePointAreADoubleClickAsAPersonsWouldBe() {
        // what the console sends for a person's double click: presses and releases, not a click of count 2
        ok(t.action(id, "batch", "{\"actions\":[{\"type\":\"mouse_down\",\"x\":410,\"y\":210},"
                + "{\"type\":\"mouse_up\",\"x\":410,\"y\":210},{\"type\":\"mouse_down\",\"x\":410,\"y\":210},"
                + "{\"type\":\"mouse_up\",\"x\":410,\"y\":210}]}").path("results").get(3));
        var log = PageLog.read(t, id);
        assertEquals(1, ofType(log, "dblclick").size(), log.toString());
        assertEquals(2, ofType(log, "mousedown").get(1).path("detail").asInt());
        // a press elsewhere starts counting again
        ok(t.action(id, "mouse-down", "{\"x\":700,\"y\":500}"));
        ok(t.action(id, "mouse-up", "{\"x\":700,\"y\":500}"));
        assertEquals(1, ofType(PageLog.read(t, id), "mousedown").get(2).path("detail").asInt());
    }

    @Test
    void viewportResizesThePageAndTheScreenshot() {
        var r = ok(t.action(id, "viewport", "{\"width\":800,\"height\":600,\"scale_factor\":1.0}"));
        assertEquals(800, r.path("result").path("width").asInt());
        r = ok(t.action(id, "screenshot", "{\"include_context\":true}"));
        assertEquals(800, r.path("result").path("width").asInt());
        assertEquals(600, r.path("result").path("height").asInt());
        assertEquals(800, r.path("page_context").path("viewport_width").asInt());
        assertEquals(600, r.path("page_context").path("viewport_height").asInt());
    }

    @Test
    void screenshotPixelsAreInputCoordinatesAtAnyScale() {
        ok(t.action(id, "viewport", "{\"width\":640,\"height\":400,\"scale_factor\":2}"));
        var shot = ok(t.action(id, "screenshot", "{}"));
        assertEquals(1280, shot.path("result").path("width").asInt());
        assertEquals(800, shot.path("result").path("height").asInt());
        ok(t.action(id, "click", "{\"x\":600,\"y\":400}"));
        var click = ofType(PageLog.read(t, id), "click").getFirst();
        assertEquals(300, click.path("x").asInt(), "screenshot pixel 600 is CSS pixel 300 at scale 2");
        assertEquals(200, click.path("y").asInt());
    }

    @Test
    void screenshotUrlIsAbsoluteAndFetchableWithoutCredentials() {
        var r = ok(t.action(id, "screenshot", "{\"base64\":false}"));
        var url = r.path("result").path("screenshot_url").asText();
        assertTrue(url.startsWith(t.server.baseUrl() + "/screenshots/"), url);
        var fetched = t.request("GET", url.substring(t.server.baseUrl().length()), null, Map.of());
        assertEquals(200, fetched.status());
        assertEquals("image/png", fetched.header("Content-Type"));
        assertEquals("nosniff", fetched.header("X-Content-Type-Options"));
        var png = fetched.raw().body();
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        var guessed = t.request("GET", "/screenshots/" + "A".repeat(43) + ".png", null, Map.of());
        assertEquals(404, guessed.status());
    }

    @Test
    void screenshotCanCarryBase64() {
        var r = ok(t.action(id, "screenshot", "{\"base64\":true}"));
        var png = Base64.getDecoder().decode(r.path("result").path("screenshot_base64").asText());
        assertEquals((byte) 0x89, png[0]);
        assertNotNull(r.path("result").path("screenshot_url").asText(null));
    }

    @Test
    void htmlReturnsTheLivePage() {
        ok(t.action(id, "click", "{\"x\":100,\"y\":35}"));
        ok(t.action(id, "type", "{\"text\":\"seen\"}"));
        var html = ok(t.action(id, "html", "{\"auto_detect_encoding\":false}")).path("result").path("html_content").asText();
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 40));
        assertTrue(html.contains("\"value\":\"seen\""));
    }

    @Test
    void tabsCanBeOpenedSwitchedAndClosedButNotTheLast() {
        var start = t.call("GET", "/computers/" + id + "/tabs", null).json();
        assertEquals(1, start.path("result").path("tabs").size(), start.toString());
        var first = start.path("result").path("tabs").get(0).path("tab_id").asText();
        var created = ok(t.action(id, "tabs", "{\"url\":\"" + t.pages.url("second.html") + "\"}"));
        var second = created.path("result").path("tab_id").asText();
        assertEquals(second, created.path("executed_tab_id").asText());
        var list = t.call("GET", "/computers/" + id + "/tabs", null).json().path("result").path("tabs");
        assertEquals(2, list.size());
        var ctx = ok(t.action(id, "html", "{\"include_context\":true}"));
        assertEquals("Second page", ctx.path("page_context").path("title").asText(), "the new tab is the main tab");
        ok(t.action(id, "tabs/" + first + "/switch", null));
        ctx = ok(t.action(id, "html", "{\"include_context\":true}"));
        assertEquals(first, ctx.path("executed_tab_id").asText());
        var other = ok(t.action(id, "html", "{\"tab_id\":\"" + second + "\"}"));
        assertEquals(second, other.path("executed_tab_id").asText(), "tab_id targets a tab that is not the main one");
        var closed = t.call("DELETE", "/computers/" + id + "/tabs/" + second, null).json();
        ok(closed);
        assertEquals(1, t.call("GET", "/computers/" + id + "/tabs", null).json().path("result").path("tabs").size());
        var last = t.call("DELETE", "/computers/" + id + "/tabs/" + first, null);
        assertEquals(200, last.status());
        assertEquals("error", last.json().path("status").asText());
        assertTrue(last.json().path("error_message").asText().contains("last tab"));
    }

    @Test
    void includeContextAndRequestIdAreReturned() {
        var r = ok(t.action(id, "execute", "{\"action\":{\"type\":\"wait\",\"ms\":10,\"include_context\":true,\"request_id\":\"req-42\"}}"));
        assertEquals("req-42", r.path("request_id").asText());
        var ctx = r.path("page_context");
        assertEquals(t.pages.url("input.html"), ctx.path("url").asText());
        assertEquals("Porthole input fixture", ctx.path("title").asText());
        assertEquals(1280, ctx.path("viewport_width").asInt());
        assertTrue(ctx.path("page_height").asInt() >= 4000);
        assertTrue(ctx.path("is_main_tab").asBoolean());
        assertNotNull(r.path("timestamp").asText(null));
    }

    @Test
    void waitWithoutMsFromModelOutputWaitsOneSecond() {
        long start = System.nanoTime();
        ok(t.action(id, "execute", "{\"action\":{\"type\":\"wait\"}}"));
        assertTrue(System.nanoTime() - start >= 1_000_000_000L);
    }

    @Test
    void modelOutputShapesAllRunInABatch() {
        var batch = t.action(id, "batch", """
                {"actions":[
                  {"type":"move","x":200,"y":200,"button":null,"keys":null},
                  {"type":"point_and_type","x":100,"y":35,"text":"hi"},
                  {"type":"key","keys":["ctrl","a"]},
                  {"type":"keypress","keys":"ctrl+c"},
                  {"type":"key_down","keys":["shift"]},
                  {"type":"key_up","keys":["shift"]},
                  {"type":"scroll","scroll_x":0,"scroll_y":120,"x":300,"y":300},
                  {"type":"click","button":"left","x":300,"y":300},
                  {"type":"wait","ms":5},
                  {"type":"screenshot"}
                ]}""");
        assertTrue(batch.path("success").asBoolean(), batch.toString());
        assertEquals(10, batch.path("executed").asInt());
        var log = PageLog.read(t, id);
        assertEquals("hi", ofType(log, "input").getLast().path("value").asText());
    }

    @Test
    void navigateFollowsToThePageAndReportsItsUrl() {
        var r = ok(t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\",\"include_context\":true}"));
        assertEquals(t.pages.url("second.html"), r.path("result").path("url").asText());
        assertEquals("Second page", r.path("page_context").path("title").asText());
    }

    @Test
    void navigationThatCannotConnectIsAnActionError() {
        var r = t.post("/computers/" + id + "/navigate", "{\"url\":\"http://127.0.0.1:9/\"}");
        assertEquals(200, r.status());
        assertEquals("error", r.json().path("status").asText());
        assertTrue(r.json().path("error_message").asText().contains("ERR_"), r.body());
        ok(t.action(id, "screenshot", "{}"));
    }
}
