package io.porthole.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Versioned schema migrations: {@code migrations/V<NNN>__<name>.sql} on the class path, listed in
 * {@link #SCRIPTS}, applied in order, each in its own transaction, recorded in {@code schema_version}.
 * A script that has run is never edited; a change is a new script.
 *
 * <p>One set of scripts for SQLite and PostgreSQL. They are written in the SQL both read, and PostgreSQL reads
 * them through {@link Dialect#translate} (SQLite's {@code AUTOINCREMENT}, {@code BLOB} and declared text lengths);
 * a script that cannot be said that way gets a PostgreSQL version of its own,
 * {@code migrations/postgresql/V<NNN>__<name>.sql} under the same name, used as it is. Each transaction first
 * takes the dialect's migration lock and reads the version again, so processes that migrate one database at once
 * take turns and each script runs once.
 */
final class Migrations {
    /** Every migration, oldest first. */
    static final List<String> SCRIPTS = List.of("V001__initial.sql", "V002__events_artifacts_environments.sql",
            "V003__computer_template_metadata.sql", "V004__computer_secrets.sql",
            "V005__viewer_links.sql", "V006__nodes.sql", "V007__computer_identity.sql");

    private Migrations() {}

    /** Applies what is missing; returns the schema version now in force. */
    static int migrate(Connection c) throws SQLException {
        var dialect = Dialect.of(c);
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            while (true) {
                dialect.lockMigrations(c);
                try (var st = c.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                            + " script VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
                }
                int current = 0;
                try (var st = c.createStatement();
                     var rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
                    if (rs.next()) current = rs.getInt(1);
                }
                if (current > SCRIPTS.size()) {
                    throw new IllegalStateException("the database has schema version " + current + " but this build"
                            + " knows " + SCRIPTS.size() + "; run a newer Porthole or use another database");
                }
                if (current == SCRIPTS.size()) {
                    c.commit();
                    return current;
                }
                int v = current + 1;
                var script = SCRIPTS.get(v - 1);
                for (var sql : statements(script, dialect)) {
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
    }

    /** The statements of {@code script} as {@code dialect} runs them. */
    static List<String> statements(String script, Dialect dialect) {
        var own = read("migrations/" + dialect.directory() + "/" + script);
        if (own.isPresent()) return statements(own.get());
        var shared = read("migrations/" + script)
                .orElseThrow(() -> new IllegalStateException("migration " + script + " is missing from the build"));
        return statements(shared).stream().map(dialect::translate).toList();
    }

    private static Optional<String> read(String resource) {
        try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Splits a script into statements: on semicolons outside quoted text, dropping {@code --} comments to the
     * end of their line. Enough for the DDL our migrations hold, and strict about it: several statements on
     * one line and a comment after a semicolon both split correctly.
     */
    static List<String> statements(String script) {
        var text = new StringBuilder();
        for (var line : script.split("\n", -1)) {
            var code = withoutComment(line).stripTrailing();
            if (!code.isBlank()) text.append(code).append('\n');
        }
        var out = new ArrayList<String>();
        var current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') quoted = !quoted;
            if (c == ';' && !quoted) {
                if (!current.toString().isBlank()) out.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) out.add(current.toString().strip());
        return out;
    }

    /** The line up to a {@code --} that is not inside quotes. */
    private static String withoutComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') quoted = !quoted;
            if (!quoted && c == '-' && i + 1 < line.length() && line.charAt(i + 1) == '-') return line.substring(0, i);
        }
        return line;
    }
}
