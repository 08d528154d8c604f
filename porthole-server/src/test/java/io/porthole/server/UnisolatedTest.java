package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code PORTHOLE_ISOLATION=none}: computers as plain processes still work as computers (own directories
 * behind the usual paths, own displays, the egress proxy), and delete still ends everything they started.
 */
class UnisolatedTest {
    private static TestServer t;

    @BeforeAll
    static void start() {
        t = new TestServer(c -> c.withIsolation(ServerConfig.Isolation.NONE));
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    private String sh(String id, String command) {
        var r = t.post("/computers/" + id + "/exec/sync",
                TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", 30).toString());
        assertEquals(200, r.status(), r.body());
        return r.json().path("stdout").asText().strip();
    }

    private static java.util.Set<Long> ourProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    @Test
    void aBrowserComputerWorksWithItsOwnDirectoriesAndTheEgressProxy() {
        var before = ourProcesses();
        var id = t.createComputer("{}");
        try {
            var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
            assertEquals("success", nav.path("status").asText(), nav.toString());
            var html = t.action(id, "html", "{}");
            assertTrue(html.path("result").path("html_content").asText().contains("second"), html.toString());
            var workspace = t.dataDir.resolve("computers").resolve(id).resolve("workspace");
            assertEquals(workspace.toRealPath().toString(), Path.of(sh(id, "pwd")).toString(),
                    "/workspace is the computer's own directory");
            sh(id, "echo hello > /workspace/note.txt");
            assertTrue(Files.exists(workspace.resolve("note.txt")), "inside paths map to the computer's directory");
            assertEquals("200", sh(id, "curl -s -o /dev/null -w '%{http_code}' " + t.pages.url("second.html")),
                    "commands reach allowed pages through the proxy");
            var status = t.call("GET", "/computers/" + id + "/status", null).json();
            assertTrue(status.toString().contains("bytes"), status.toString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            t.delete(id);
        }
        Await.until("the computer's processes to end", 10_000, () -> {
            var left = new HashSet<>(ourProcesses());
            left.removeAll(before);
            return left.isEmpty();
        });
    }

    @Test
    void desktopsGetDisplaysOfTheirOwnAndLeaveNothingBehind() throws Exception {
        var before = ourProcesses();
        var a = t.createComputer("{\"kind\":\"desktop\"}");
        var b = t.createComputer("{\"kind\":\"desktop\"}");
        String displayA;
        try {
            displayA = sh(a, "echo $DISPLAY");
            var displayB = sh(b, "echo $DISPLAY");
            assertNotEquals(":1", displayA, "not the display a namespaced desktop uses, which the host may have");
            assertNotEquals(displayA, displayB);
            assertEquals("1280 720", sh(a, "xdotool getdisplaygeometry"));
            var shot = t.action(a, "screenshot", "{}");
            assertEquals("success", shot.path("status").asText(), shot.toString());
            // its screencast's encoder grabs its own display (and is gone with the rest, below)
            try (var viewer = DesktopScreencastTest.watch(t, a)) {
                var first = DesktopScreencastTest.firstOfEach(viewer, "h264", "cursor_update", "cursor_position");
                DesktopScreencastTest.assertStartsAtKeyframe(first.get("h264"));
            }
        } finally {
            t.delete(a);
            t.delete(b);
        }
        Await.until("the desktops' processes to end", 10_000, () -> {
            var left = new HashSet<>(ourProcesses());
            left.removeAll(before);
            return left.isEmpty();
        });
        assertTrue(List.of("/tmp/.X11-unix/X" + displayA.substring(1), "/tmp/.X" + displayA.substring(1) + "-lock")
                .stream().noneMatch(f -> Files.exists(Path.of(f))), "the X server's files are gone");
    }
}
