package io.porthole.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.blob.ExpiringBlobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ExpiringBlobs} promises, as tests: a test class of each implementation extends this and says
 * how to make one on a backing place fresh for each test.
 */
public abstract class ExpiringBlobsContract {
    /** The entries of the test. */
    protected ExpiringBlobs entries;

    /** Entries on the test's backing place (a second call: another view of the same place). */
    protected abstract ExpiringBlobs entries();

    @BeforeEach
    void openContractEntries() {
        entries = entries();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEntryReadsBackWithTheTimeItWasPut() {
        var before = Instant.now().minusSeconds(5);
        entries.put("token-1", utf8("png bytes"));
        var e = entries.get("token-1").orElseThrow();
        assertArrayEquals(utf8("png bytes"), e.bytes());
        assertTrue(!e.written().isBefore(before) && e.written().isBefore(Instant.now().plusSeconds(5)), e.written().toString());
        assertArrayEquals(utf8("png bytes"), entries().get("token-1").orElseThrow().bytes(), "seen from another view");
    }

    @Test
    void aPutReplacesAndADeleteRemoves() {
        entries.put("t", utf8("one"));
        entries.put("t", utf8("two"));
        assertArrayEquals(utf8("two"), entries.get("t").orElseThrow().bytes());
        assertTrue(entries.delete("t"));
        assertFalse(entries.delete("t"));
        assertEquals(Optional.empty(), entries.get("t"));
        assertEquals(Optional.empty(), entries.get("never-put"));
    }

    @Test
    void theSweepRemovesWhatWasPutBeforeTheCutoffOnly() {
        entries.put("old", utf8("old"));
        entries.put("other", utf8("other"));
        var written = entries.get("old").orElseThrow().written();
        assertEquals(0, entries.sweep(written), "put at the cutoff, not before it");
        assertEquals(0, entries.sweep(Instant.now().minus(Duration.ofHours(1))));
        assertTrue(entries.get("old").isPresent());
        assertEquals(2, entries.sweep(Instant.now().plus(Duration.ofSeconds(2))));
        assertEquals(Optional.empty(), entries.get("old"));
        assertEquals(Optional.empty(), entries.get("other"));
        assertEquals(0, entries.sweep(Instant.now().plus(Duration.ofDays(1))));
    }

    @Test
    void namesThatCouldBePathsAreRefused() {
        for (var bad : List.of("", "../x", "a/b", "a.png", "x".repeat(129), "a b", "a\n", "..")) {
            assertThrows(IllegalArgumentException.class, () -> entries.put(bad, new byte[1]), bad);
            assertThrows(IllegalArgumentException.class, () -> entries.get(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> entries.delete(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> entries.get(null));
    }
}
