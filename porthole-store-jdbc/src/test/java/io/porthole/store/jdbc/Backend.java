package io.porthole.store.jdbc;

import io.porthole.testing.PostgresDatabase;
import io.porthole.testing.PostgresFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The databases every store test runs against: an SQLite file in the test's temporary directory, and a fresh
 * database of its own on the tests' PostgreSQL server ({@link PostgresFixture}).
 */
enum Backend {
    SQLITE, POSTGRESQL;

    /** A new, empty database for one test; {@link Target#close} removes what it made. */
    Target target(Path dir) {
        return switch (this) {
            case SQLITE -> new Sqlite(dir.resolve("data").resolve("porthole.db"));
            case POSTGRESQL -> new Postgres(PostgresFixture.newDatabase());
        };
    }

    /** One test's database: stores opened on it, a raw connection for the test's own look, its tables. */
    sealed interface Target extends AutoCloseable {
        JdbcStore open();

        Connection raw() throws SQLException;

        /** The tables the database holds, sorted (the database's own ones, such as sqlite_sequence, included). */
        List<String> tables() throws SQLException;

        /** The tables the database keeps for itself beside ours. */
        List<String> ownTables();

        @Override
        void close();
    }

    record Sqlite(Path file) implements Target {
        @Override
        public JdbcStore open() {
            return JdbcStore.sqlite(file);
        }

        @Override
        public Connection raw() throws SQLException {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        }

        @Override
        public List<String> tables() throws SQLException {
            return names("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        }

        @Override
        public List<String> ownTables() {
            return List.of("sqlite_sequence"); // AUTOINCREMENT's
        }

        @Override
        public void close() {
            // the temporary directory goes with the test
        }

        private List<String> names(String query) throws SQLException {
            return Backend.names(this, query);
        }
    }

    record Postgres(PostgresDatabase db) implements Target {
        @Override
        public JdbcStore open() {
            return JdbcStore.postgres(db.url(), db.user(), db.password());
        }

        @Override
        public Connection raw() throws SQLException {
            return db.connect();
        }

        @Override
        public List<String> tables() throws SQLException {
            return Backend.names(this, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    + " ORDER BY table_name");
        }

        @Override
        public List<String> ownTables() {
            return List.of();
        }

        @Override
        public void close() {
            db.close();
        }
    }

    private static List<String> names(Target t, String query) throws SQLException {
        try (var c = t.raw(); var st = c.createStatement(); var rs = st.executeQuery(query)) {
            var out = new ArrayList<String>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        }
    }
}
