package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.Processes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Commands inside a computer: the exec semantics table of contract §5.1, on a browser computer. */
class ExecTest {
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

    /** A streamed exec: every line, parsed, with the time each arrived (ms after the request). */
    record Line(JsonNode json, long atMillis) {}

    static List<Line> stream(String computer, String body) {
        var request = HttpRequest.newBuilder(URI.create(t.server.baseUrl() + "/computers/" + computer + "/exec"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .header("Accept", "application/x-ndjson").timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        try {
            var response = t.http.send(request, HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, response.statusCode());
            assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElse(""));
            var out = new ArrayList<Line>();
            response.body().forEach(line -> {
                assertFalse(line.isBlank(), "the stream never carries a blank line");
                try {
                    out.add(new Line(TestServer.JSON.readTree(line), (System.nanoTime() - start) / 1_000_000));
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            });
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String text(List<Line> lines, String type) {
        var sb = new StringBuilder();
        for (var l : lines) if (l.json().path("type").asText().equals(type)) sb.append(l.json().path("data").asText());
        return sb.toString();
    }

    static JsonNode sync(String computer, String body) {
        var r = t.post("/computers/" + computer + "/exec/sync", body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void streamCarriesStdoutStderrAndExactlyOneExitLineLast() {
        var lines = stream(id, "{\"command\":\"echo out; echo err >&2; exit 7\"}");
        assertEquals("out\n", text(lines, "stdout"));
        assertEquals("err\n", text(lines, "stderr"));
        var exits = lines.stream().filter(l -> l.json().path("type").asText().equals("exit")).toList();
        assertEquals(1, exits.size());
        assertEquals(7, exits.getFirst().json().path("code").asInt());
        assertEquals("exit", lines.getLast().json().path("type").asText());
    }

    @Test
    void outputStreamsWhileTheCommandRuns() {
        var lines = stream(id, "{\"command\":\"echo first; sleep 2; echo second\"}");
        var first = lines.stream().filter(l -> l.json().path("data").asText().contains("first")).findFirst().orElseThrow();
        var second = lines.stream().filter(l -> l.json().path("data").asText().contains("second")).findFirst().orElseThrow();
        assertTrue(second.atMillis() - first.atMillis() >= 1500,
                "the first line came before the command finished: " + first.atMillis() + " vs " + second.atMillis());
    }

    @Test
    void syncAnswersExitCodeAndBothStreams() {
        var r = sync(id, "{\"command\":\"printf 'a\\\\nb'; printf oops >&2; exit 3\"}");
        assertEquals(3, r.path("exit_code").asInt());
        assertEquals("a\nb", r.path("stdout").asText());
        assertEquals("oops", r.path("stderr").asText());
    }

    @Test
    void envIsAppliedAndCwdDefaultsToTheWorkspace() {
        var r = sync(id, "{\"command\":\"echo $GREETING; pwd\",\"env\":{\"GREETING\":\"hello there\"}}");
        assertEquals("hello there\n/workspace\n", r.path("stdout").asText());
        r = sync(id, "{\"command\":\"pwd\",\"cwd\":\"/tmp\"}");
        assertEquals("/tmp\n", r.path("stdout").asText());
    }

    @Test
    void theWorkspaceKeepsFilesBetweenCommands() {
        sync(id, "{\"command\":\"echo kept > notes.txt\"}");
        assertEquals("kept\n", sync(id, "{\"command\":\"cat /workspace/notes.txt\"}").path("stdout").asText());
    }

    @Test
    void aTimeoutKillsTheWholeProcessGroupAndExitsMinusOne() {
        long start = System.nanoTime();
        var lines = stream(id, "{\"command\":\"sleep 40 & sleep 41; echo never\",\"timeout_seconds\":1}");
        assertTrue(System.nanoTime() - start < 15_000_000_000L, "answered soon after the timeout");
        assertEquals(-1, lines.getLast().json().path("code").asInt());
        assertFalse(text(lines, "stdout").contains("never"));
        var left = sync(id, "{\"command\":\"pgrep -f 'sleep 4[01]' | wc -l\"}").path("stdout").asText().trim();
        assertEquals("0", left, "the background sleep died with its group");
        var r = sync(id, "{\"command\":\"sleep 30\",\"timeout_seconds\":1}");
        assertEquals(-1, r.path("exit_code").asInt());
    }

    @Test
    void concurrentCommandsKeepTheirOutputApart() throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<List<Line>>>();
            for (var marker : List.of("AAA", "BBB", "CCC")) {
                futures.add(pool.submit(() -> stream(id,
                        "{\"command\":\"for i in $(seq 200); do echo " + marker + "; done\"}")));
            }
            var markers = List.of("AAA", "BBB", "CCC");
            for (int i = 0; i < 3; i++) {
                var out = text(futures.get(i).get(), "stdout");
                assertEquals((markers.get(i) + "\n").repeat(200), out);
            }
        }
    }

    @Test
    void badInputIsAnErrorLineOrA400AndTheComputerStaysUsable() {
        var missing = stream(id, "{}");
        assertEquals(1, missing.size());
        assertEquals("error", missing.getFirst().json().path("type").asText());
        assertEquals("invalid_argument", missing.getFirst().json().path("code").asText());
        var malformed = stream(id, "{\"command\":");
        assertEquals("invalid_json", malformed.getFirst().json().path("code").asText());
        var noDir = stream(id, "{\"command\":\"pwd\",\"cwd\":\"/no/such/dir\"}");
        assertEquals(1, noDir.size());
        assertEquals("error", noDir.getFirst().json().path("type").asText());
        assertTrue(noDir.getFirst().json().path("message").asText().contains("/no/such/dir"));
        assertEquals(400, t.post("/computers/" + id + "/exec/sync", "{}").status());
        assertEquals(400, t.post("/computers/" + id + "/exec/sync", "{\"command\":\"pwd\",\"cwd\":\"/nope\"}").status());
        assertEquals(400, t.post("/computers/" + id + "/exec/sync", "{\"command\":\"pwd\",\"env\":{\"A\":1}}").status());
        assertEquals(404, t.post("/computers/comp_nope/exec", "{\"command\":\"pwd\"}").status());
        assertEquals(0, sync(id, "{\"command\":\"true\"}").path("exit_code").asInt());
    }

    @Test
    void hugeOutputStopsTheCommandWithAClearError() {
        var lines = stream(id, "{\"command\":\"head -c 40000000 /dev/zero | tr '\\\\\\\\0' a\"}");
        var last = lines.getLast().json();
        assertEquals("error", last.path("type").asText(), last.toString());
        assertEquals("output_too_large", last.path("code").asText());
        var sync = t.post("/computers/" + id + "/exec/sync", "{\"command\":\"head -c 40000000 /dev/zero\"}");
        assertEquals(422, sync.status());
        assertEquals(0, sync(id, "{\"command\":\"true\"}").path("exit_code").asInt(), "still usable");
    }

    @Test
    void anSdkRetryOfASlowCommandJoinsTheFirstRunInsteadOfRunningAgain() throws Exception {
        var body = "{\"command\":\"echo run >> /workspace/retry-runs; sleep 2; wc -l < /workspace/retry-runs\"}";
        var headers = new java.util.HashMap<String, String>(java.util.Map.of("Authorization", "Bearer " + TestServer.KEY,
                "Content-Type", "application/json"));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> t.request("POST", "/computers/" + id + "/exec/sync", body, headers));
            Thread.sleep(500);
            headers.put("X-Stainless-Retry-Count", "1");
            var retry = t.request("POST", "/computers/" + id + "/exec/sync", body, headers);
            assertEquals("1\n", first.get().json().path("stdout").asText());
            assertEquals("1\n", retry.json().path("stdout").asText(), "the retry got the first run's answer");
        }
        headers.remove("X-Stainless-Retry-Count");
        var again = t.request("POST", "/computers/" + id + "/exec/sync", body, headers);
        assertEquals("2\n", again.json().path("stdout").asText(), "a new first attempt runs again");
    }

    @Test
    void debugAnswersItsOutputCutToTheMaximum() {
        var r = t.action(id, "debug", "{\"command\":\"echo hello; echo oops >&2; exit 2\",\"timeout_seconds\":10,"
                + "\"max_output_length\":65536}");
        assertEquals("success", r.path("status").asText(), r.toString());
        assertEquals("hello\noops\n", r.path("result").path("debug_response").asText());
        assertEquals("hello\n", r.path("result").path("stdout").asText());
        assertEquals("oops\n", r.path("result").path("stderr").asText());
        assertEquals(2, r.path("result").path("exit_code").asInt());
        var cut = t.action(id, "debug", "{\"command\":\"echo 0123456789\",\"max_output_length\":4}");
        assertEquals("0123", cut.path("result").path("debug_response").asText());
    }

    @Test
    void theHostAndTheDataDirectoryAreNotVisibleInside() {
        var r = sync(id, "{\"command\":\"test -e '" + t.dataDir + "' && echo visible || echo hidden; ls /root 2>&1 | head -1;"
                + " test -e /work && echo work || echo nowork\"}");
        assertTrue(r.path("stdout").asText().startsWith("hidden\n"), r.toString());
        assertTrue(r.path("stdout").asText().endsWith("nowork\n"), r.toString());
    }

    @Test
    void commandsRunAsAnUnprivilegedUserWhoCannotReadTheHostsSecrets() {
        var r = sync(id, "{\"command\":\"id -un; id -u; cat /etc/shadow 2>/dev/null | wc -c; cut -d: -f1 /etc/passwd | xargs;"
                + " ls /etc/ssh | wc -l; grep CapEff /proc/self/status\"}");
        var lines = r.path("stdout").asText().split("\n");
        assertEquals("user", lines[0], r.toString());
        assertEquals("1000", lines[1]);
        assertEquals("0", lines[2].trim(), "the shadow file is empty inside");
        assertEquals("root user nobody", lines[3], "only the computer's own accounts");
        assertEquals("0", lines[4].trim(), "no host keys");
        assertEquals("CapEff:\t0000000000000000", lines[5], "no capabilities");
    }

    @Test
    void commandsEndWithTheirComputer() throws Exception {
        var other = t.createComputer("{}");
        sync(other, "{\"command\":\"nohup sleep 300 >/dev/null 2>&1 & setsid sleep 301 >/dev/null 2>&1 < /dev/null &\"}");
        var processes = Processes.ofComputer(other);
        assertTrue(processes.stream().anyMatch(h -> h.info().commandLine().orElse("").contains("sleep 301")), processes.toString());
        t.delete(other);
        assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000));
        var after = t.post("/computers/" + other + "/exec/sync", "{\"command\":\"true\"}");
        assertEquals(404, after.status());
        assertEquals("computer_not_running", after.json().path("code").asText());
    }
}
