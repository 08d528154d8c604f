package io.porthole.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every command that talks to a server takes, mixed into each one. Defaults come from the environment
 * ({@code PORTHOLE_BASE_URL}, {@code PORTHOLE_API_KEY}, {@code PORTHOLE_TIMEOUT}); see {@link Porthole#defaults}.
 */
final class ClientOptions {
    /** Where {@code porthole serve} listens unless told otherwise (ServerConfig's default port). */
    static final String DEFAULT_BASE_URL = "http://127.0.0.1:8844";

    @Option(names = "--base-url", paramLabel = "URL",
            description = "The server's URL (env PORTHOLE_BASE_URL; default " + DEFAULT_BASE_URL + ").")
    String baseUrl;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "The API key (env PORTHOLE_API_KEY; for a server on loopback, the key file 'porthole serve'"
                    + " wrote in its data directory). Never printed.")
    String apiKey;

    @Option(names = "--json", description = "Print the server's JSON instead of a table (for scripts).")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "How long to wait for the server to answer, in seconds (env PORTHOLE_TIMEOUT; default 60).")
    Integer timeoutSeconds;

    /** Where to, with what key, how patiently: the command line, else {@code env}, else the defaults. */
    record Target(String baseUrl, String apiKey, Duration timeout) {
        /** The key, or a clear error when there is none. */
        String requireKey() {
            if (apiKey == null || apiKey.isEmpty()) {
                throw new CliException("no_api_key", "no API key: give --api-key or set PORTHOLE_API_KEY",
                        ExitCodes.AUTH);
            }
            return apiKey;
        }
    }

    Target target(Map<String, String> env) {
        var url = baseUrl != null ? baseUrl : env.getOrDefault("PORTHOLE_BASE_URL", DEFAULT_BASE_URL);
        if (url.isBlank()) url = DEFAULT_BASE_URL;
        url = url.trim();
        int seconds = timeoutSeconds != null ? timeoutSeconds : parseTimeout(env.get("PORTHOLE_TIMEOUT"));
        if (seconds < 1) throw new CliException("invalid_timeout", "--timeout must be at least 1 second", ExitCodes.USAGE);
        var key = apiKey != null ? apiKey : env.get("PORTHOLE_API_KEY");
        if (key == null || key.isBlank()) key = localKey(url, env);
        try {
            var uri = URI.create(url);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new CliException("invalid_base_url", "the base URL must be http:// or https:// with a host, not '"
                    + url + "'", ExitCodes.USAGE);
        }
        return new Target(url, key == null ? null : key.trim(), Duration.ofSeconds(seconds));
    }

    private static int parseTimeout(String v) {
        if (v == null || v.isBlank()) return 60;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new CliException("invalid_timeout", "PORTHOLE_TIMEOUT must be a whole number of seconds, not '"
                    + v + "'", ExitCodes.USAGE);
        }
    }

    /**
     * The key {@code porthole serve} generated and saved in its data directory, for a server on this host only (a key
     * file is never sent to another host).
     */
    private static String localKey(String url, Map<String, String> env) {
        String host;
        try {
            host = URI.create(url.trim()).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (host == null || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) return null;
        Path dir;
        if (env.get("PORTHOLE_DATA_DIR") != null && !env.get("PORTHOLE_DATA_DIR").isBlank()) {
            dir = Path.of(env.get("PORTHOLE_DATA_DIR"));
        } else if (env.get("XDG_DATA_HOME") != null && !env.get("XDG_DATA_HOME").isBlank()) {
            dir = Path.of(env.get("XDG_DATA_HOME"), "porthole");
        } else if (env.get("HOME") != null) {
            dir = Path.of(env.get("HOME"), ".local", "share", "porthole");
        } else {
            return null;
        }
        try {
            var file = dir.resolve("api-key");
            return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
