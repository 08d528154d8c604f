package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.store.ReplayEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event is durable once {@code appendEvent} has returned: a child JVM appends events and prints each seq
 * after the call returns; it is killed with SIGKILL mid-way; every seq it printed must be in the store.
 */
class EventDurabilityTest {
    private static final int SEEN_BEFORE_KILL = 300;

    @TempDir
    Path dir;

    @Test
    void everyEventWhoseAppendReturnedSurvivesASigkill() throws Exception {
        var db = dir.resolve("porthole.db");
        var stderr = dir.resolve("child.err");
        var classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Stdout goes to a file: what the child wrote before it died stays there, whatever happens to pipes.
        var stdout = dir.resolve("child.out");
        var child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                EventWriterProcess.class.getName(), db.toString(), "c-crash", "4")
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            child.getOutputStream().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lines(Files.readAllBytes(stdout)).size() < SEEN_BEFORE_KILL) {
                assertTrue(child.isAlive(), "the child ended early; stderr: " + err(stderr));
                assertTrue(System.nanoTime() < deadline, "the child printed too little in time; stderr: " + err(stderr));
                Thread.sleep(5);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, appends in flight
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
        } finally {
            child.destroyForcibly();
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        var seqs = lines(Files.readAllBytes(stdout));
        assertTrue(seqs.size() >= SEEN_BEFORE_KILL);
        try (var store = JdbcStore.sqlite(db)) {
            var stored = new HashSet<Long>();
            Optional<Long> cursor = Optional.empty();
            for (List<ReplayEvent> page; !(page = store.listEvents("c-crash", cursor, 500)).isEmpty(); ) {
                page.forEach(e -> stored.add(e.seq()));
                cursor = Optional.of(page.get(page.size() - 1).seq());
            }
            var missing = new HashSet<>(seqs);
            missing.removeAll(stored);
            assertEquals(Set.of(), missing, "printed after appendEvent returned, yet lost (" + seqs.size()
                    + " printed, " + stored.size() + " stored)");
            assertEquals(seqs.size(), new HashSet<>(seqs).size(), "no seq was handed out twice");
            // The store is usable after the crash, and seqs go on growing.
            long next = store.appendEvent("c-crash", "lifecycle", "crashed", "{}", Instant.now()).seq();
            assertTrue(stored.stream().allMatch(s -> s < next));
        }
    }

    /** The complete lines so far, as seqs; a line cut short by the kill is not one. */
    private static List<Long> lines(byte[] printed) {
        var text = new String(printed, StandardCharsets.US_ASCII);
        var out = new ArrayList<Long>();
        int start = 0;
        for (int nl; (nl = text.indexOf('\n', start)) != -1; start = nl + 1) out.add(Long.parseLong(text.substring(start, nl)));
        return out;
    }

    private static String err(Path stderr) {
        try {
            return Files.exists(stderr) ? Files.readString(stderr) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
