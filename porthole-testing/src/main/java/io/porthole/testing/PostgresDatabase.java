package io.porthole.testing;

import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A database of its own on the tests' PostgreSQL server, made by {@link PostgresFixture#newDatabase}; {@link #close}
 * drops it (ending any connection still open to it). {@link #toString} shows no password.
 *
 * @param url {@code jdbc:postgresql://host:port/name}, without credentials
 * @param user a role that owns the database
 * @param password that role's password
 * @param name the database's name
 */
public record PostgresDatabase(String url, String user, String password, String name) implements AutoCloseable {

    /** A new connection to this database, for a test's own checks. */
    public java.sql.Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    @Override
    public void close() {
        PostgresFixture.drop(this);
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + url + " as " + user + "]";
    }
}
