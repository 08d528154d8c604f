package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.store.jdbc.JdbcStore;
import io.porthole.testing.Processes;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Desktop computers on real Xvfb: screen size, input that reaches an xterm (any Unicode text, exactly, with the
 * machine's cores busy), exec against :1, the browser, and a display server that dies.
 */
class DesktopTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void desktop() {
        t = TestServer.get();
        id = t.createComputer("{\"kind\":\"desktop\"}");
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    private static String sh(String computer, String command) {
        var r = t.post("/computers/" + computer + "/exec/sync",
                TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", 20).toString());
        assertEquals(200, r.status(), r.body());
        return r.json().path("stdout").asText();
    }

    private static void ok(com.fasterxml.jackson.databind.JsonNode r) {
        assertEquals("success", r.path("status").asText(), r.toString());
    }

    /** Waits, within a bound, for a file in the desktop's workspace to hold {@code expected}. */
    private static void awaitFile(String computer, String path, String expected) {
        try {
            Await.until(path + " to read '" + expected + "'", 10_000,
                    () -> sh(computer, "cat " + path + " 2>/dev/null").equals(expected));
        } catch (AssertionError e) {
            var shot = t.action(computer, "screenshot", "{}").path("result").path("screenshot_url").asText();
            throw new AssertionError(e.getMessage() + "; it reads '" + sh(computer, "cat " + path + " 2>&1")
                    + "'; windows: " + sh(computer, "xdotool search --onlyvisible --name . getwindowname %@ 2>&1")
                    + "; screen: " + shot, e);
        }
    }

    @Test
    void theDefaultScreenIs1280x720InScreenshotsAndInside() {
        var c = t.call("GET", "/computers/" + id, null).json();
        assertEquals("desktop", c.path("kind").asText());
        var shot = t.action(id, "screenshot", "{}");
        ok(shot);
        assertEquals(1280, shot.path("result").path("width").asInt());
        assertEquals(720, shot.path("result").path("height").asInt());
        var png = t.request("GET", shot.path("result").path("screenshot_url").asText().substring(t.server.baseUrl().length()),
                null, Map.of());
        assertEquals(200, png.status());
        assertEquals("1280 720\n", sh(id, "DISPLAY=:1 xdotool getdisplaygeometry"));
        assertEquals(":1\n", sh(id, "echo $DISPLAY"));
    }

    @Test
    void aCustomDisplaySizeIsHonoured() {
        var other = t.createComputer("{\"kind\":\"desktop\",\"display\":{\"width\":1024,\"height\":600}}");
        try {
            var shot = t.action(other, "screenshot", "{}");
            assertEquals(1024, shot.path("result").path("width").asInt());
            assertEquals(600, shot.path("result").path("height").asInt());
            assertEquals("1024 600\n", sh(other, "xdotool getdisplaygeometry"));
        } finally {
            t.delete(other);
        }
    }

    @Test
    void aClickLandsAtTheScreenPixel() {
        ok(t.action(id, "click", "{\"x\":321,\"y\":123}"));
        var where = sh(id, "xdotool getmouselocation --shell 2>&1; for i in 1 2 3; do ps -o pid,stat,time,wchan:30,args -C openbox; sleep 1; done; xdotool getmouselocation --shell 2>&1");
        assertTrue(where.contains("X=321\nY=123\n"), where);
    }

    /** Brings the terminal to the front (the browser, once started, covers the screen). */
    private static void raiseTerminal() {
        sh(id, "xdotool search --classname xterm windowactivate --sync");
    }

    @Test
    void typedTextAndChordsReachTheFocusedTerminal() {
        raiseTerminal();
        // the xterm sits at the top left; clicking into it gives it the focus
        ok(t.action(id, "execute", "{\"action\":{\"type\":\"triple_click\",\"x\":100,\"y\":100}}"));
        ok(t.action(id, "type", "{\"text\":\"echo discarded\"}"));
        ok(t.action(id, "hotkey", "{\"keys\":[\"Control\",\"u\"]}"));
        ok(t.action(id, "type", "{\"text\":\"echo typed-ünïcode > /workspace/typed.txt\"}"));
        ok(t.action(id, "hotkey", "{\"keys\":[\"Return\"]}"));
        awaitFile(id, "/workspace/typed.txt", "typed-ünïcode\n");
    }

    /** Four lines of accented, Greek and Japanese text with ASCII and punctuation, 60 distinct characters off the map. */
    static final List<String> UNICODE_LINES = List.of(
            "déjà vu ñandú: façade, naïve café & crème brûlée (1/4)",
            "Ελληνικά κείμενα — αβγ δεζ ηθι, ΩΣΔ! (2/4)",
            "日本語のテキスト「こんにちは世界」、カタカナ。(3/4)",
            "mixed: ü=ue, ß=ss, ø~o; 数字 42 & Ελλάδα ✓ [4/4]");

    @Test
    void unicodeTextTypedWithEveryCoreBusyArrivesExactly() throws Exception {
        raiseTerminal();
        ok(t.action(id, "click", "{\"x\":100,\"y\":100}"));
        var busy = new ArrayList<Process>();
        try {
            // one spinning shell per core, outside the sandbox, for as long as the text is typed
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                busy.add(new ProcessBuilder("/bin/sh", "-c", "while :; do :; done")
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            for (int i = 0; i < UNICODE_LINES.size(); i++) {
                ok(t.action(id, "hotkey", "{\"keys\":[\"Control\",\"u\"]}"));
                var command = "echo '" + UNICODE_LINES.get(i) + "' > /workspace/line" + i + ".txt\n";
                ok(t.action(id, "type", TestServer.JSON.createObjectNode().put("text", command).toString()));
            }
            for (int i = 0; i < UNICODE_LINES.size(); i++) {
                awaitFile(id, "/workspace/line" + i + ".txt", UNICODE_LINES.get(i) + "\n");
            }
        } finally {
            for (var p : busy) p.destroyForcibly();
            for (var p : busy) p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void keyDownAndUpHoldAModifier() {
        raiseTerminal();
        ok(t.action(id, "click", "{\"x\":100,\"y\":100}"));
        ok(t.action(id, "type", "{\"text\":\"echo held-\"}"));
        ok(t.action(id, "key-down", "{\"key\":\"shift\"}"));
        ok(t.action(id, "hotkey", "{\"keys\":[\"x\"]}"));
        ok(t.action(id, "key-up", "{\"key\":\"shift\"}"));
        ok(t.action(id, "type", "{\"text\":\" > /workspace/held.txt\\n\"}"));
        awaitFile(id, "/workspace/held.txt", "held-X\n");
    }

    @Test
    void scrollDragAndMouseButtonsRun() {
        ok(t.action(id, "scroll", "{\"dx\":0,\"dy\":300,\"x\":400,\"y\":300}"));
        ok(t.action(id, "drag", "{\"x1\":600,\"y1\":400,\"x2\":700,\"y2\":450}"));
        ok(t.action(id, "mouse-down", "{\"x\":650,\"y\":420}"));
        ok(t.action(id, "mouse-up", "{\"x\":660,\"y\":430}"));
        assertTrue(sh(id, "xdotool getmouselocation --shell").contains("X=660\nY=430\n"));
    }

    @Test
    void navigateAndHtmlUseTheDesktopsBrowser() {
        var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
        ok(nav);
        var html = t.action(id, "html", "{\"include_context\":true}");
        ok(html);
        assertTrue(html.path("result").path("html_content").asText().contains("id=\"heading\""));
        assertEquals("Second page", html.path("page_context").path("title").asText());
        var tabs = t.call("GET", "/computers/" + id + "/tabs", null).json();
        assertTrue(tabs.path("result").path("tabs").size() >= 1, tabs.toString());
        var shot = t.action(id, "screenshot", "{}");
        assertEquals(1280, shot.path("result").path("width").asInt(), "still the whole screen");
        var viewport = t.action(id, "viewport", "{\"width\":800,\"height\":600}");
        assertEquals("not_supported", viewport.path("error_code").asText());
    }

    @Test
    void twoDesktopsNeverShareADisplay() {
        var other = t.createComputer("{\"kind\":\"desktop\"}");
        try {
            sh(other, "xterm -title only-in-other >/dev/null 2>&1 & xdotool search --sync --name only-in-other >/dev/null");
            assertEquals("found\n", sh(other, "xdotool search --name only-in-other >/dev/null && echo found"));
            assertEquals("absent\n", sh(id, "xdotool search --name only-in-other >/dev/null && echo found || echo absent"));
        } finally {
            t.delete(other);
        }
    }

    @Test
    void aDesktopWhoseXServerDiesEndsFailedWithACrashedEvent() throws Exception {
        var other = t.createComputer("{\"kind\":\"desktop\"}");
        var processes = Processes.ofComputer(other);
        var killed = t.post("/computers/" + other + "/exec/sync",
                "{\"command\":\"kill -9 $(pidof Xvfb)\",\"timeout_seconds\":20}");
        assertEquals(200, killed.status(), killed.body());
        Await.until("the desktop to be seen failed", 30_000, () -> t.call("GET", "/computers/" + other + "/status", null)
                .json().path("status").asText().equals("failed"));
        var computer = t.call("GET", "/computers/" + other, null).json();
        assertTrue(computer.path("termination_reason").asText().startsWith("desktop_exited: Xvfb exited"), computer.toString());
        // a desktop has no replay-events route: the server's store, read as it keeps them
        try (var store = JdbcStore.sqlite(t.dataDir.resolve("porthole.db"))) {
            var crashed = store.listEvents(other, Optional.empty(), 50).stream()
                    .filter(e -> e.category().equals("lifecycle") && e.type().equals("crashed")).toList();
            assertEquals(1, crashed.size(), store.listEvents(other, Optional.empty(), 50).toString());
            assertTrue(crashed.getFirst().dataJson().contains("desktop_exited: Xvfb exited"), crashed.toString());
        }
        var action = t.post("/computers/" + other + "/screenshot", "{}");
        assertEquals(404, action.status(), action.body());
        assertEquals("computer_not_running", action.json().path("code").asText());
        assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "the rest of the desktop is gone too");
    }

    @Test
    void aDroppedDisplayConnectionGivesAClearErrorAtMostOnceThenConnectsAgain() {
        // the connection runs through a relay inside, which the computer can end (the pattern does not match the
        // shell that runs pkill, nor the egress forwarder)
        ok(t.action(id, "click", "{\"x\":300,\"y\":200}"));
        sh(id, "pkill -f 'UNIX-CONNECT:/tmp/[.]X11-unix' || true");
        // an action that finds the connection ending under it fails, saying so; the next one connects again
        var first = t.action(id, "click", "{\"x\":305,\"y\":205}");
        if (!first.path("status").asText().equals("success")) {
            assertEquals("action_failed", first.path("error_code").asText(), first.toString());
            assertTrue(first.path("error_message").asText().contains("X server"), first.toString());
        }
        ok(t.action(id, "click", "{\"x\":310,\"y\":210}"));
        // the window manager holds a click on a window until it has handled it (a grab that freezes the pointer),
        // which takes it a while after many changes of the keyboard map (a typing test before this one)
        Await.until("the pointer to reach the click", 15_000,
                () -> sh(id, "xdotool getmouselocation --shell").contains("X=310\nY=210\n"));
    }

    @Test
    void deletingADesktopLeavesNoProcess() throws Exception {
        var other = t.createComputer("{\"kind\":\"desktop\"}");
        t.action(other, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
        var processes = Processes.ofComputer(other);
        assertTrue(processes.stream().anyMatch(h -> h.info().command().orElse("").endsWith("Xvfb")), processes.toString());
        assertEquals(204, t.call("DELETE", "/computers/" + other, null).status());
        assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000));
    }
}
