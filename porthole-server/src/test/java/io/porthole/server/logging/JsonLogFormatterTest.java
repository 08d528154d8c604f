package io.porthole.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.core.LogContext;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** One valid JSON object a line, whatever the message; the computer and tenant of the thread's {@link LogContext}. */
class JsonLogFormatterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonLogFormatter formatter = new JsonLogFormatter(new Redaction(List.of("configured-secret-1")));

    private JsonNode line(LogRecord r) throws IOException {
        var text = formatter.format(r);
        assertTrue(text.endsWith("\n"), text);
        assertEquals(text.indexOf('\n'), text.length() - 1, "one line: " + text);
        for (char c : text.substring(0, text.length() - 1).toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7f, "ASCII only: " + text);
        }
        return JSON.readTree(text);
    }

    private static LogRecord record(Level level, String message, Object... params) {
        var r = new LogRecord(level, message);
        r.setLoggerName("io.porthole.test");
        r.setInstant(Instant.parse("2026-12-07T10:50:14.123456Z"));
        r.setParameters(params);
        return r;
    }

    @Test
    void everyMessageIsValidJsonAndReadsBackAsWritten() throws IOException {
        var messages = List.of("plain", "quote \" backslash \\ slash /", "lines\nand\r\nreturns\tand tabs",
                "controls \u0000 \u0001 \u001f \u007f", "accents é ü ß, CJK 漢字, RTL \u202e, separators \u2028 \u2029",
                "emoji 😀 and a non-BMP 𝄞", "{\"json\": [1, 2]}", "");
        for (var m : messages) {
            var node = line(record(Level.INFO, m));
            assertEquals(m, node.path("message").asText());
        }
    }

    @Test
    void aLoneSurrogateBecomesAReplacementCharacter() throws IOException {
        var node = line(record(Level.INFO, "lone \ud800 high and \udc00 low, then a pair 😀"));
        assertEquals("lone \ufffd high and \ufffd low, then a pair 😀", node.path("message").asText());
    }

    @Test
    void theFieldsAreThereWithShippersLevelNamesAndParametersFormatted() throws IOException {
        var node = line(record(Level.WARNING, "computer {0} failed: {1}", "comp_1", "boom"));
        assertEquals("2026-12-07T10:50:14.123Z", node.path("ts").asText());
        assertEquals("WARN", node.path("level").asText());
        assertEquals("io.porthole.test", node.path("logger").asText());
        assertEquals("computer comp_1 failed: boom", node.path("message").asText());
        assertEquals(Thread.currentThread().getName(), node.path("thread").asText());
        assertTrue(node.path("computer_id").isMissingNode(), node.toString());
        assertTrue(node.path("exception").isMissingNode(), node.toString());
        assertEquals("ERROR", line(record(Level.SEVERE, "x")).path("level").asText());
        assertEquals("DEBUG", line(record(Level.FINE, "x")).path("level").asText());
        assertEquals("TRACE", line(record(Level.FINEST, "x")).path("level").asText());
    }

    @Test
    void aLineWrittenForAComputerNamesItAndItsTenantAndScopesNest() throws IOException {
        try (var outer = LogContext.about("comp_a", "tenant-a")) {
            var a = line(record(Level.INFO, "a"));
            assertEquals("comp_a", a.path("computer_id").asText());
            assertEquals("tenant-a", a.path("tenant").asText());
            try (var inner = LogContext.about("comp_pooled", null)) {
                var pooled = line(record(Level.INFO, "b"));
                assertEquals("comp_pooled", pooled.path("computer_id").asText());
                assertTrue(pooled.path("tenant").isMissingNode(), "a pooled computer has no tenant yet: " + pooled);
            }
            assertEquals("comp_a", line(record(Level.INFO, "c")).path("computer_id").asText());
        }
        assertTrue(line(record(Level.INFO, "d")).path("computer_id").isMissingNode());
    }

    @Test
    void aVirtualThreadStartsWithoutTheSubjectOfTheThreadThatStartedIt() throws Exception {
        try (var about = LogContext.about("comp_a", "tenant-a")) {
            var seen = new java.util.concurrent.atomic.AtomicReference<java.util.Optional<LogContext.Subject>>();
            var t = Thread.ofVirtual().start(() -> seen.set(LogContext.current()));
            t.join(10_000);
            assertTrue(seen.get().isEmpty(), "not inherited: " + seen.get());
        }
    }

    @Test
    void aThreadOrPipeTaskStartedForAComputerCarriesItsSubjectAndNoneLeaksIntoTheNext() throws Exception {
        var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var subject = LogContext.subject("comp_pooled", null);
        try (var about = LogContext.about(subject)) {
            io.porthole.core.internal.Threads.startVirtual("t", () -> seen.add(describe())).join(10_000);
            // claimed: the threads started for it see its tenant from now on
            subject.tenant("tenant-a");
            io.porthole.core.internal.Threads.onPipeThread(() -> seen.add(describe())).get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        io.porthole.core.internal.Threads.onPipeThread(() -> seen.add(describe())).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of("comp_pooled/-", "comp_pooled/tenant-a", "none"), seen);
    }

    private static String describe() {
        return LogContext.current().map(s -> s.computerId() + "/" + s.tenant().orElse("-")).orElse("none");
    }

    @Test
    void anExceptionIsOneStringWithTypeMessageAndStackAndSecretsMasked() throws IOException {
        var r = record(Level.SEVERE, "failed");
        r.setThrown(new IllegalStateException("proxy http://u:hunter2-secret@proxy:8080 refused",
                new java.io.IOException("cause with configured-secret-1")));
        var node = line(r);
        var exception = node.path("exception").asText();
        assertTrue(exception.startsWith("java.lang.IllegalStateException: proxy http://u:***@proxy:8080 refused"), exception);
        assertTrue(exception.contains("\tat io.porthole.server.logging.JsonLogFormatterTest"), exception);
        assertTrue(exception.contains("Caused by: java.io.IOException: cause with ***"), exception);
        assertFalse(exception.contains("hunter2") || exception.contains("configured-secret-1"), exception);
    }
}
