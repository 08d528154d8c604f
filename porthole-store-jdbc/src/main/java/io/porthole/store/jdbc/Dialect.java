package io.porthole.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What differs between the databases the store runs on: how a migration script's SQL is read, how the
 * migrations are serialised between processes, and how an event is appended. Everything else is one SQL text
 * for both. Immutable.
 */
enum Dialect {
    /**
     * SQLite: the scripts as written. One process at a time migrates (the store keeps one connection), and
     * SQLite's single writer makes every event's commit follow the one before it.
     */
    SQLITE("sqlite", List.of(),
            "INSERT INTO events (computer_id, category, type, data, at) VALUES (?, ?, ?, ?, ?) RETURNING seq", false),
    /**
     * PostgreSQL: the scripts translated (below); migrations serialised by a transaction-scoped advisory lock;
     * an event appended under a transaction-scoped lock on its computer, so that a computer's events become
     * visible in the order of their seqs (two appends for one computer never commit out of order, as they can
     * with a bare sequence), the guarantee SQLite's single writer gives for free.
     */
    POSTGRESQL("postgresql", List.of(
            // SQLite's AUTOINCREMENT key: never reused, even after the newest row is deleted; so is an identity
            new Rule("\\bINTEGER\\s+PRIMARY\\s+KEY\\s+AUTOINCREMENT\\b", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
            new Rule("\\bBLOB\\b", "BYTEA"),
            // SQLite keeps a declared length as documentation and stores longer text; PostgreSQL would refuse it.
            // The store accepts the same values on both, so the length goes.
            new Rule("\\b(?:VARCHAR|CHAR)\\s*\\(\\s*\\d+\\s*\\)", "TEXT")),
            "INSERT INTO events (computer_id, category, type, data, at) SELECT ?, ?, ?, ?, ?"
                    + " FROM (SELECT pg_advisory_xact_lock(" + Dialect.EVENT_LOCK_SPACE + ", hashtext(?))) AS in_order"
                    + " RETURNING seq", true);

    /**
     * The key of the advisory lock that migrations hold ("porthole" in ASCII). PostgreSQL keeps one-key and
     * two-key advisory locks apart, so it cannot collide with the events' locks.
     */
    static final long MIGRATION_LOCK = 0x706f7274686f6c65L;
    /** The first key of the events' two-key advisory locks ("ph" "ev"); the second is a hash of the computer id. */
    static final int EVENT_LOCK_SPACE = 0x70686576;

    private record Rule(Pattern pattern, String replacement) {
        Rule(String regex, String replacement) {
            this(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), replacement);
        }
    }

    private final String directory;
    private final List<Rule> rules;
    private final String insertEvent;
    private final boolean eventInsertNamesTheComputerTwice;

    Dialect(String directory, List<Rule> rules, String insertEvent, boolean eventInsertNamesTheComputerTwice) {
        this.directory = directory;
        this.rules = rules;
        this.insertEvent = insertEvent;
        this.eventInsertNamesTheComputerTwice = eventInsertNamesTheComputerTwice;
    }

    static Dialect of(Connection c) throws SQLException {
        var product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
        if (product.contains("sqlite")) return SQLITE;
        if (product.contains("postgres")) return POSTGRESQL;
        throw new SQLException("the store runs on SQLite or PostgreSQL, not " + product);
    }

    /** Where a script of this dialect's own replaces the shared one: {@code migrations/<directory>/<script>}. */
    String directory() {
        return directory;
    }

    /** The insert of an event, returning its seq: parameters computer, category, type, data, at (and computer). */
    String insertEvent() {
        return insertEvent;
    }

    /** Whether {@link #insertEvent} takes the computer id a second time, as its sixth parameter. */
    boolean eventInsertNamesTheComputerTwice() {
        return eventInsertNamesTheComputerTwice;
    }

    /**
     * Holds, until the transaction on {@code c} ends, the lock that lets one process at a time migrate. Two
     * PostgreSQL servers that start at once against one empty database take turns: the second finds the work
     * done.
     */
    void lockMigrations(Connection c) throws SQLException {
        if (this != POSTGRESQL) return;
        try (var ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, MIGRATION_LOCK);
            ps.executeQuery().close();
        }
    }

    /** A statement of a shared script as this database reads it: the rules applied outside quoted text. */
    String translate(String statement) {
        if (rules.isEmpty()) return statement;
        var out = new StringBuilder();
        var parts = quotedParts(statement);
        for (int i = 0; i < parts.size(); i++) {
            var part = parts.get(i);
            if (i % 2 == 1) {
                out.append(part); // a quoted literal, kept as it is
                continue;
            }
            for (var rule : rules) part = rule.pattern().matcher(part).replaceAll(rule.replacement());
            out.append(part);
        }
        return out.toString();
    }

    /** The statement cut at single quotes: even indexes are code, odd ones quoted literals with their quotes. */
    private static List<String> quotedParts(String s) {
        var parts = new ArrayList<String>();
        var current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
                current.append(c);
                quoted = true;
            } else if (c == '\'') {
                current.append(c);
                // '' inside a literal is a quote, not its end
                if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    current.append('\'');
                    i++;
                    continue;
                }
                parts.add(current.toString());
                current.setLength(0);
                quoted = false;
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        if (parts.size() % 2 == 0) parts.add(""); // an unterminated literal: keep the shape even/odd
        return parts;
    }
}
