package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Persistent computers: what a site keeps (a session cookie, a persistent cookie, localStorage, IndexedDB)
 * is saved when the computer ends and restored by {@code environment_id}; saved state is encrypted at rest.
 */
class PersistenceTest {
    private final TestServer t = TestServer.get();

    /** Loads the state page and waits for its report of what the browser holds. */
    private JsonNode state(String id, String query) {
        return StatePage.read(t, id, "state.html", query, null);
    }

    @Test
    void cookiesStorageAndIndexedDbComeBackByEnvironmentId() throws Exception {
        var first = t.createComputer("{\"persistent\":true}");
        var set = state(first, "?mode=set");
        assertEquals("l1", set.path("ls").asText(), set.toString());
        assertEquals("i1", set.path("idb").asText(), set.toString());
        t.delete(first);

        var listed = t.call("GET", "/computers?type=persistent", null).json();
        assertTrue(listed.toString().contains(first), "the saved environment is listed: " + listed);

        var second = t.createComputer("{\"environment_id\":\"" + first + "\",\"persistent\":true}");
        try {
            var got = state(second, "");
            assertTrue(got.path("cookie").asText().contains("sess=s1"), "session cookie: " + got);
            assertTrue(got.path("cookie").asText().contains("keep=k1"), "persistent cookie: " + got);
            assertEquals("l1", got.path("ls").asText(), "localStorage: " + got);
            assertEquals("i1", got.path("idb").asText(), "IndexedDB: " + got);
        } finally {
            t.delete(second);
        }

        // a fresh computer has none of it
        var fresh = t.createComputer("{}");
        try {
            var none = state(fresh, "");
            assertFalse(none.path("cookie").asText().contains("keep=k1"), none.toString());
            assertTrue(none.path("ls").isNull(), none.toString());
        } finally {
            t.delete(fresh);
        }
    }

    @Test
    void firefoxCookiesStorageAndIndexedDbComeBackByEnvironmentId() throws Exception {
        var first = t.createComputer("{\"engine\":\"firefox\",\"persistent\":true}");
        var set = state(first, "?mode=set");
        assertEquals("l1", set.path("ls").asText(), set.toString());
        assertEquals("i1", set.path("idb").asText(), set.toString());
        assertTrue(set.path("cookie").asText().contains("sess=s1"), set.toString());
        t.delete(first);

        var second = t.createComputer("{\"engine\":\"firefox\",\"environment_id\":\"" + first + "\",\"persistent\":true}");
        try {
            var got = state(second, "");
            assertTrue(got.path("cookie").asText().contains("sess=s1"), "session cookie: " + got);
            assertTrue(got.path("cookie").asText().contains("keep=k1"), "persistent cookie: " + got);
            assertEquals("l1", got.path("ls").asText(), "localStorage: " + got);
            assertEquals("i1", got.path("idb").asText(), "IndexedDB: " + got);
        } finally {
            t.delete(second);
        }

        // saved again by the second one, and restored again
        var third = t.createComputer("{\"engine\":\"firefox\",\"environment_id\":\"" + second + "\"}");
        try {
            var got = state(third, "");
            assertTrue(got.path("cookie").asText().contains("sess=s1") && got.path("cookie").asText().contains("keep=k1"),
                    "cookies: " + got);
            assertEquals("l1", got.path("ls").asText(), "localStorage: " + got);
            assertEquals("i1", got.path("idb").asText(), "IndexedDB: " + got);
        } finally {
            t.delete(third);
        }

        // a fresh Firefox computer has none of it
        var fresh = t.createComputer("{\"engine\":\"firefox\"}");
        try {
            var none = state(fresh, "");
            assertFalse(none.path("cookie").asText().contains("keep=k1"), none.toString());
            assertTrue(none.path("ls").isNull(), none.toString());
        } finally {
            t.delete(fresh);
        }
    }

    @Test
    void savedStateIsEncryptedAtRest() throws Exception {
        var id = t.createComputer("{\"persistent\":true}");
        state(id, "?mode=set");
        t.delete(id);
        var key = t.dataDir.resolve("state.key");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        try (var blobs = Files.walk(t.dataDir.resolve("blobs"))) {
            for (var f : blobs.filter(Files::isRegularFile).toList()) {
                var bytes = Files.readAllBytes(f);
                var text = new String(bytes, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains("keep") && text.contains("k1") && text.contains("SQLite format"),
                        f + " holds a profile in the clear");
                assertFalse(text.contains("ustar"), f + " is a plain tar archive");
            }
        }
    }

    @Test
    void anUnknownEnvironmentIsA404AndStartsNothing() {
        var r = t.post("/computers", "{\"environment_id\":\"comp_doesnotexist\"}");
        assertEquals(404, r.status(), r.body());
        assertEquals("not_found", r.json().path("code").asText());
        var other = t.createComputer("{\"persistent\":true}");
        t.delete(other);
        var b = t.call("POST", "/computers", "{\"environment_id\":\"" + other + "\"}", t.keyB());
        assertEquals(404, b.status(), "another tenant's environment is not found: " + b.body());
    }
}
