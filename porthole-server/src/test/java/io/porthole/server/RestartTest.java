package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.testing.Processes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed with SIGKILL leaves nothing running (sandboxes die with their parent, and the next start
 * sweeps anything left), and the next start on the same data dir marks its computers terminated.
 */
class RestartSweepTest {
    private static final String KEY = "restart-test-key";

    @Test
    void computersOfASigkilledServerEndAndAreMarkedAtTheNextStart(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-restart");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.porthole.server.Main",
                "serve", "--data-dir=" + dataDir, "--port=0", "--api-key=" + KEY)
                .redirectErrorStream(true).start();
        String id = null;
        List<ProcessHandle> processes = List.of();
        try {
            var base = readBaseUrl(server);
            var http = HttpClient.newHttpClient();
            var created = http.send(HttpRequest.newBuilder(URI.create(base + "/computers"))
                    .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, created.statusCode(), created.body());
            id = TestServer.JSON.readTree(created.body()).path("id").asText();
            processes = Processes.ofComputer(id);
            assertFalse(processes.isEmpty());
            server.destroyForcibly();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        } finally {
            server.destroyForcibly();
        }
        var config = ServerConfig.defaults(dataDir).withPort(0).withApiKey(KEY);
        try (var restarted = PortholeServer.start(config)) {
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "nothing of the computer is left");
            assertFalse(Files.exists(dataDir.resolve("computers").resolve(id)), "and removed the files");
            var http = HttpClient.newHttpClient();
            var status = http.send(HttpRequest.newBuilder(URI.create(restarted.baseUrl() + "/computers/" + id))
                    .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
            var json = TestServer.JSON.readTree(status.body());
            assertEquals("terminated", json.path("status").asText());
            assertEquals("server_restarted", json.path("termination_reason").asText());
        }
    }

    /** The URL the child prints; on failure, everything it printed. */
    private static String readBaseUrl(Process server) throws Exception {
        var pattern = Pattern.compile("listening on (http://\\S+)");
        var said = new StringBuffer();
        var found = new CompletableFuture<String>();
        // a platform thread: reading a pipe pins a virtual thread's carrier, and the common pool may be busy
        Thread.ofPlatform().daemon(true).start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(server.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    said.append(line).append('\n');
                    var m = pattern.matcher(line);
                    if (m.find()) found.complete(m.group(1));
                }
            } catch (java.io.IOException e) {
                found.completeExceptionally(e);
            }
            found.completeExceptionally(new IllegalStateException("the server ended without saying where it listens"));
        });
        try {
            return found.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the server did not start: " + e + "; it printed:\n" + said, e);
        }
    }
}
