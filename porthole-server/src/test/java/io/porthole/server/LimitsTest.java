package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.ComputersConfig;
import io.porthole.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Memory and process limits from cgroups: a computer over its limit fails alone; nothing is left after. The
 * server's limit on computers holds under concurrent creates.
 */
class LimitsTest {
    private final TestServer t = TestServer.get();

    /** The cgroup directories the computer's processes are in (one per v1 controller, or one v2 group). */
    private static List<Path> groupsOf(String id) {
        var browser = Processes.ofComputer(id).stream()
                .filter(h -> h.info().commandLine().orElse("").contains("chromium")).findFirst().orElseThrow();
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(browser.pid()), "cgroup")).stream()
                    .map(l -> l.split(":", 3))
                    .filter(p -> p[2].contains("/porthole/") && p[2].endsWith("." + id))
                    .map(p -> p[1].isEmpty() ? Path.of("/sys/fs/cgroup", p[2]) : Path.of("/sys/fs/cgroup", p[1], p[2]))
                    .toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private String sh(String id, String command, int timeout) {
        var r = t.post("/computers/" + id + "/exec/sync",
                TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", timeout).toString());
        return r.body();
    }

    @Test
    void everyProcessOfAComputerIsInItsLimitedGroupWhichGoesWithIt() throws Exception {
        var id = t.createComputer("{}");
        var groups = groupsOf(id);
        assertFalse(groups.isEmpty(), "the browser is in the computer's cgroups");
        var memory = groups.stream().filter(g -> Files.exists(g.resolve("memory.limit_in_bytes"))
                || Files.exists(g.resolve("memory.max"))).findFirst().orElseThrow();
        var limitFile = Files.exists(memory.resolve("memory.max")) ? "memory.max" : "memory.limit_in_bytes";
        assertEquals(Long.toString(TestServer.MEMORY_LIMIT), Files.readString(memory.resolve(limitFile)).trim());
        var inside = sh(id, "cat /proc/self/cgroup", 10);
        assertTrue(inside.contains("/porthole/") && inside.contains("." + id), "commands join the group too: " + inside);
        t.delete(id);
        for (var g : groups) assertFalse(Files.exists(g), g + " is removed with the computer");
    }

    @Test
    void aComputerOverItsMemoryFailsAndTheOthersGoOn() throws Exception {
        var hog = t.createComputer("{}");
        var bystander = t.createComputer("{}");
        try {
            var processes = Processes.ofComputer(hog);
            // 1.5 GiB, touched (zero-filled), against a 1 GiB limit
            sh(hog, "python3 -c 'b = bytearray(1536 * 1024 * 1024); print(len(b))'", 60);
            Await.until("the hog to be failed", 20_000, () -> t.call("GET", "/computers/" + hog, null).json()
                    .path("status").asText().equals("failed"));
            assertEquals("memory_limit_exceeded", t.call("GET", "/computers/" + hog, null).json()
                    .path("termination_reason").asText());
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000));
            var shot = t.action(bystander, "screenshot", "{}");
            assertEquals("success", shot.path("status").asText(), "the other computer goes on");
        } finally {
            t.delete(hog);
            t.delete(bystander);
        }
    }

    @Test
    void aForkBombHitsTheProcessLimitAndTheComputerStillAnswers() {
        var id = t.createComputer("{}");
        try {
            var bomb = "import os, time\n"
                    + "n = 0\n"
                    + "for i in range(2000):\n"
                    + "    try:\n"
                    + "        if os.fork() == 0:\n"
                    + "            os.close(1); os.close(2); time.sleep(60); os._exit(0)\n"
                    + "        n += 1\n"
                    + "    except OSError:\n"
                    + "        break\n"
                    + "print(n)\n";
            var r = t.post("/computers/" + id + "/exec/sync", TestServer.JSON.createObjectNode()
                    .put("command", "python3 -c \"$BOMB\"").put("timeout_seconds", 60)
                    .set("env", TestServer.JSON.createObjectNode().put("BOMB", bomb)).toString());
            assertEquals(200, r.status(), r.body());
            int forked = Integer.parseInt(r.json().path("stdout").asText().trim());
            assertTrue(forked > 100 && forked < 512, "the process limit (512) stopped the bomb: " + r.body());
            assertEquals("success", t.action(id, "screenshot", "{}").path("status").asText(), "the computer still answers");
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aCreateIsRefusedWhileTheHostHasTooLittleMemoryAvailable() {
        // a minimum no host has: every create is refused before anything starts, with the reason
        var tight = new TestServer(c -> c.withComputers(c.computers().withMinAvailableMemory(1L << 50)));
        try {
            for (var r : List.of(tight.post("/computers", "{}"), tight.post("/browser-sandboxes", "{}"))) {
                assertEquals(429, r.status(), r.body());
                assertEquals("limit_exceeded", r.json().path("code").asText());
                assertEquals("5", r.header("Retry-After"));
                assertTrue(r.json().path("message").asText().contains("MiB of memory available"), r.body());
                assertTrue(r.json().path("message").asText().contains("PORTHOLE_MIN_AVAILABLE_MEMORY_MB"), r.body());
            }
            assertEquals(0, tight.call("GET", "/computers", null).json().size(), "nothing was started");
        } finally {
            tight.close();
        }
        // with the check off, the same server config starts computers
        var off = new TestServer(c -> c.withComputers(c.computers().withMinAvailableMemory(0)));
        try {
            off.createComputer("{}");
        } finally {
            off.close();
        }
    }

    @Test
    void concurrentCreatesAtTheLimitStartExactlyTheFreePlaces() throws Exception {
        var small = new TestServer(c -> c.withComputers(new ComputersConfig(3600, 300, 24 * 3600, 3, 1280, 720)));
        try {
            small.createComputer("{}");
            small.createComputer("{}");
            var start = new CountDownLatch(1);
            var answers = new ArrayList<CompletableFuture<TestServer.Response>>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 6; i++) {
                    answers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return small.post("/computers", "{}");
                    }, pool));
                }
                start.countDown();
                int created = 0;
                int refused = 0;
                for (var a : answers) {
                    var r = a.get(120, TimeUnit.SECONDS);
                    if (r.status() == 200) {
                        created++;
                    } else {
                        assertEquals(429, r.status(), r.body());
                        assertEquals("limit_exceeded", r.json().path("code").asText(), r.body());
                        assertEquals("5", r.header("Retry-After"));
                        refused++;
                    }
                }
                assertEquals(1, created, "one place was free");
                assertEquals(5, refused);
            }
            var running = small.call("GET", "/computers", null).json();
            assertEquals(3, running.size(), "as many run as the limit: " + running);

            // an ended computer gives its place back, and a refused create took none
            small.delete(running.get(0).path("id").asText());
            var next = small.createComputer("{}");
            assertEquals("success", small.action(next, "screenshot", "{}").path("status").asText());
            var over = small.post("/computers", "{}");
            assertEquals(429, over.status(), over.body());
        } finally {
            small.close();
        }
    }
}
