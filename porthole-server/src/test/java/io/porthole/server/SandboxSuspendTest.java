package io.porthole.server;

import static io.porthole.server.Sandboxes.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.testing.Processes;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Suspend and resume: every process of a suspended sandbox is really stopped (by the kernel's own account),
 * actions are refused with codes the SDKs do not retry, and resume brings back the same browser. A paused
 * sandbox can be deleted and leaves nothing.
 */
class SandboxSuspendTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void create() {
        t = TestServer.get();
        id = Sandboxes.create(t, "{}").path("id").asText();
    }

    @AfterAll
    static void delete() {
        Sandboxes.delete(t, id);
    }

    private static String describe(List<ProcessHandle> processes) {
        return Frozen.describe(processes);
    }

    private static boolean allStopped(List<ProcessHandle> processes) {
        return Frozen.allStopped(processes, "chromium");
    }

    private static boolean noneStopped(List<ProcessHandle> processes) {
        return Frozen.noneStopped(processes);
    }

    @Test
    void suspendStopsEveryProcessAndRefusesActionsUntilResume() throws Exception {
        var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        assertEquals("success", nav.path("status").asText(), nav.toString());
        var processes = Processes.ofComputer(id);
        assertTrue(processes.size() >= 3, "the sandbox, its browser and helpers: " + describe(processes));
        assertTrue(processes.stream().anyMatch(h -> h.info().commandLine().orElse("").contains("chromium")),
                describe(processes));

        var suspended = t.post("/browser-sandboxes/" + id + "/suspend", null);
        assertEquals(200, suspended.status(), suspended.body());
        assertEquals("paused", suspended.json().path("state").asText());
        assertNull(suspended.json().path("idleExpiresAt").textValue(), "the idle timer stops while paused");
        assertTrue(suspended.json().path("accessToken").isTextual(), "a paused sandbox can still be reattached");
        assertTrue(allStopped(processes), "every process is stopped:\n" + describe(processes));
        // a process started later (if any) is stopped too: everything of the sandbox now
        var now = Processes.ofComputer(id);
        assertTrue(allStopped(now), describe(now));

        var again = t.post("/browser-sandboxes/" + id + "/suspend", "{}");
        assertEquals(200, again.status(), again.body());
        assertEquals("paused", again.json().path("state").asText(), "suspend is idempotent");
        assertEquals("paused", Sandboxes.get(t, id).json().path("state").asText());
        assertEquals("paused", t.call("GET", "/computers/" + id, null).json().path("status").asText());

        // the Computers API: 422 computer_paused, which the SDKs do not retry (not 409, 429 or 5xx)
        for (var route : List.of("click", "navigate", "screenshot", "html", "type")) {
            var body = switch (route) {
                case "click" -> "{\"x\":10,\"y\":10}";
                case "navigate" -> "{\"url\":\"" + t.pages.url("second.html") + "\"}";
                case "type" -> "{\"text\":\"x\"}";
                default -> "{}";
            };
            long started = System.nanoTime();
            assertError(t.post("/computers/" + id + "/" + route, body), 422, "computer_paused");
            assertTrue(System.nanoTime() - started < 5_000_000_000L, route + " answered at once, not after a timeout");
        }
        assertError(t.post("/computers/" + id + "/exec/sync", "{\"command\":\"true\"}"), 422, "computer_paused");
        // the native surface: wrong_state (409 on routes, an error line on rpc)
        var lines = Sandboxes.rpc(t, id, "{\"id\":\"a\",\"method\":\"screenshot\",\"params\":{}}\n"
                + "{\"id\":\"b\",\"method\":\"contexts.list\"}\n");
        assertEquals(2, lines.size(), lines.toString());
        for (var line : lines) assertEquals("wrong_state", line.path("error").path("code").asText(), line.toString());
        var listed = t.call("GET", "/browser-sandboxes/" + id + "/contexts", null);
        assertError(listed, 409, "wrong_state");
        // a paused sandbox stays paused until resumed: the SDKs are told not to retry a 409 they otherwise would
        assertEquals("false", listed.header("x-should-retry"));
        assertError(t.post("/browser-sandboxes/" + id + "/contexts", "{}"), 409, "wrong_state");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts/screenshot", "{}"), 409, "wrong_state");
        var ws = Sandboxes.rawUpgrade(t, "/browser-sandboxes/" + id + "/cdp", "Authorization: Bearer " + TestServer.KEY + "\r\n");
        assertEquals(409, ws.status(), ws.body());
        assertEquals("wrong_state", ws.json().path("code").asText());
        assertTrue(allStopped(processes), "the refused calls did not wake it:\n" + describe(processes));

        var resumed = t.post("/browser-sandboxes/" + id + "/resume", null);
        assertEquals(200, resumed.status(), resumed.body());
        assertEquals("running", resumed.json().path("state").asText());
        assertTrue(resumed.json().path("idleExpiresAt").isTextual(), resumed.body());
        assertTrue(noneStopped(processes), "every process runs again:\n" + describe(processes));
        // the sandbox and the browser itself (a short-lived helper of the snapshot may have ended by itself)
        var lasting = processes.stream().filter(h -> h.info().commandLine().map(c -> c.contains("/bwrap")
                || (c.contains("--remote-debugging-pipe") && !c.contains("--type="))).orElse(false)).toList();
        assertTrue(lasting.size() >= 2, "bubblewrap and Chromium: " + lasting);
        assertTrue(lasting.stream().allMatch(ProcessHandle::isAlive), "the same processes, not a new browser");
        var resumedAgain = t.post("/browser-sandboxes/" + id + "/resume", null);
        assertEquals(200, resumedAgain.status(), resumedAgain.body());
        assertEquals("running", resumedAgain.json().path("state").asText(), "resume is idempotent");

        var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
        assertTrue(html.contains("id=\"log\""), "the page from before the suspend is still there: " + html);
        assertEquals("success", t.action(id, "click", "{\"x\":300,\"y\":200}").path("status").asText());
        assertEquals(1, PageLog.ofType(PageLog.read(t, id), "click").size());
        var rpc = Sandboxes.rpcResult(t, id, "tabs.list", "{}");
        assertTrue(rpc.isArray() && rpc.size() >= 1, rpc.toString());
    }

    @Test
    void aPausedSandboxCanBeDeletedAndLeavesNothing() throws Exception {
        var other = Sandboxes.create(t, "{}").path("id").asText();
        try {
            var processes = Processes.ofComputer(other);
            assertFalse(processes.isEmpty());
            assertEquals("paused", t.post("/browser-sandboxes/" + other + "/suspend", null).json().path("state").asText());
            assertTrue(allStopped(processes), describe(processes));
            long started = System.nanoTime();
            var deleted = t.call("DELETE", "/browser-sandboxes/" + other, null);
            assertEquals(200, deleted.status(), deleted.body());
            assertEquals("closed", deleted.json().path("state").asText());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "no process is left");
            assertTrue(System.nanoTime() - started < 20_000_000_000L, "the delete did not wait out a frozen browser");
            assertEquals(List.of(), Processes.ofComputer(other));
            assertFalse(Files.exists(t.dataDir.resolve("computers").resolve(other)), "its files are removed");
            assertError(t.post("/browser-sandboxes/" + other + "/resume", null), 404, "computer_not_running");
            assertError(t.post("/browser-sandboxes/" + other + "/suspend", null), 404, "computer_not_running");
        } finally {
            Sandboxes.delete(t, other);
        }
    }

    @Test
    void aPausedSandboxDoesNotIdleOutButItsIdleTimerRunsAgainAfterResume() {
        var other = Sandboxes.create(t, "{\"idleTimeoutSeconds\":2}").path("id").asText();
        try {
            assertEquals("paused", t.post("/browser-sandboxes/" + other + "/suspend", null).json().path("state").asText());
            long pausedAt = System.nanoTime();
            Await.until("4 s of pause", 10_000, () -> System.nanoTime() - pausedAt > 4_000_000_000L);
            assertEquals("paused", Sandboxes.get(t, other).json().path("state").asText(), "no idle expiry while paused");
            var resumed = t.post("/browser-sandboxes/" + other + "/resume", null);
            assertEquals("running", resumed.json().path("state").asText(), resumed.body());
            Await.until("the idle timeout after resume", 15_000, () ->
                    Sandboxes.get(t, other).json().path("state").asText().equals("closed"));
            assertEquals("inactivity_timeout", Sandboxes.get(t, other).json().path("closeReason").asText());
        } finally {
            Sandboxes.delete(t, other);
        }
    }

    @Test
    void aPausedSandboxStillEndsAtItsMaxLifetimeAndLeavesNothing() throws Exception {
        var other = Sandboxes.create(t, "{\"timeoutSeconds\":4}");
        var otherId = other.path("id").asText();
        try {
            var lifetime = java.time.Duration.between(java.time.Instant.parse(other.path("createdAt").asText()),
                    java.time.Instant.parse(other.path("expiresAt").asText()));
            assertEquals(4, lifetime.toSeconds(), other.toString());
            var processes = Processes.ofComputer(otherId);
            assertEquals("paused", t.post("/browser-sandboxes/" + otherId + "/suspend", null).json().path("state").asText());
            Await.until("the max lifetime to end the paused sandbox", 20_000, () ->
                    Sandboxes.get(t, otherId).json().path("state").asText().equals("closed"));
            assertEquals("max_lifetime_exceeded", Sandboxes.get(t, otherId).json().path("closeReason").asText());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "frozen processes were ended too");
            var events = t.call("GET", "/browser-sandboxes/" + otherId + "/replay-events?limit=1", null).json();
            assertEquals("expired", events.path("items").get(0).path("type").asText(), events.toString());
        } finally {
            Sandboxes.delete(t, otherId);
        }
    }
}
