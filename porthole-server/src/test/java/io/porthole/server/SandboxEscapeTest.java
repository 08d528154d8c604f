package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox as an attacker inside it would try it, with the server running as root (as script/server and CI
 * run it): the server's environment, the host's root-only files, the kernel's root-only knobs, the host paths
 * of the data directory, and links planted where the server reads and writes a computer's files.
 */
class SandboxEscapeTest {
    private final TestServer t = TestServer.get();

    private static boolean root() throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    private JsonNode sh(String id, String command) {
        var r = t.post("/computers/" + id + "/exec/sync", TestServer.JSON.createObjectNode().put("command", command)
                .put("timeout", 60).toString());
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private String out(String id, String command) {
        return sh(id, command).path("stdout").asText();
    }

    @Test
    void nothingOfTheServersEnvironmentReachesAnyProcessInside(@TempDir Path tmp) throws Exception {
        var key = "ph_escape_" + UUID.randomUUID();
        var canary = "canary-" + UUID.randomUUID();
        var env = Map.of("PORTHOLE_API_KEY", key, "PORTHOLE_ESCAPE_CANARY", canary, "AWS_SECRET_ACCESS_KEY", canary);
        var server = ChildServer.start(env, tmp.resolve("data"), key, "--egress-allow=127.0.0.1");
        var http = HttpClient.newHttpClient();
        var ids = new java.util.ArrayList<String>();
        String base = null;
        try {
            base = ChildServer.baseUrl(server);
            var at = base;
            java.util.function.BiFunction<String, String, JsonNode> post = (path, body) -> {
                try {
                    var res = http.send(HttpRequest.newBuilder(URI.create(at + path)).header("Authorization", "Bearer " + key)
                            .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, res.statusCode(), res.body());
                    return TestServer.JSON.readTree(res.body());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            for (var kind : new String[] {"browser", "desktop"}) {
                var id = post.apply("/computers", "{\"kind\":\"" + kind + "\"}").path("id").asText();
                ids.add(id);
                // every process inside, bubblewrap's own pid 1 among them, and the command asking
                var seen = post.apply("/computers/" + id + "/exec/sync", "{\"command\":\"for f in /proc/[0-9]*/environ; do"
                        + " tr '\\\\0' '\\\\n' < $f; done; echo; ls /proc | grep -c '^[0-9]'\"}");
                var all = seen.path("stdout").asText();
                assertTrue(Integer.parseInt(all.strip().lines().reduce((a, b) -> b).orElse("0")) >= 3, all);
                assertFalse(all.contains("PORTHOLE_"), kind + ": " + all);
                assertFalse(all.contains(canary), kind + ": " + all);
                assertFalse(all.contains(key), kind + ": " + all);
                assertFalse(all.contains("SCRIPT_TEST_RUN_ID"), kind + ": the test run's own marker crossed too: " + all);
            }
        } finally {
            for (var id : ids) {
                http.send(HttpRequest.newBuilder(URI.create(base + "/computers/" + id)).header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(60)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRootOnlyHostFileCannotBeReadAndTheComputersUserIsNobodyOnTheHost() throws Exception {
        assumeTrue(root(), "the server runs as root here");
        var secret = "s3cret-" + UUID.randomUUID();
        // under /etc, which computers see (read-only); under /var/tmp, which they do not see at all
        var inEtc = Path.of("/etc/porthole-escape-" + UUID.randomUUID());
        var inVar = Path.of("/var/tmp/porthole-escape-" + UUID.randomUUID());
        var id = t.createComputer("{}");
        try {
            for (var f : new Path[] {inEtc, inVar}) {
                Files.writeString(f, secret);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
            var r = sh(id, "cat " + inEtc + " " + inVar + "; ls -d " + inEtc + " " + inVar + " 2>&1");
            assertFalse(r.toString().contains(secret), r.toString());
            assertTrue(r.path("stdout").asText().contains("Permission denied") || r.path("stderr").asText().contains("Permission denied"), r.toString());
            assertTrue(r.toString().contains(inVar + "': No such file") || r.toString().contains(inVar + ": No such file"),
                    "/var/tmp of the host is not there: " + r);

            // uid 1000 inside is neither root nor the server's user on the host
            var map = out(id, "cat /proc/self/uid_map").strip().split("\\s+");
            assertEquals("1000", map[0]);
            assertNotEquals("0", map[1], "the sandbox's user maps to host root");
            assertEquals("1", map[2]);
            var hostUid = Long.parseLong(map[1]);
            var sandbox = io.porthole.testing.Processes.ofComputer(id).stream()
                    .filter(h -> h.info().command().orElse("").endsWith("/sleep")).findFirst().orElseThrow();
            assertEquals(hostUid, ((Integer) Files.getAttribute(Path.of("/proc", Long.toString(sandbox.pid())), "unix:uid")).longValue());
            assertEquals("Groups:", out(id, "grep Groups: /proc/self/status").replaceAll("\\s", ""),
                    "no supplementary group (the server's) goes along");

            // the kernel's knobs: core_pattern names a program the host runs as root on every crash
            assertEquals("", out(id, "test -w /proc/sys/kernel/core_pattern && echo writable"));
            var wrote = out(id, "for f in $(find /proc/sys -type f -writable 2>/dev/null); do"
                    + " (cat \"$f\" > \"$f\") 2>/dev/null && echo \"$f\"; done");
            assertEquals("", wrote, "files under /proc/sys the computer could write");
            assertEquals("", out(id, "for f in /proc/sysrq-trigger /sys/kernel/uevent_helper; do test -w $f && echo $f; done"));
            // /opt, /srv and the host's homes are not there
            assertEquals("", out(id, "ls -A /opt /srv /root /mnt 2>/dev/null"));
        } finally {
            t.delete(id);
            Files.deleteIfExists(inEtc);
            Files.deleteIfExists(inVar);
        }
    }

    @Test
    void noHostPathOfTheDataDirectoryIsVisibleInside() {
        for (var body : new String[] {"{}", "{\"kind\":\"desktop\"}", "{\"engine\":\"firefox\"}"}) {
            var id = t.createComputer(body);
            try {
                var seen = out(id, "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done;"
                        + " cat /proc/self/mountinfo /proc/1/mountinfo /proc/self/mounts");
                assertTrue(seen.contains("/run/porthole"), seen);
                assertFalse(seen.contains(t.dataDir.toString()), body + ": " + seen);
                assertFalse(seen.contains("porthole-test-"), body + ": " + seen);
                assertFalse(seen.contains("/computers/"), body + ": " + seen);
            } finally {
                t.delete(id);
            }
        }
    }

    @Test
    void theChannelDirectoryCannotBeListedOrChanged() {
        var id = t.createComputer("{}");
        try {
            var r = sh(id, "ls /run/porthole; touch /run/porthole/x; ln -s /etc/passwd /run/porthole/y;"
                    + " rm -f /run/porthole/cdp-in; mv /run/porthole/egress.sock /run/porthole/z; ls -d /run/porthole/*");
            assertEquals("", r.path("stdout").asText().replace("/run/porthole/*", "").strip(), r.toString());
            assertTrue(r.path("stderr").asText().contains("Permission denied"), r.toString());
            // and the computer still works: its browser (the pipe) and its way out (the egress socket)
            var pages = t.pages.url("input.html");
            assertEquals("success", t.action(id, "navigate", "{\"url\":\"" + pages + "\"}").path("status").asText());
        } finally {
            t.delete(id);
        }
    }

    @Test
    void linksPlantedInAPersistentHomeAreNeverFollowedByTheServer() throws Exception {
        assumeTrue(root(), "the server runs as root here");
        var victim = Path.of("/var/tmp/porthole-victim-" + UUID.randomUUID());
        var stolen = Path.of("/var/tmp/porthole-cookies-" + UUID.randomUUID());
        try {
            Files.writeString(victim, "untouched");
            Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
            // a root-only host file that holds a cookie array, as an attacker would want it read back
            Files.writeString(stolen, "[{\"name\":\"stolen\",\"value\":\"s3cret\",\"domain\":\"127.0.0.1\",\"path\":\"/\"}]");
            Files.setPosixFilePermissions(stolen, PosixFilePermissions.fromString("rw-------"));

            // save: the cookie file the server writes at the end is a link to a host file
            var first = t.createComputer("{\"persistent\":true}");
            sh(first, "ln -s " + victim + " /home/user/.porthole-cookies.json; ln -s / /home/user/root-link;"
                    + " ln -s /etc/shadow /home/user/shadow-link; ls -la /home/user");
            t.delete(first);
            assertEquals("untouched", Files.readString(victim), "the server wrote through a link");

            // restore: the saved archive's cookie file is a link to a root-only host file
            var second = t.createComputer("{\"environment_id\":\"" + first + "\",\"persistent\":true}");
            sh(second, "rm -f /home/user/.porthole-cookies.json; ln -s " + stolen + " /home/user/.porthole-cookies.json");
            t.delete(second);
            var third = t.createComputer("{\"environment_id\":\"" + second + "\"}");
            try {
                var inside = sh(third, "ls -la /home/user; cat /home/user/root-link/var/tmp/" + stolen.getFileName()
                        + " /home/user/shadow-link 2>&1; cat /home/user/.porthole-cookies.json 2>&1");
                assertFalse(inside.toString().contains("s3cret"), inside.toString());
                var cookies = StatePage.read(t, third, "state.html", "", null).path("cookie").asText();
                assertFalse(cookies.contains("stolen"), "a host file came back as a cookie: " + cookies);
            } finally {
                t.delete(third);
            }
            assertEquals("untouched", Files.readString(victim));
        } finally {
            Files.deleteIfExists(victim);
            Files.deleteIfExists(stolen);
        }
    }

    @Test
    void anExecEnvironmentIsSetInsideOnlyNeverForTheServersOwnProcesses() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc builds the library the computer would plant");
        var mark = Path.of("/tmp/porthole-preload-" + UUID.randomUUID());
        var id = t.createComputer("{}");
        try {
            // a library that says who loaded it, in a file of whatever filesystem its process sees as /tmp
            var source = "#include <stdio.h>\n#include <unistd.h>\n__attribute__((constructor)) static void f(void) {"
                    + " FILE *o = fopen(\"" + mark + "\", \"a\"); if (o) { fprintf(o, \"%d\\n\", (int) getuid()); fclose(o); } }\n";
            var built = sh(id, "printf '%s' '" + source.replace("'", "'\\''") + "' > /workspace/p.c"
                    + " && gcc -shared -fPIC -o /workspace/p.so /workspace/p.c && echo built");
            assertEquals("built\n", built.path("stdout").asText(), built.toString());
            // the sandbox's own process: the sleep right below bubblewrap's init
            var anchor = io.porthole.testing.Processes.ofComputer(id).stream()
                    .filter(h -> h.info().command().orElse("").endsWith("/sleep"))
                    .filter(h -> h.parent().flatMap(p -> p.info().command()).orElse("").endsWith("/bwrap"))
                    .findFirst().orElseThrow();
            // the host's path to it, which root outside can open
            var planted = "/proc/" + anchor.pid() + "/root/workspace/p.so";
            var r = t.post("/computers/" + id + "/exec/sync", TestServer.JSON.createObjectNode().put("command", "cat " + mark)
                    .set("env", TestServer.JSON.createObjectNode().put("LD_PRELOAD", planted)).toString());
            assertEquals(200, r.status(), r.body());
            assertFalse(Files.exists(mark), "a process of the server's on the host loaded the computer's library: "
                    + (Files.exists(mark) ? Files.readString(mark) : ""));
        } finally {
            t.delete(id);
            Files.deleteIfExists(mark);
        }
    }
}
