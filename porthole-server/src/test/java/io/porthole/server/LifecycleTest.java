package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.testing.Processes;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, expiry by either timeout, keepalive, delete, crash: and that nothing outlives a computer. */
class LifecycleTest {
    private static TestServer t;

    @BeforeAll
    static void server() {
        t = TestServer.get();
    }

    private static String status(String id) {
        return t.call("GET", "/computers/" + id + "/status", null).json().path("status").asText();
    }

    @Test
    void createAnswersWithTheContractFieldsAndDefaults() {
        var r = t.post("/computers", "{}");
        assertEquals(200, r.status());
        var c = r.json();
        var id = c.path("id").asText();
        try {
            assertTrue(id.startsWith("comp_"));
            assertEquals("browser", c.path("kind").asText());
            assertEquals("running", c.path("status").asText());
            assertEquals(3600, c.path("max_lifetime_seconds").asInt());
            assertEquals(300, c.path("inactivity_timeout_seconds").asInt());
            assertTrue(c.path("idle_timeout_enabled").asBoolean());
            assertEquals(c.path("idle_timeout_enabled"), c.path("auto_kill"));
            var created = Instant.parse(c.path("created_at").asText());
            assertEquals(created.plusSeconds(3600), Instant.parse(c.path("expires_at").asText()));
            assertTrue(Instant.parse(c.path("idle_expires_at").asText()).isAfter(created));
            assertEquals("/computers/" + id + "/cdp", c.path("endpoints").path("cdp").asText());
            assertEquals(1280, c.path("display").path("width").asInt());
            var retrieved = t.call("GET", "/computers/" + id, null).json();
            assertEquals(id, retrieved.path("id").asText());
            var listed = t.call("GET", "/computers?type=live", null).json();
            assertTrue(listed.isArray());
            assertTrue(listed.findValuesAsText("id").contains(id));
        } finally {
            t.delete(id);
        }
    }

    @Test
    void deleteEndsTheBrowserRemovesItsFilesAndIsIdempotent() throws Exception {
        var id = t.createComputer("{}");
        var processes = Processes.ofComputer(id);
        assertTrue(processes.stream().anyMatch(h -> h.info().commandLine().orElse("").contains("chromium")),
                "the computer's browser runs in its sandbox: " + processes);
        assertTrue(Files.isDirectory(t.dataDir.resolve("computers").resolve(id)));
        var first = t.call("DELETE", "/computers/" + id, null);
        assertEquals(204, first.status());
        assertEquals(java.util.List.of(), Processes.awaitComputerGone(processes, 15_000), "no process of the computer is left");
        assertFalse(Files.exists(t.dataDir.resolve("computers").resolve(id)), "its profile is gone");
        var again = t.request("DELETE", "/computers/" + id, null,
                java.util.Map.of("Authorization", "Bearer " + TestServer.KEY, "Content-Type", "application/json", "Accept", "*/*"));
        assertEquals(204, again.status(), "deleting an ended computer is not an error");
        assertEquals("terminated", status(id));
        assertEquals("deleted", t.call("GET", "/computers/" + id, null).json().path("termination_reason").asText());
        assertFalse(t.call("GET", "/computers", null).json().findValuesAsText("id").contains(id));
        var action = t.post("/computers/" + id + "/click", "{\"x\":1,\"y\":1}");
        assertEquals(404, action.status());
        assertEquals("computer_not_running", action.json().path("code").asText());
        assertEquals(404, t.post("/computers/" + id + "/keepalive", null).status());
    }

    @Test
    void maxLifetimeEndsTheComputer() throws Exception {
        var id = t.createComputer("{\"max_lifetime_seconds\":2}");
        var processes = Processes.ofComputer(id);
        var c = t.call("GET", "/computers/" + id, null).json();
        assertEquals(2, c.path("max_lifetime_seconds").asInt());
        Await.until("max lifetime expiry", 30_000, () -> status(id).equals("terminated"));
        assertEquals("max_lifetime_exceeded", t.call("GET", "/computers/" + id, null).json().path("termination_reason").asText());
        assertEquals(java.util.List.of(), Processes.awaitComputerGone(processes, 15_000));
    }

    @Test
    void deprecatedTimeoutSecondsIsTheMaxLifetime() {
        var id = t.createComputer("{\"timeout_seconds\":1234,\"auto_kill\":false}");
        try {
            var c = t.call("GET", "/computers/" + id, null).json();
            assertEquals(1234, c.path("max_lifetime_seconds").asInt());
            assertFalse(c.path("idle_timeout_enabled").asBoolean());
            assertFalse(c.path("auto_kill").asBoolean());
            assertTrue(c.path("idle_expires_at").isMissingNode(), "no idle deadline when the idle timeout is off");
        } finally {
            t.delete(id);
        }
    }

    @Test
    void inactivityEndsAnIdleComputerAndActivityDefersIt() throws Exception {
        var id = t.createComputer("{\"inactivity_timeout_seconds\":2}");
        var processes = Processes.ofComputer(id);
        var before = Instant.parse(t.call("GET", "/computers/" + id + "/status", null).json().path("idle_expires_at").asText());
        Thread.sleep(300);
        var kept = t.post("/computers/" + id + "/keepalive", null);
        assertEquals(200, kept.status());
        var after = Instant.parse(kept.json().path("idle_expires_at").asText());
        assertTrue(after.isAfter(before), "keepalive moves the idle deadline");
        Await.until("idle expiry", 30_000, () -> status(id).equals("terminated"));
        assertEquals("inactivity_timeout", t.call("GET", "/computers/" + id, null).json().path("termination_reason").asText());
        assertEquals(java.util.List.of(), Processes.awaitComputerGone(processes, 15_000));
    }

    @Test
    void idleTimeoutCanBeSwitchedOff() throws Exception {
        var id = t.createComputer("{\"inactivity_timeout_seconds\":1,\"idle_timeout_enabled\":false}");
        try {
            Thread.sleep(1800);
            assertEquals("running", status(id));
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aCrashedBrowserMarksTheComputerFailed() throws Exception {
        var id = t.createComputer("{}");
        var processes = Processes.ofComputer(id);
        var browser = processes.stream()
                .filter(h -> h.info().commandLine().orElse("").contains("--remote-debugging-pipe"))
                .filter(h -> !h.info().commandLine().orElse("").contains("--type="))
                .findFirst().orElseThrow();
        browser.destroyForcibly();
        Await.until("the crash to be seen", 30_000, () -> status(id).equals("failed"));
        var action = t.post("/computers/" + id + "/screenshot", "{}");
        assertEquals(404, action.status());
        assertEquals("computer_not_running", action.json().path("code").asText());
        assertTrue(action.json().path("message").asText().contains("failed"), action.body());
        assertEquals(java.util.List.of(), Processes.awaitComputerGone(processes, 15_000),
                "the crashed browser's children and its sandbox are gone too");
        Await.until("the crashed computer's files to go", 15_000,
                () -> !Files.exists(t.dataDir.resolve("computers").resolve(id)));
        assertEquals(204, t.call("DELETE", "/computers/" + id, null).status());
    }
}
