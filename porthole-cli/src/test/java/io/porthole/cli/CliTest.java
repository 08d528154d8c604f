package io.porthole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI run in this JVM through picocli against a real server: output (tables and --json) and exit codes. One
 * browser computer is shared; the lifecycle test makes a second, as a sandbox, and ends it.
 */
class CliTest {
    private static CliServer server;
    private static String computer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        server = new CliServer();
        var created = server.cli("computers", "create", "--json", "--width=800", "--height=600",
                "--timezone=Europe/Berlin", "--locale=de-DE");
        assertEquals(0, created.exit(), created::toString);
        computer = created.json().get("id").asText();
        assertEquals("browser", created.json().get("kind").asText(), created::toString);
        assertEquals("Europe/Berlin", created.json().path("identity").path("timezone").asText(), created::toString);
        assertEquals("de-DE", created.json().path("identity").path("languages").get(0).asText(), created::toString);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static void ok(CliServer.Run run) {
        assertEquals(0, run.exit(), run::toString);
        assertEquals("", run.err(), run::toString);
    }

    private static void cleanError(CliServer.Run run, int exit, String code) {
        assertEquals(exit, run.exit(), run::toString);
        assertTrue(run.err().startsWith("error: " + code + ": "), run::toString);
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), run::toString);
        assertEquals("", run.out(), run::toString);
    }

    @Test
    void aComputerIsListedShownAndEndedInTablesAndJson() throws Exception {
        // a browser sandbox is a browser computer under the same id: made on one surface, seen on both
        var made = server.cli("sandboxes", "create", "-q");
        ok(made);
        var id = made.out().strip();
        assertTrue(id.matches("[A-Za-z0-9_]+"), made::toString);

        var table = server.cli("computers", "ls");
        ok(table);
        var lines = table.out().lines().toList();
        assertTrue(lines.getFirst().matches("ID +KIND +ENGINE +STATUS +CREATED +EXPIRES"), table::toString);
        var row = lines.stream().filter(l -> l.startsWith(id + " ")).findFirst().orElseThrow(() -> new AssertionError(table));
        assertTrue(row.matches(id + " +browser +chromium +running +\\S+ +\\S+"), row);
        // aligned: every row's second column starts where the header's does
        int kindAt = lines.getFirst().indexOf("KIND");
        lines.stream().skip(1).forEach(l -> assertEquals(' ', l.charAt(kindAt - 1), l));

        var json = server.cli("computers", "ls", "--json");
        ok(json);
        assertTrue(json.json().isArray(), json::toString);
        assertTrue(json.json().findValuesAsText("id").contains(id), json::toString);
        assertTrue(json.json().findValuesAsText("id").contains(computer), json::toString);

        var got = server.cli("computers", "get", id);
        ok(got);
        assertTrue(got.out().lines().anyMatch(l -> l.matches("id +" + id)), got::toString);
        assertTrue(got.out().lines().anyMatch(l -> l.matches("status +running")), got::toString);
        var gotJson = server.cli("sandboxes", "get", id, "--json");
        ok(gotJson);
        assertEquals("running", gotJson.json().get("state").asText(), gotJson::toString);

        // events: what is done shows up, and the stream ends with the computer
        var watch = new Watch();
        var events = CompletableFuture.supplyAsync(() -> PortholeCommand.run(new String[] {"computers", "events", id,
                "--base-url=" + server.baseUrl(), "--api-key=" + CliServer.KEY},
                new PrintStream(watch, true, StandardCharsets.UTF_8), new PrintStream(watch.err, true, StandardCharsets.UTF_8),
                Map.of(), a -> { }));
        // the stream follows from the moment it is open, which the test cannot see: act until the stream shows it
        for (int i = 0; ; i++) {
            assertTrue(i < 20, () -> "no events: " + watch.text() + watch.err);
            ok(server.cli("computers", "navigate", id, server.pages.url("second.html")));
            // a request seen, its response follows
            if (watch.await("  navigate\n", 3)) break;
        }
        assertTrue(watch.await("  success\n", 60), () -> "no response: " + watch.text() + watch.err);
        var ended = server.cli("computers", "rm", id);
        ok(ended);
        assertEquals("ended " + id + "\n", ended.out());
        assertEquals(0, events.get(60, TimeUnit.SECONDS), () -> watch.text() + watch.err);
        assertTrue(watch.text().lines().anyMatch(l -> l.matches("\\d+  action_request  \\S+  navigate")), watch::text);
        assertTrue(watch.text().lines().anyMatch(l -> l.matches("\\d+  action_response  \\S+  success")), watch::text);

        var after = server.cli("computers", "get", id, "--json");
        ok(after);
        assertFalse(after.json().get("status").asText().equals("running"), after::toString);
        // ending an ended computer is not an error
        ok(server.cli("computers", "rm", id, "--json"));
    }

    @Test
    void navigateClickAndTypeReachThePage() {
        ok(server.cli("computers", "navigate", computer, server.pages.url("input.html")));
        var click = server.cli("computers", "click", computer, "100", "35");
        ok(click);
        assertEquals("ok\n", click.out());
        var typed = server.cli("computers", "type", computer, "hello cli", "--json");
        ok(typed);
        assertEquals("success", typed.json().get("status").asText(), typed::toString);
        var html = server.post("/computers/" + computer + "/html", "{}").path("result").path("html_content").asText();
        assertTrue(html.contains("{\"type\":\"click\",\"x\":100,\"y\":35"), html);
        assertTrue(html.contains("{\"type\":\"input\",\"value\":\"hello cli\"}"), html);
    }

    @Test
    void aFailedActionIsAnErrorWithItsCode() {
        var run = server.cli("computers", "navigate", computer, "notascheme://x");
        assertEquals(ExitCodes.ERROR, run.exit(), run::toString);
        assertTrue(run.err().startsWith("error: "), run::toString);
        assertFalse(run.err().contains("\tat "), run::toString);
    }

    @Test
    void screenshotSavesAPng() throws IOException {
        var file = tmp.resolve("shot.png");
        var run = server.cli("computers", "screenshot", computer, "-o", file.toString());
        ok(run);
        assertEquals("saved " + file + "\n", run.out());
        var bytes = Files.readAllBytes(file);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
        // the IHDR says 800 x 600, the size the computer was made with
        assertEquals(800, ByteBuffer.wrap(bytes, 16, 4).getInt());
        assertEquals(600, ByteBuffer.wrap(bytes, 20, 4).getInt());
    }

    @Test
    void execStreamsOutputAndPassesTheExitCodeThrough() {
        var run = server.cli("computers", "exec", computer, "--", "echo out-line; echo err-line >&2; exit 9");
        assertEquals(9, run.exit(), run::toString);
        assertEquals("out-line\n", run.out(), run::toString);
        assertEquals("err-line\n", run.err(), run::toString);

        var fine = server.cli("computers", "exec", computer, "--", "printf", "'%s-%s\\n'", "a", "b");
        ok(fine);
        assertEquals("a-b\n", fine.out());

        var json = server.cli("computers", "exec", "--json", computer, "--", "exit 3");
        assertEquals(3, json.exit(), json::toString);
        assertTrue(json.out().strip().endsWith("{\"type\":\"exit\",\"code\":3}"), json::toString);
    }

    @Test
    void sandboxContextsArtifactsAndSuspend() throws IOException {
        var ctx = server.cli("sandboxes", "contexts", "create", computer, "-q");
        ok(ctx);
        var contextId = ctx.out().strip();
        var contexts = server.cli("sandboxes", "contexts", "ls", computer);
        ok(contexts);
        assertTrue(contexts.out().lines().anyMatch(l -> l.startsWith(contextId + " ")), contexts::toString);
        ok(server.cli("sandboxes", "contexts", "rm", computer, contextId));

        var shot = server.cli("sandboxes", "artifacts", "screenshot", computer, "--json");
        ok(shot);
        var artifact = shot.json().get(0).get("id").asText();
        var listed = server.cli("sandboxes", "artifacts", "ls", computer);
        ok(listed);
        assertTrue(listed.out().lines().anyMatch(l -> l.matches(artifact + " +screenshot +screenshot\\.png +\\d+ +image/png +\\S+")),
                listed::toString);
        var file = tmp.resolve("artifact.png");
        ok(server.cli("sandboxes", "artifacts", "download", computer, artifact, "-o", file.toString()));
        assertEquals('P', Files.readAllBytes(file)[1]);

        var suspended = server.cli("sandboxes", "suspend", computer);
        ok(suspended);
        assertEquals(computer + " paused\n", suspended.out());
        var resumed = server.cli("sandboxes", "resume", computer);
        ok(resumed);
        assertEquals(computer + " running\n", resumed.out());
    }

    @Test
    void keysAreCreatedListedAndRevoked() {
        var made = server.cli("keys", "create", "--tenant=cli-tenant", "--name=made by cli", "--json");
        ok(made);
        var keyId = made.json().get("id").asText();
        var secret = made.json().get("key").asText();
        assertFalse(secret.isEmpty(), made::toString);

        var list = server.cli("keys", "ls");
        ok(list);
        assertTrue(list.out().lines().anyMatch(l -> l.matches(keyId + " +cli-tenant +\\S+… +- +\\S+ +active +made by cli")),
                list::toString);
        assertFalse(list.out().contains(secret), list::toString);
        // the new key works, and it is no admin
        ok(server.cli("computers", "ls", "--api-key=" + secret));
        cleanError(server.cli("keys", "ls", "--api-key=" + secret), ExitCodes.AUTH, "forbidden");

        var revoked = server.cli("keys", "rm", keyId);
        ok(revoked);
        assertEquals("revoked " + keyId + "\n", revoked.out());
        cleanError(server.cli("computers", "ls", "--api-key=" + secret), ExitCodes.AUTH, "unauthorized");
    }

    @Test
    void aBadTimeZoneIsRefusedWithTheServersMessage() {
        var run = server.cli("sandboxes", "create", "--timezone=+02:00");
        cleanError(run, ExitCodes.ERROR, "invalid_argument");
        assertTrue(run.err().contains("IANA"), run::toString);
    }

    @Test
    void anUnknownIdIsNotFound() {
        cleanError(server.cli("computers", "get", "comp_nosuchthing"), ExitCodes.NOT_FOUND, "not_found");
        cleanError(server.cli("computers", "click", "comp_nosuchthing", "1", "2"), ExitCodes.NOT_FOUND, "not_found");
        cleanError(server.cli("sandboxes", "get", "comp_nosuchthing", "--json"), ExitCodes.NOT_FOUND, "not_found");
        // another tenant's computer is not found either
        cleanError(server.cli("computers", "get", computer, "--api-key=" + server.userKey), ExitCodes.NOT_FOUND, "not_found");
    }

    @Test
    void aWrongKeyIsAnAuthErrorThatNeverShowsTheKey() {
        var run = server.cli("computers", "ls", "--api-key=wrong-key-1234567890");
        cleanError(run, ExitCodes.AUTH, "unauthorized");
        assertFalse(run.err().contains("wrong-key-1234567890"), run::toString);
        cleanError(CliServer.raw("computers", "ls", "--base-url=" + server.baseUrl()), ExitCodes.AUTH, "no_api_key");
    }

    @Test
    void anUnreachableServerIsAConnectionError() throws IOException {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var run = server.cli("computers", "ls", "--base-url=http://127.0.0.1:" + port);
        assertEquals(ExitCodes.CONNECTION, run.exit(), run::toString);
        assertTrue(run.err().startsWith("error: "), run::toString);
        assertFalse(run.err().contains("\tat ") || run.err().contains(CliServer.KEY), run::toString);
        var keys = server.cli("keys", "ls", "--base-url=http://127.0.0.1:" + port);
        assertEquals(ExitCodes.CONNECTION, keys.exit(), keys::toString);
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        var missing = server.cli("computers", "get");
        assertEquals(ExitCodes.USAGE, missing.exit(), missing::toString);
        assertTrue(missing.err().startsWith("error: usage: Missing required parameter: 'ID'"), missing::toString);
        assertEquals(ExitCodes.USAGE, CliServer.raw("computers", "frobnicate").exit());
        assertEquals(ExitCodes.USAGE, CliServer.raw().exit());
        var help = CliServer.raw("--help");
        ok(help);
        assertTrue(help.out().contains("Exit codes:"), help::toString);
        ok(CliServer.raw("computers", "exec", "--help"));
    }

    @Test
    void completionIsABashScriptForTheWholeTree() {
        var run = CliServer.raw("completion", "bash");
        ok(run);
        assertTrue(run.out().contains("complete -F"), run::toString);
        for (var word : new String[] {"computers", "sandboxes", "keys", "serve", "screenshot", "--base-url"}) {
            assertTrue(run.out().contains(word), word);
        }
        assertEquals(ExitCodes.USAGE, CliServer.raw("completion", "fish").exit());
    }

    /** Output captured as it is written, with a bounded wait for a text to appear. Thread-safe. */
    static final class Watch extends OutputStream {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            buffer.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buffer.write(b, off, len);
            notifyAll();
        }

        synchronized String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }

        /** Whether {@code text} was written within {@code seconds}. */
        synchronized boolean await(String text, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!text().contains(text)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }
}
