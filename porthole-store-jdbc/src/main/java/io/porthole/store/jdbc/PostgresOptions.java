package io.porthole.store.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the PostgreSQL store connects, as whom, and with how many connections at most.
 *
 * <p>The URL is a {@code jdbc:postgresql:} one. A {@code user} or {@code password} parameter in it is taken out
 * (the explicit values win over them), so that the URL the store keeps, hands to the driver and names in its
 * messages carries no password. {@link #toString} shows no password either. Immutable.
 *
 * @param url {@code jdbc:postgresql://host[:port]/database[?parameters]}, without credentials
 * @param user the role to connect as; empty: the driver's default (the OS user)
 * @param password empty: none (trust or peer authentication)
 * @param maxConnections the most connections this store opens at once (the pool's size)
 */
public record PostgresOptions(String url, Optional<String> user, Optional<String> password, int maxConnections) {
    public static final String SCHEME = "jdbc:postgresql:";
    public static final int DEFAULT_MAX_CONNECTIONS = 10;

    public PostgresOptions {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!url.startsWith(SCHEME)) {
            throw new IllegalArgumentException("a PostgreSQL database URL starts with " + SCHEME + ", not '"
                    + safePrefix(url) + "'");
        }
        int at = url.indexOf('@');
        int query = url.indexOf('?');
        if (at >= 0 && (query < 0 || at < query)) {
            // pgjdbc reads no user:password@ part; it would take it for the host and print it in its errors
            throw new IllegalArgumentException("a PostgreSQL database URL names no user:password@; give the user and"
                    + " password on their own");
        }
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
        // take user= and password= out of the URL
        var kept = new ArrayList<String>();
        if (query >= 0) {
            for (var param : url.substring(query + 1).split("&")) {
                if (param.isEmpty()) continue;
                int eq = param.indexOf('=');
                var name = (eq < 0 ? param : param.substring(0, eq)).toLowerCase(Locale.ROOT);
                var value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "user" -> user = user.isPresent() || value.isEmpty() ? user : Optional.of(value);
                    case "password" -> password = password.isPresent() || value.isEmpty() ? password : Optional.of(value);
                    default -> kept.add(param);
                }
            }
            url = url.substring(0, query) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        }
        user = user.filter(u -> !u.isEmpty());
        password = password.filter(p -> !p.isEmpty());
    }

    /** A URL with credentials in it or beside it, and the default pool size. */
    public static PostgresOptions of(String url, String user, String password) {
        return new PostgresOptions(url, Optional.ofNullable(user), Optional.ofNullable(password), DEFAULT_MAX_CONNECTIONS);
    }

    public PostgresOptions withMaxConnections(int n) {
        return new PostgresOptions(url, user, password, n);
    }

    /** The URL without its parameters, and the user: what a message may say about where the store connects. */
    public String describe() {
        int query = url.indexOf('?');
        return (query < 0 ? url : url.substring(0, query)) + user.map(u -> " as " + u).orElse("");
    }

    /** {@code text} with every occurrence of the password masked: for messages that come from elsewhere. */
    String scrub(String text) {
        if (text == null || password.isEmpty()) return text;
        return text.replace(password.get(), "****");
    }

    @Override
    public String toString() {
        return "PostgresOptions[" + describe() + ", password " + (password.isPresent() ? "given" : "none")
                + ", maxConnections " + maxConnections + "]";
    }

    private static String safePrefix(String url) {
        // enough to see the scheme, never a password further on
        int colon = url.indexOf(':', url.indexOf(':') + 1);
        return colon < 0 ? (url.length() > 20 ? url.substring(0, 20) + "…" : url) : url.substring(0, colon + 1) + "…";
    }
}
