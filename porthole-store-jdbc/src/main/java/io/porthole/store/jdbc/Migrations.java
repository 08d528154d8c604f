package io.porthole.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations: {@code migrations/V<NNN>__<name>.sql} on the class path, listed in
 * {@link #SCRIPTS}, applied in order, each in its own transaction, recorded in {@code schema_version}.
 * A script that has run is never edited; a change is a new script.
 */
final class Migrations {
    /** Every migration, oldest first. */
    static final List<String> SCRIPTS = List.of("V001__initial.sql");

    private Migrations() {}

    /** Applies what is missing; returns the schema version now in force. */
    static int migrate(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, script VARCHAR(200) NOT NULL,"
                    + " applied_at BIGINT NOT NULL)");
        }
        int current = 0;
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            if (rs.next()) current = rs.getInt(1);
        }
        if (current > SCRIPTS.size()) {
            throw new IllegalStateException("the database has schema version " + current + " but this build knows "
                    + SCRIPTS.size() + "; run a newer Porthole or use another data directory");
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int v = current + 1; v <= SCRIPTS.size(); v++) {
                var script = SCRIPTS.get(v - 1);
                for (var sql : statements(read(script))) {
                    try (var st = c.createStatement()) {
                        st.execute(sql);
                    }
                }
                try (var ps = c.prepareStatement("INSERT INTO schema_version (version, script, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, v);
                    ps.setString(2, script);
                    ps.setLong(3, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                c.commit();
            }
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return SCRIPTS.size();
    }

    private static String read(String script) {
        try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + script)) {
            if (in == null) throw new IllegalStateException("migration " + script + " is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a script on semicolons at line ends; drops comment lines. */
    static List<String> statements(String script) {
        var out = new ArrayList<String>();
        var current = new StringBuilder();
        for (var line : script.split("\n")) {
            var trimmed = line.strip();
            if (trimmed.startsWith("--") || trimmed.isEmpty()) continue;
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                var sql = current.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) out.add(current.toString().strip());
        return out;
    }
}
