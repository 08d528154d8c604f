package io.porthole.testing;

import java.net.URI;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Fresh PostgreSQL databases for tests, each on its own ({@code CREATE DATABASE} under a random name; dropped by
 * {@link PostgresDatabase#close}), all on one server per JVM.
 *
 * <p>The server is the one {@code script/test} started, named by {@code PORTHOLE_TEST_POSTGRES_URL} (a database
 * URL on it, e.g. {@code jdbc:postgresql://127.0.0.1:5433/postgres}), {@code PORTHOLE_TEST_POSTGRES_USER} and
 * {@code PORTHOLE_TEST_POSTGRES_PASSWORD}; the user may create databases. Without the URL (Maven run directly)
 * the first call starts a server of its own the same way ({@link PostgresServer}) and stops it when the JVM exits.
 * Nothing is skipped: without PostgreSQL installed, a call fails and says so. Thread-safe.
 */
public final class PostgresFixture {
    public static final String URL_VARIABLE = "PORTHOLE_TEST_POSTGRES_URL";
    public static final String USER_VARIABLE = "PORTHOLE_TEST_POSTGRES_USER";
    public static final String PASSWORD_VARIABLE = "PORTHOLE_TEST_POSTGRES_PASSWORD";

    /** Where databases are made: host and port of the server, a database to connect to for that, and a role. */
    private record Server(String base, String adminDatabase, String user, String password) {}

    private static Server server;

    private PostgresFixture() {}

    /** A new, empty database. Close it (drop it) when the test is done. */
    public static PostgresDatabase newDatabase() {
        var s = server();
        var name = "porthole_test_" + HexFormat.of().formatHex(random(6));
        try (var c = DriverManager.getConnection(s.base() + s.adminDatabase(), s.user(), s.password());
             var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("the test database " + name + " could not be created on " + s.base()
                    + ": " + e.getMessage(), e);
        }
        return new PostgresDatabase(s.base() + name, s.user(), s.password(), name);
    }

    static void drop(PostgresDatabase db) {
        var s = server();
        try (var c = DriverManager.getConnection(s.base() + s.adminDatabase(), s.user(), s.password());
             var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("the test database " + db.name() + " could not be dropped: " + e.getMessage(), e);
        }
    }

    private static synchronized Server server() {
        if (server != null) return server;
        var url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            server = fromUrl(url.trim(), System.getenv(USER_VARIABLE), System.getenv(PASSWORD_VARIABLE));
        } else {
            var started = PostgresServer.start(false);
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "postgres-stop"));
            server = new Server(started.url(""), "postgres", started.user(), started.password());
        }
        return server;
    }

    /** {@code jdbc:postgresql://host:port/db?…}: the part before the database name, and the name. */
    private static Server fromUrl(String url, String user, String password) {
        var prefix = "jdbc:postgresql://";
        if (!url.startsWith(prefix)) throw new IllegalStateException(URL_VARIABLE + " must start with " + prefix);
        var rest = url.substring(prefix.length());
        int query = rest.indexOf('?');
        if (query >= 0) rest = rest.substring(0, query);
        int slash = rest.indexOf('/');
        var hostPort = slash < 0 ? rest : rest.substring(0, slash);
        var database = slash < 0 || slash == rest.length() - 1 ? "postgres" : rest.substring(slash + 1);
        URI.create("postgresql://" + hostPort); // checks the host and port are a host and port
        return new Server(prefix + hostPort + "/", database, user, password);
    }

    private static byte[] random(int n) {
        var bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }
}
