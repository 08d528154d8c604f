package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.Processes;
import io.porthole.testing.SseClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Auto-standby, on a server of its own that puts a computer into standby after 2 s without activity (its scheduler
 * looks every 50 ms; its screencasts send a heartbeat every second): a computer left alone has every process frozen by the kernel's account while its status stays
 * running; each kind of request that reaches into it wakes it and works (Chromium, Firefox and a desktop); what uses
 * it keeps it awake; it is deleted, ends by idle timeout, by max lifetime and with the server, is suspended and saved
 * without hanging; a restarted server takes a computer in standby over awake. The replay events record it.
 */
class StandbyTest {
    private static final long STANDBY_SECONDS = 2;
    private static final long WAIT_MILLIS = 30_000;
    private static TestServer t;

    @BeforeAll
    static void start() {
        // a viewer who left a still page is noticed at the next heartbeat: every second here, not every 30
        t = new TestServer(c -> c.withComputers(c.computers().withStandbyAfter(STANDBY_SECONDS))
                .withLive(new ServerConfig.LiveConfig(c.live().eventsHeartbeat(), Duration.ofSeconds(1),
                        c.live().controlLease(), c.live().viewerLinkDefault(), c.live().ffmpeg())));
    }

    @AfterAll
    static void stop() {
        if (t != null) t.close();
    }

    private static JsonNode computer(String id) {
        var r = t.call("GET", "/computers/" + id, null);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static boolean inStandby(String id) {
        return computer(id).path("standby").asBoolean(false);
    }

    /**
     * Waits until the computer is in standby, then checks what that means: its status still reads running, the
     * answer says since when, and every process of it is frozen (with {@code program} among them).
     */
    private static void awaitStandby(String id, String program) {
        Await.until(id + " to go into standby", WAIT_MILLIS, () -> inStandby(id));
        var json = computer(id);
        assertEquals("running", json.path("status").asText(), "standby is not a status of its own: " + json);
        assertTrue(json.path("standby_since").isTextual(), json.toString());
        var processes = Processes.ofComputer(id);
        assertTrue(Frozen.allStopped(processes, program), "every process is frozen:\n" + Frozen.describe(processes));
    }

    /** The computer's replay events, oldest first. */
    private static List<JsonNode> events(String id) {
        var r = t.call("GET", "/computers/" + id + "/replay-events?limit=1000", null);
        assertEquals(200, r.status(), r.body());
        var out = new ArrayList<JsonNode>();
        r.json().path("items").forEach(out::add);
        return out.reversed();
    }

    private static List<JsonNode> lifecycle(String id, String type) {
        return events(id).stream().filter(e -> e.path("category").asText().equals("lifecycle")
                && e.path("type").asText().equals(type)).toList();
    }

    /**
     * Puts the computer into standby, runs {@code request} (which checks its own answer), and checks that the computer
     * was woken once, for {@code reason}.
     */
    private static void wakes(String id, String program, String reason, Runnable request) {
        awaitStandby(id, program);
        int before = lifecycle(id, "woke").size();
        try {
            request.run();
        } catch (AssertionError e) {
            throw new AssertionError("waking by " + reason + ": " + e.getMessage(), e);
        }
        var woke = lifecycle(id, "woke");
        assertEquals(before + 1, woke.size(), reason + " woke it once: " + woke);
        var data = woke.getLast().path("data");
        assertEquals(reason, data.path("reason").asText(), data.toString());
        assertTrue(data.path("thawMillis").isNumber() && data.path("standbySeconds").isNumber(), data.toString());
    }

    private static void success(JsonNode actionResult) {
        assertEquals("success", actionResult.path("status").asText(), actionResult.toString());
    }

    private static JsonNode sh(String id, String command) {
        var r = t.post("/computers/" + id + "/exec/sync", TestServer.JSON.createObjectNode().put("command", command)
                .put("timeout_seconds", 30).toString());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static SseClient screencast(String id) {
        return SseClient.open(t.http, t.server.baseUrl() + "/computers/" + id + "/screencast",
                Map.of("Authorization", "Bearer " + TestServer.KEY));
    }

    /**
     * Waits until the computer is awake (what uses it may have just woken it), then checks for {@code millis} that it
     * does not go into standby while {@code what} uses it.
     */
    private static void staysAwake(String id, String what, long millis) {
        Await.until(what + " to wake it", WAIT_MILLIS, () -> !inStandby(id));
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            assertFalse(inStandby(id), id + " went into standby while " + what);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aChromiumComputerLeftAloneGoesToStandbyAndEveryKindOfRequestWakesIt() throws Exception {
        var id = t.createComputer("{}");
        try {
            success(t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}"));
            var standby = lifecycle(id, "standby");
            awaitStandby(id, "chromium");
            var event = lifecycle(id, "standby");
            assertEquals(standby.size() + 1, event.size(), event.toString());
            assertTrue(event.getLast().path("data").path("idleSeconds").asLong(-1) >= STANDBY_SECONDS, event.toString());
            var token = Sandboxes.get(t, id).json().path("accessToken").asText();

            Map<String, Map.Entry<String, Runnable>> wakers = new LinkedHashMap<>();
            wakers.put("click", Map.entry("action", () -> success(t.action(id, "click", "{\"x\":300,\"y\":200}"))));
            wakers.put("execute", Map.entry("action", () -> success(t.action(id, "execute",
                    "{\"action\":{\"type\":\"get_html_content\"}}"))));
            wakers.put("batch", Map.entry("action", () -> {
                var r = t.post("/computers/" + id + "/batch", "{\"actions\":[{\"type\":\"screenshot\"},{\"type\":\"wait\",\"ms\":10}]}");
                assertTrue(r.json().path("success").asBoolean(), r.body());
            }));
            wakers.put("tabs", Map.entry("action", () -> {
                var r = t.call("GET", "/computers/" + id + "/tabs", null);
                success(r.json());
            }));
            wakers.put("debug", Map.entry("action", () -> success(t.action(id, "debug", "{\"command\":\"echo hi\"}"))));
            wakers.put("change-proxy", Map.entry("action", () -> success(t.action(id, "change-proxy", "{}"))));
            wakers.put("rpc", Map.entry("rpc", () -> assertTrue(Sandboxes.rpcResult(t, id, "screenshot", "{}")
                    .path("screenshot_url").isTextual())));
            wakers.put("contexts", Map.entry("action", () -> assertEquals(200,
                    t.call("GET", "/browser-sandboxes/" + id + "/contexts", null).status())));
            wakers.put("capture", Map.entry("action", () -> assertEquals(201,
                    t.post("/browser-sandboxes/" + id + "/artifacts/screenshot", "{}").status())));
            wakers.put("exec/sync", Map.entry("command", () -> assertEquals("hi\n", sh(id, "echo hi").path("stdout").asText())));
            wakers.put("exec", Map.entry("command", () -> {
                var r = t.post("/computers/" + id + "/exec", "{\"command\":\"echo streamed\"}");
                assertTrue(r.body().contains("streamed") && r.body().contains("\"exit\""), r.body());
            }));
            wakers.put("keepalive", Map.entry("keepalive", () -> assertEquals(200,
                    t.post("/computers/" + id + "/keepalive", null).status())));
            wakers.put("json/version", Map.entry("connection", () -> {
                var r = t.call("GET", "/browser-sandboxes/" + id + "/cdp/json/version", null);
                assertTrue(r.json().path("Browser").asText().contains("Chrome"), r.body());
            }));
            wakers.put("cdp", Map.entry("connection", () -> {
                try (var cdp = Sandboxes.Ws.connect(t.server.baseUrl().replaceFirst("^http", "ws")
                        + "/browser-sandboxes/" + id + "/cdp?token=" + token)) {
                    assertTrue(cdp.call("Browser.getVersion", "{}").has("result"));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
            wakers.put("screencast", Map.entry("viewer", () -> {
                try (var viewer = screencast(id)) {
                    assertEquals(200, viewer.status());
                    viewer.await(e -> !e.isComment() && e.event().equals("message"), Duration.ofSeconds(20));
                }
            }));
            wakers.put("control", Map.entry("control", () -> {
                var r = t.post("/computers/" + id + "/control", null);
                assertEquals(200, r.status(), r.body());
                assertEquals(200, t.call("DELETE", "/computers/" + id + "/control", null).status());
            }));
            for (var w : wakers.entrySet()) {
                wakes(id, "chromium", w.getValue().getKey(), () -> {
                    try {
                        w.getValue().getValue().run();
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError(w.getKey() + ": " + e.getMessage(), e);
                    }
                });
            }
            // the page from before the first standby is still there
            var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
            assertTrue(html.contains("id=\"log\""), html);
            assertEquals(1, PageLog.ofType(PageLog.read(t, id), "click").size());
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aFirefoxComputerGoesToStandbyAndWakes() {
        var id = t.createComputer("{\"engine\":\"firefox\"}");
        try {
            success(t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}"));
            wakes(id, "firefox", "action", () -> success(t.action(id, "click", "{\"x\":300,\"y\":200}")));
            wakes(id, "firefox", "command", () -> assertEquals("hi\n", sh(id, "echo hi").path("stdout").asText()));
            wakes(id, "firefox", "rpc", () -> assertTrue(Sandboxes.rpcResult(t, id, "tabs.list", "{}").isArray()));
            wakes(id, "firefox", "action", () -> assertTrue(t.action(id, "html", "{}").path("result")
                    .path("html_content").asText().contains("id=\"log\"")));
            assertEquals(1, PageLog.ofType(PageLog.read(t, id), "click").size());
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aDesktopGoesToStandbyAndWakes() {
        var id = t.createComputer("{\"kind\":\"desktop\"}");
        try {
            wakes(id, "Xvfb", "action", () -> success(t.action(id, "click", "{\"x\":100,\"y\":100}")));
            wakes(id, "Xvfb", "command", () -> assertTrue(sh(id, "xdotool getmouselocation --shell").path("stdout").asText()
                    .contains("X=100\nY=100\n")));
            wakes(id, "Xvfb", "action", () -> {
                var shot = t.action(id, "screenshot", "{}");
                success(shot);
                assertEquals(1280, shot.path("result").path("width").asInt());
            });
            wakes(id, "Xvfb", "viewer", () -> {
                try (var viewer = screencast(id)) {
                    assertEquals(200, viewer.status());
                    viewer.await(e -> e.event().equals("h264"), Duration.ofSeconds(20));
                }
            });
        } finally {
            t.delete(id);
        }
    }

    @Test
    void whatUsesAComputerKeepsItAwakeAndItSleepsOnceThatHasGone() throws Exception {
        var made = Sandboxes.create(t, "{}");
        var id = made.path("id").asText();
        long window = 3 * STANDBY_SECONDS * 1000;
        try {
            awaitStandby(id, "chromium");
            // a protocol client, attached without sending anything
            try (var cdp = Sandboxes.Ws.connect(made.path("connect").path("cdp").asText())) {
                staysAwake(id, "a CDP client is attached", window);
                assertTrue(cdp.call("Browser.getVersion", "{}").has("result"), "the client's browser answers at once");
            }
            awaitStandby(id, "chromium");
            // a command that runs without writing anything
            var command = CompletableFuture.supplyAsync(() -> sh(id, "sleep " + (window / 1000 + 2) + "; echo done"));
            staysAwake(id, "a command runs", window);
            assertEquals("done\n", command.get().path("stdout").asText());
            awaitStandby(id, "chromium");
            // a screencast viewer, on a page that does not change
            try (var viewer = screencast(id)) {
                assertEquals(200, viewer.status());
                staysAwake(id, "a viewer watches", window);
                assertEquals(1, computer(id).path("viewers").asInt(), "still watching");
            }
            awaitStandby(id, "chromium");
            // a person holding control, who neither watches nor acts
            assertEquals(200, t.post("/computers/" + id + "/control", null).status());
            staysAwake(id, "a person holds control", window);
            assertEquals(200, t.call("DELETE", "/computers/" + id + "/control", null).status());
            awaitStandby(id, "chromium");
            // an event stream is not a use: the computer sleeps with one open
            try (var events = SseClient.open(t.http, t.server.baseUrl() + "/computers/" + id + "/events",
                    Map.of("Authorization", "Bearer " + TestServer.KEY))) {
                assertEquals(200, events.status());
                success(t.action(id, "screenshot", "{}"));
                awaitStandby(id, "chromium");
            }
        } finally {
            Sandboxes.delete(t, id);
        }
    }

    @Test
    void aRecordedComputerNeverGoesToStandby() throws Exception {
        var id = t.createComputer("{\"record_video\":true}");
        try {
            staysAwake(id, "the server records it", 3 * STANDBY_SECONDS * 1000);
            assertTrue(lifecycle(id, "standby").isEmpty());
        } finally {
            t.delete(id);
        }
    }

    @Test
    void requestsArrivingAroundTheMomentOfTheFreezeAllWork() throws Exception {
        var id = t.createComputer("{}");
        try {
            success(t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}"));
            int clicks = 0;
            // pauses from a little under the standby time to a little over it, so that some requests meet a freeze
            // that is being decided, is under way or has just finished
            for (long pause = STANDBY_SECONDS * 1000 - 150; pause <= STANDBY_SECONDS * 1000 + 250; pause += 25) {
                Thread.sleep(pause);
                success(t.action(id, "click", "{\"x\":300,\"y\":200}"));
                clicks++;
            }
            assertEquals(clicks, PageLog.ofType(PageLog.read(t, id), "click").size(), "every click reached the page");
            assertEquals(lifecycle(id, "standby").size(), lifecycle(id, "woke").size(), "every standby was woken from");
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aComputerInStandbyIsDeletedAndLeavesNothing() throws Exception {
        var id = t.createComputer("{}");
        awaitStandby(id, "chromium");
        var processes = Processes.ofComputer(id);
        assertEquals(204, t.call("DELETE", "/computers/" + id, null).status());
        assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "no process is left");
        assertEquals("terminated", computer(id).path("status").asText());
        assertFalse(computer(id).has("standby"), "an ended computer has no standby to show");
        assertFalse(Files.exists(t.dataDir.resolve("computers").resolve(id)), "its files are removed");
    }

    @Test
    void aServerThatStopsEndsItsComputersInStandby() throws Exception {
        var own = new TestServer(c -> c.withComputers(c.computers().withStandbyAfter(STANDBY_SECONDS)));
        List<ProcessHandle> processes;
        try {
            var id = own.createComputer("{}");
            Await.until(id + " to go into standby", WAIT_MILLIS, () ->
                    own.call("GET", "/computers/" + id, null).json().path("standby").asBoolean());
            processes = Processes.ofComputer(id);
            assertTrue(Frozen.allStopped(processes, "chromium"), Frozen.describe(processes));
        } finally {
            own.close();
        }
        assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "the shutdown thawed and ended it");
    }

    @Test
    void aComputerInStandbyEndsAtItsIdleTimeout() throws Exception {
        var id = Sandboxes.create(t, "{\"idleTimeoutSeconds\":6}").path("id").asText();
        try {
            awaitStandby(id, "chromium");
            var processes = Processes.ofComputer(id);
            Await.until("the idle timeout to end it", WAIT_MILLIS, () ->
                    Sandboxes.get(t, id).json().path("state").asText().equals("closed"));
            assertEquals("inactivity_timeout", Sandboxes.get(t, id).json().path("closeReason").asText());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "frozen processes were ended too");
            var types = events(id).stream().filter(e -> e.path("category").asText().equals("lifecycle"))
                    .map(e -> e.path("type").asText()).toList();
            assertEquals(List.of("created", "standby", "expired"), types);
        } finally {
            Sandboxes.delete(t, id);
        }
    }

    @Test
    void aComputerInStandbyEndsAtItsMaxLifetime() throws Exception {
        var id = t.createComputer("{\"max_lifetime_seconds\":7,\"idle_timeout_enabled\":false}");
        try {
            awaitStandby(id, "chromium");
            var processes = Processes.ofComputer(id);
            Await.until("the max lifetime to end it", WAIT_MILLIS, () ->
                    computer(id).path("status").asText().equals("terminated"));
            assertEquals("max_lifetime_exceeded", computer(id).path("termination_reason").asText());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "frozen processes were ended too");
            assertEquals("expired", lifecycle(id, "expired").getLast().path("type").asText());
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aComputerInStandbyIsSuspendedAndResumed() throws Exception {
        var id = Sandboxes.create(t, "{}").path("id").asText();
        try {
            awaitStandby(id, "chromium");
            var suspended = t.post("/browser-sandboxes/" + id + "/suspend", null);
            assertEquals("paused", suspended.json().path("state").asText(), suspended.body());
            assertFalse(suspended.json().path("standby").asBoolean(), "suspended, no longer in standby: " + suspended.body());
            var processes = Processes.ofComputer(id);
            assertTrue(Frozen.allStopped(processes, "chromium"), Frozen.describe(processes));
            // a paused computer does not wake for a viewer or an RPC stream: it stays paused and frozen
            Sandboxes.assertError(t.post("/computers/" + id + "/click", "{\"x\":1,\"y\":1}"), 422, "computer_paused");
            assertTrue(Frozen.allStopped(processes, "chromium"), Frozen.describe(processes));
            assertEquals("running", t.post("/browser-sandboxes/" + id + "/resume", null).json().path("state").asText());
            assertTrue(Frozen.noneStopped(processes), Frozen.describe(processes));
            success(t.action(id, "screenshot", "{}"));
            var types = events(id).stream().filter(e -> e.path("category").asText().equals("lifecycle"))
                    .map(e -> e.path("type").asText()).toList();
            assertEquals(List.of("created", "standby", "suspended", "resumed"), types.subList(0, 4), types.toString());
            assertTrue(lifecycle(id, "woke").isEmpty(), "a resume is not a wake: " + types);
        } finally {
            Sandboxes.delete(t, id);
        }
    }

    @Test
    void aPersistentComputerInStandbyIsSavedWhenDeleted() throws Exception {
        var first = t.createComputer("{\"persistent\":true}");
        var set = StatePage.read(t, first, "state.html", "?mode=set", null);
        assertEquals("l1", set.path("ls").asText(), set.toString());
        awaitStandby(first, "chromium");
        assertEquals(204, t.call("DELETE", "/computers/" + first, null).status());
        var second = t.createComputer("{\"environment_id\":\"" + first + "\"}");
        try {
            var got = StatePage.read(t, second, "state.html", "", null);
            assertTrue(got.path("cookie").asText().contains("sess=s1"), "the session cookie, read from the thawed browser: " + got);
            assertEquals("l1", got.path("ls").asText(), got.toString());
        } finally {
            t.delete(second);
        }
    }

    @Test
    void aRestartedServerTakesAComputerInStandbyOverAwake(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-standby");
        var key = "standby-restart-key";
        var child = ChildServer.start(dataDir, key, "--egress-allow=127.0.0.1", "--standby-after-seconds=" + STANDBY_SECONDS);
        String id;
        List<ProcessHandle> processes;
        var http = HttpClient.newHttpClient();
        try {
            var base = ChildServer.baseUrl(child);
            var created = call(http, base, key, "POST", "/computers", "{}");
            id = created.path("id").asText();
            success(call(http, base, key, "POST", "/computers/" + id + "/navigate",
                    "{\"url\":\"" + t.pages.url("input.html") + "\"}"));
            Await.until("standby under the first server", WAIT_MILLIS, () ->
                    call(http, base, key, "GET", "/computers/" + id, null).path("standby").asBoolean());
            processes = Processes.ofComputer(id);
            assertTrue(Frozen.allStopped(processes, "chromium"), Frozen.describe(processes));
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(Frozen.allStopped(processes, "chromium"), "still frozen with no server:\n" + Frozen.describe(processes));
        var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(key).withEgressAllow(List.of("127.0.0.1"))
                .toBuilder().stopComputersOnShutdown(true).build();
        try (var restarted = PortholeServer.start(config)) {
            var base = restarted.baseUrl();
            var got = call(http, base, key, "GET", "/computers/" + id, null);
            assertEquals("running", got.path("status").asText(), got.toString());
            assertFalse(got.path("standby").asBoolean(), "taken over awake: " + got);
            assertTrue(Frozen.noneStopped(processes), Frozen.describe(processes));
            success(call(http, base, key, "POST", "/computers/" + id + "/click", "{\"x\":300,\"y\":200}"));
            var html = call(http, base, key, "POST", "/computers/" + id + "/html", "{}");
            assertTrue(html.path("result").path("html_content").asText().contains("Porthole input fixture"), html.toString());
            var events = call(http, base, key, "GET", "/computers/" + id + "/replay-events", null).toString();
            assertTrue(events.contains("\"standby\"") && events.contains("\"adopted\""), events);
            call(http, base, key, "DELETE", "/computers/" + id, null);
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "nothing of it is left after delete");
        }
    }

    private static JsonNode call(HttpClient http, String base, String key, String method, String path, String body) {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(60));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 204) return TestServer.JSON.createObjectNode();
            assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
            return TestServer.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
