package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.store.jdbc.PostgresOptions;
import io.porthole.testing.PostgresDatabase;
import io.porthole.testing.PostgresFixture;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server whose store is a PostgreSQL database: what it writes is in that database, not in its data directory,
 * and a second server with another data directory on the same database knows the same keys and computers.
 */
class PostgresServerTest {
    private PostgresDatabase db;

    @BeforeEach
    void makeDatabase() {
        db = PostgresFixture.newDatabase();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private TestServer server() {
        var options = PostgresOptions.of(db.url(), db.user(), db.password());
        return new TestServer(c -> c.toBuilder().database(Optional.of(options)).build());
    }

    @Test
    void computersAndKeysAreKeptInTheDatabaseAndSeenByAnotherServer() throws Exception {
        String id;
        String keyB;
        var first = server();
        try {
            id = first.createComputer("{}");
            keyB = first.keyB();
            assertEquals(200, first.call("GET", "/computers/" + id, null).status());
            assertTrue(java.nio.file.Files.notExists(first.dataDir.resolve("porthole.db")), "no SQLite file beside it");
            try (var c = db.connect(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT COUNT(*) FROM events WHERE computer_id = '" + id + "'")) {
                assertTrue(rs.next());
                assertTrue(rs.getInt(1) >= 1, "the computer's events are in PostgreSQL");
            }
        } finally {
            first.close();
        }
        var second = server();
        try {
            var seen = second.call("GET", "/computers/" + id, null);
            assertEquals(200, seen.status(), seen.body());
            assertEquals(id, seen.json().path("id").asText());
            // tenant B's key, made by the first server, works on the second
            assertEquals(200, second.call("GET", "/computers", null, keyB).status());
        } finally {
            second.close();
        }
    }
}
