package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.testing.Processes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart durability: a server killed with SIGKILL leaves its computers running, and the next start on the
 * same data dir takes them over under the same ids (actions work, events are all there, no second sandbox,
 * nothing orphaned); a computer whose sandbox died meanwhile is marked terminated with a lifecycle event.
 */
class RestartTest {
    private static final String KEY = "restart-test-key";
    private final HttpClient http = HttpClient.newHttpClient();


    private HttpResponse<String> call(String base, String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(60));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ServerConfig restartConfig(Path dataDir) {
        return ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY).withEgressAllow(List.of("127.0.0.1"))
                .toBuilder().stopComputersOnShutdown(true).build();
    }

    /** The computer's sandboxes (each one bubblewrap process outside it). */
    private static long bubblewraps(String id) {
        return Processes.sandboxesOf(id).size();
    }

    @Test
    void aComputerSurvivesASigkillOfTheServerAndIsTakenOverByTheNextStart(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-restart");
        var pages = io.porthole.testing.PageServer.start();
        var server = ChildServer.start(dataDir, KEY, "--egress-allow=127.0.0.1");
        String id;
        List<ProcessHandle> processes;
        try {
            var base = ChildServer.baseUrl(server);
            var created = call(base, "POST", "/computers", "{}");
            assertEquals(200, created.statusCode(), created.body());
            id = TestServer.JSON.readTree(created.body()).path("id").asText();
            var nav = call(base, "POST", "/computers/" + id + "/navigate", "{\"url\":\"" + pages.url("input.html") + "\"}");
            assertEquals("success", TestServer.JSON.readTree(nav.body()).path("status").asText(), nav.body());
            processes = Processes.ofComputer(id);
            assertFalse(processes.isEmpty());
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        Thread.sleep(500);
        // the sandbox and the browser (short-lived helpers such as a finished command's may have ended)
        var lasting = processes.stream().filter(h -> h.info().commandLine().map(c -> c.contains("/bwrap")
                || (c.contains("--remote-debugging-pipe") && !c.contains("--type="))).orElse(false)).toList();
        assertTrue(lasting.size() >= 2, "bubblewrap and Chromium: " + lasting);
        assertTrue(lasting.stream().allMatch(ProcessHandle::isAlive), "the computer outlives the server");
        try (var restarted = PortholeServer.start(restartConfig(dataDir))) {
            var base = restarted.baseUrl();
            var got = TestServer.JSON.readTree(call(base, "GET", "/computers/" + id, null).body());
            assertEquals("running", got.path("status").asText(), got.toString());
            assertEquals(1, bubblewraps(id), "taken over, not started again");
            var click = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/click", "{\"x\":60,\"y\":60}").body());
            assertEquals("success", click.path("status").asText(), click.toString());
            var html = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/html", "{}").body());
            assertTrue(html.path("result").path("html_content").asText().contains("Porthole input fixture"), html.toString());
            var nav = call(base, "POST", "/computers/" + id + "/navigate", "{\"url\":\"" + pages.url("second.html") + "\"}");
            assertEquals("success", TestServer.JSON.readTree(nav.body()).path("status").asText(), nav.body());
            var exec = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/exec/sync", "{\"command\":\"echo hi\"}").body());
            assertEquals("hi", exec.path("stdout").asText().strip(), exec.toString());
            var events = call(base, "GET", "/browser-sandboxes/" + id + "/replay-events", null).body();
            assertTrue(events.contains("\"created\"") && events.contains("\"adopted\"")
                    && events.contains("input.html") && events.contains("second.html"), events);
            assertEquals(204, call(base, "DELETE", "/computers/" + id, null).statusCode());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "nothing of it is left after delete");
            assertEquals(0, bubblewraps(id));
        } finally {
            pages.close();
        }
    }

    @Test
    void aDesktopIsTakenOverWithItsTypistsKeycodesAndItsXServerStillWatched(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-restart");
        var server = ChildServer.start(dataDir, KEY);
        String id;
        try {
            var base = ChildServer.baseUrl(server);
            var created = call(base, "POST", "/computers", "{\"kind\":\"desktop\"}");
            assertEquals(200, created.statusCode(), created.body());
            id = TestServer.JSON.readTree(created.body()).path("id").asText();
            // characters off the keyboard map, given spare keycodes by this run of the server
            var typed = call(base, "POST", "/computers/" + id + "/type", "{\"text\":\"echo ünï日本 > /workspace/before.txt\\n\"}");
            assertEquals("success", TestServer.JSON.readTree(typed.body()).path("status").asText(), typed.body());
            Await.until("the first line to be typed", 10_000, () -> sh(base, id, "cat /workspace/before.txt 2>/dev/null").equals("ünï日本\n"));
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        try (var restarted = PortholeServer.start(restartConfig(dataDir))) {
            var base = restarted.baseUrl();
            var got = TestServer.JSON.readTree(call(base, "GET", "/computers/" + id, null).body());
            assertEquals("running", got.path("status").asText(), got.toString());
            var click = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/click", "{\"x\":100,\"y\":100}").body());
            assertEquals("success", click.path("status").asText(), click.toString());
            Await.until("the pointer to reach the click", 15_000,
                    () -> sh(base, id, "xdotool getmouselocation --shell").contains("X=100\nY=100\n"));
            // the same characters and new ones, typed by the new run's typist on the keycodes the old one gave
            var typed = call(base, "POST", "/computers/" + id + "/type", "{\"text\":\"echo ünï日本 ελλ > /workspace/after.txt\\n\"}");
            assertEquals("success", TestServer.JSON.readTree(typed.body()).path("status").asText(), typed.body());
            try {
                Await.until("the second line to be typed", 10_000,
                        () -> sh(base, id, "cat /workspace/after.txt 2>/dev/null").equals("ünï日本 ελλ\n"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; it reads '" + sh(base, id, "cat /workspace/after.txt 2>&1") + "'", e);
            }
            // the adopted desktop is watched as a started one is
            sh(base, id, "kill -9 $(pidof Xvfb)");
            Await.until("the desktop to be seen failed", 30_000, () -> status(base, id).equals("failed"));
            var ended = TestServer.JSON.readTree(call(base, "GET", "/computers/" + id, null).body());
            assertTrue(ended.path("termination_reason").asText().startsWith("desktop_exited: Xvfb exited"), ended.toString());
            Await.until("its sandbox to end", 15_000, () -> bubblewraps(id) == 0);
        }
    }

    private String status(String base, String id) {
        try {
            return TestServer.JSON.readTree(call(base, "GET", "/computers/" + id, null).body()).path("status").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String sh(String base, String id, String command) {
        try {
            var r = call(base, "POST", "/computers/" + id + "/exec/sync",
                    TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", 20).toString());
            assertEquals(200, r.statusCode(), r.body());
            return TestServer.JSON.readTree(r.body()).path("stdout").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aFirefoxComputerSurvivesASigkillOfTheServerAndIsTakenOverByTheNextStart(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-restart");
        var pages = io.porthole.testing.PageServer.start();
        var server = ChildServer.start(dataDir, KEY, "--egress-allow=127.0.0.1");
        String id;
        String tabs;
        List<ProcessHandle> processes;
        try {
            var base = ChildServer.baseUrl(server);
            var created = call(base, "POST", "/computers", "{\"engine\":\"firefox\"}");
            assertEquals(200, created.statusCode(), created.body());
            id = TestServer.JSON.readTree(created.body()).path("id").asText();
            var nav = call(base, "POST", "/computers/" + id + "/navigate", "{\"url\":\"" + pages.url("input.html") + "\"}");
            assertEquals("success", TestServer.JSON.readTree(nav.body()).path("status").asText(), nav.body());
            tabs = TestServer.JSON.readTree(call(base, "GET", "/computers/" + id + "/tabs", null).body())
                    .path("result").path("tabs").toString();
            processes = Processes.ofComputer(id);
            assertFalse(processes.isEmpty());
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        Thread.sleep(1000);
        // the sandbox and Firefox (content processes come and go, and the forwarder's fork for the server's connection
        // ends with it)
        var firefox = processes.stream().filter(h -> h.info().commandLine().map(c -> c.contains("/bwrap")
                || (c.contains("--remote-debugging-port") && !c.contains("-contentproc"))).orElse(false)).toList();
        assertTrue(firefox.size() >= 2, "bubblewrap and Firefox: " + firefox);
        assertTrue(firefox.stream().allMatch(ProcessHandle::isAlive), "the computer outlives the server");
        try (var restarted = PortholeServer.start(restartConfig(dataDir))) {
            var base = restarted.baseUrl();
            var got = TestServer.JSON.readTree(call(base, "GET", "/computers/" + id, null).body());
            assertEquals("running", got.path("status").asText(), got.toString());
            assertEquals(1, bubblewraps(id), "taken over, not started again");
            var tabsNow = TestServer.JSON.readTree(call(base, "GET", "/computers/" + id + "/tabs", null).body())
                    .path("result").path("tabs").toString();
            assertEquals(tabs, tabsNow, "the same tabs, under the same ids");
            var click = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/click", "{\"x\":60,\"y\":60}").body());
            assertEquals("success", click.path("status").asText(), click.toString());
            var html = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/html", "{}").body());
            assertTrue(html.path("result").path("html_content").asText().contains("Porthole input fixture"), html.toString());
            var nav = call(base, "POST", "/computers/" + id + "/navigate", "{\"url\":\"data:text/html,<title>x</title>"
                    + "<script>document.title=String(navigator.webdriver)</script>\"}");
            assertEquals("success", TestServer.JSON.readTree(nav.body()).path("status").asText(), nav.body());
            var title = TestServer.JSON.readTree(call(base, "POST", "/computers/" + id + "/html", "{}").body());
            assertTrue(title.path("result").path("html_content").asText().contains("<title>false</title>"),
                    "navigator.webdriver stays hidden: " + title);
            var events = call(base, "GET", "/browser-sandboxes/" + id + "/replay-events", null).body();
            assertTrue(events.contains("\"created\"") && events.contains("\"adopted\"") && events.contains("input.html"), events);
            assertEquals(204, call(base, "DELETE", "/computers/" + id, null).statusCode());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "nothing of it is left after delete");
            assertEquals(0, bubblewraps(id));
        } finally {
            pages.close();
        }
    }

    @Test
    void aComputerWhoseSandboxDiedWhileTheServerWasDownIsMarkedTerminated(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-restart");
        var server = ChildServer.start(dataDir, KEY, "--egress-allow=127.0.0.1");
        String id;
        List<ProcessHandle> processes;
        try {
            var base = ChildServer.baseUrl(server);
            var created = call(base, "POST", "/computers", "{}");
            assertEquals(200, created.statusCode(), created.body());
            id = TestServer.JSON.readTree(created.body()).path("id").asText();
            processes = new java.util.ArrayList<>(Processes.ofComputer(id));
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        Processes.ofComputer(id).forEach(h -> {
            processes.add(h);
            h.destroyForcibly();
        });
        processes.forEach(ProcessHandle::destroyForcibly);
        assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000));
        try (var restarted = PortholeServer.start(restartConfig(dataDir))) {
            assertFalse(Files.exists(dataDir.resolve("computers").resolve(id)), "its files are removed");
            var json = TestServer.JSON.readTree(call(restarted.baseUrl(), "GET", "/computers/" + id, null).body());
            assertEquals("terminated", json.path("status").asText());
            assertEquals("server_restarted", json.path("termination_reason").asText());
            var events = call(restarted.baseUrl(), "GET", "/browser-sandboxes/" + id + "/replay-events", null).body();
            assertTrue(events.contains("\"closed\"") && events.contains("server_restarted"), events);
        }
    }
}
