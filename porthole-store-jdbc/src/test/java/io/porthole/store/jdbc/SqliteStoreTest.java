package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the SQLite store does: a file of its own, made with its directory, in WAL mode. */
class SqliteStoreTest {
    @TempDir
    Path dir;

    @Test
    void openingCreatesTheDirectoryAndTheFile() {
        var file = dir.resolve("data").resolve("porthole.db");
        assertFalse(Files.exists(file.getParent()));
        JdbcStore.sqlite(file).close();
        assertTrue(Files.isRegularFile(file));
    }

    @Test
    void theDatabaseIsInWalMode() throws SQLException {
        var file = dir.resolve("porthole.db");
        try (var store = JdbcStore.sqlite(file);
             var c = DriverManager.getConnection("jdbc:sqlite:" + file);
             var st = c.createStatement();
             var rs = st.executeQuery("PRAGMA journal_mode")) {
            assertTrue(rs.next());
            assertEquals("wal", rs.getString(1));
        }
    }

    @Test
    void aFileThatIsNotADatabaseIsRefusedWithItsName() throws Exception {
        var file = dir.resolve("porthole.db");
        Files.writeString(file, "this is not an SQLite database, just text that is long enough to have a header");
        var e = assertThrows(IllegalStateException.class, () -> JdbcStore.sqlite(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}
