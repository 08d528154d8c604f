package io.porthole.server;

import io.porthole.blob.s3.S3Config;
import io.porthole.core.ComputersConfig;
import io.porthole.engine.cdp.ChromiumConfig;
import io.porthole.runtime.local.GpuDevices;
import io.porthole.store.jdbc.PostgresOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Layered configuration: command-line flags > environment ({@code PORTHOLE_…}) > a properties file
 * ({@code PORTHOLE_CONFIG}, same key names) > defaults. A flag {@code --data-dir=/x} is the key
 * {@code PORTHOLE_DATA_DIR}. Every key is listed in the README with its default.
 */
public final class Settings {
    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Properties file = new Properties();

    public Settings(List<String> args, Map<String, String> env) {
        this.flags = parseFlags(args);
        this.env = env;
        get("PORTHOLE_CONFIG").ifPresent(p -> {
            try (Reader r = Files.newBufferedReader(Path.of(p))) {
                file.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("PORTHOLE_CONFIG names " + p + ", which cannot be read: " + e.getMessage());
            }
        });
    }

    static Map<String, String> parseFlags(List<String> args) {
        var out = new HashMap<String, String>();
        for (var a : args) {
            if (!a.startsWith("--")) continue;
            var eq = a.indexOf('=');
            var name = eq < 0 ? a.substring(2) : a.substring(2, eq);
            var value = eq < 0 ? "true" : a.substring(eq + 1);
            out.put("PORTHOLE_" + name.toUpperCase(Locale.ROOT).replace('-', '_'), value);
        }
        return out;
    }

    public Optional<String> get(String key) {
        var v = flags.get(key);
        if (v == null) v = env.get(key);
        if (v == null) v = file.getProperty(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private long number(String key, long def, long min, long max) {
        var v = get(key);
        if (v.isEmpty()) return def;
        try {
            long n = Long.parseLong(v.get());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number between " + min + " and " + max
                    + ", not '" + v.get() + "'");
        }
    }

    private boolean bool(String key, boolean def) {
        return get(key).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
        }).orElse(def);
    }

    /**
     * {@code PORTHOLE_LOG_FORMAT}: {@code text} (the default) or {@code json}, one object a line (ADR 0034). The
     * process's logging, set up by {@code Main}, so not part of {@link ServerConfig}.
     */
    public io.porthole.server.logging.LogFormat logFormat() {
        return get("PORTHOLE_LOG_FORMAT").map(v -> io.porthole.server.logging.LogFormat.parse("PORTHOLE_LOG_FORMAT", v))
                .orElse(io.porthole.server.logging.LogFormat.TEXT);
    }

    /**
     * {@code PORTHOLE_LOG_LEVEL}: how much Porthole's own loggers ({@code io.porthole.*}) say: {@code error},
     * {@code warn}, {@code info}, {@code debug} or {@code trace}. Libraries stay at {@code info}. Empty when not set:
     * java.util.logging's configuration decides (INFO unless an operator's logging.properties says otherwise).
     */
    public Optional<java.util.logging.Level> logLevel() {
        return get("PORTHOLE_LOG_LEVEL").map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "error" -> java.util.logging.Level.SEVERE;
            case "warn", "warning" -> java.util.logging.Level.WARNING;
            case "info" -> java.util.logging.Level.INFO;
            case "debug" -> java.util.logging.Level.FINE;
            case "trace" -> java.util.logging.Level.FINEST;
            default -> throw new IllegalArgumentException("PORTHOLE_LOG_LEVEL must be error, warn, info, debug or trace,"
                    + " not '" + v + "'");
        });
    }

    /** The default data directory: {@code $XDG_DATA_HOME/porthole}, else {@code ~/.local/share/porthole}. */
    Path defaultDataDir() {
        var xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "porthole");
        return Path.of(System.getProperty("user.home"), ".local", "share", "porthole");
    }

    /**
     * The warm pool when {@code PORTHOLE_POOL} is not set: one Chromium of the default size, so that a first create
     * is answered at once, for about 300 MiB of memory and no CPU once it is in standby.
     */
    static final String DEFAULT_POOL = "chromium:1";

    public ServerConfig load() {
        var d = ComputersConfig.defaults();
        var computers = new ComputersConfig(
                number("PORTHOLE_DEFAULT_MAX_LIFETIME_SECONDS", d.defaultMaxLifetimeSeconds(), 1, 365L * 24 * 3600),
                number("PORTHOLE_DEFAULT_INACTIVITY_TIMEOUT_SECONDS", d.defaultInactivityTimeoutSeconds(), 1, 365L * 24 * 3600),
                number("PORTHOLE_MAX_LIFETIME_CAP_SECONDS", d.maxLifetimeCapSeconds(), 1, 10L * 365 * 24 * 3600),
                (int) number("PORTHOLE_MAX_COMPUTERS", d.maxLiveComputers(), 1, 10_000),
                (int) number("PORTHOLE_DEFAULT_WIDTH", d.defaultWidth(), 100, 7680),
                (int) number("PORTHOLE_DEFAULT_HEIGHT", d.defaultHeight(), 100, 7680),
                new io.porthole.core.live.CaptureSettings(
                        (int) number("PORTHOLE_SCREENCAST_MAX_FPS", d.screencast().maxFps(), 1, 60),
                        (int) number("PORTHOLE_SCREENCAST_JPEG_QUALITY", d.screencast().jpegQuality(), 1, 100),
                        (int) number("PORTHOLE_SCREENCAST_KEYFRAME_SECONDS", d.screencast().keyframeIntervalSeconds(), 1, 10)),
                number("PORTHOLE_MIN_AVAILABLE_MEMORY_MB", d.minAvailableMemoryBytes() >> 20, 0, 1L << 30) << 20,
                number("PORTHOLE_STANDBY_AFTER_SECONDS", d.standbyAfterSeconds(), 0, 365L * 24 * 3600),
                Map.of());
        var templates = get("PORTHOLE_TEMPLATES").map(Settings::templates).orElse(Map.of());
        var templateEngines = new HashMap<String, String>();
        templates.forEach((name, t) -> templateEngines.put(name, t.browser()));
        computers = computers.withIdentity(io.porthole.core.IdentityDefaults.of(get("PORTHOLE_IDENTITY_TIMEZONE"),
                get("PORTHOLE_IDENTITY_LOCALE")));
        computers = computers.withPool(io.porthole.core.PoolShape.parse(get("PORTHOLE_POOL").orElse(DEFAULT_POOL),
                computers.defaultWidth(), computers.defaultHeight(), templateEngines, computers.identity()));
        var live = ServerConfig.LiveConfig.defaults();
        var chromium = new ChromiumConfig(get("PORTHOLE_CHROMIUM_PATH").map(Path::of),
                get("PORTHOLE_CHROMIUM_FLAGS").map(f -> Arrays.asList(f.split("\\s+"))).orElse(List.of()),
                (int) number("PORTHOLE_CHROMIUM_START_TIMEOUT_SECONDS", 30, 1, 600), bool("PORTHOLE_CDP_LOG", false),
                get("PORTHOLE_GPU").filter(g -> !g.isBlank()).map(GpuDevices::renderNodes).orElse(List.of()));
        var publicUrl = get("PORTHOLE_PUBLIC_URL").map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        publicUrl.ifPresent(u -> {
            if (!u.startsWith("http://") && !u.startsWith("https://")) {
                throw new IllegalArgumentException("PORTHOLE_PUBLIC_URL must start with http:// or https://, not '" + u + "'");
            }
        });
        return new ServerConfig(get("PORTHOLE_HOST").orElse("127.0.0.1"),
                (int) number("PORTHOLE_PORT", 8844, 0, 65535),
                get("PORTHOLE_DATA_DIR").map(Path::of).orElseGet(this::defaultDataDir).toAbsolutePath(),
                get("PORTHOLE_API_KEY"), publicUrl,
                number("PORTHOLE_MAX_BODY_BYTES", 1 << 20, 1024, 1L << 30),
                number("PORTHOLE_SCREENSHOT_TTL_SECONDS", 900, 10, 7 * 24 * 3600),
                number("PORTHOLE_SCHEDULER_TICK_MILLIS", 500, 10, 60_000),
                computers, chromium, bool("PORTHOLE_STOP_COMPUTERS_ON_SHUTDOWN", false),
                number("PORTHOLE_MAX_EXEC_OUTPUT_BYTES", ServerConfig.DEFAULT_MAX_EXEC_OUTPUT_BYTES, 1024, 1L << 34),
                get("PORTHOLE_EGRESS_ALLOW").map(v -> Arrays.stream(v.split(",")).map(String::trim)
                        .filter(x -> !x.isEmpty()).toList()).orElse(List.of()),
                get("PORTHOLE_ADVANCED_PROXY_URL").map(u -> {
                    try {
                        var uri = java.net.URI.create(u);
                        if (!java.util.Set.of("http", "socks5", "socks5h").contains(uri.getScheme()) || uri.getHost() == null
                                || uri.getPort() <= 0) {
                            throw new IllegalArgumentException();
                        }
                        return uri;
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("PORTHOLE_ADVANCED_PROXY_URL must be http:// or socks5://[user:pass@]host:port");
                    }
                }),
                new io.porthole.runtime.local.LocalSandboxRuntime.Limits(
                        number("PORTHOLE_MEMORY_LIMIT_MB", 2048, 64, 1L << 20) << 20,
                        number("PORTHOLE_MAX_PROCESSES", 1024, 16, 1L << 22)),
                get("PORTHOLE_ISOLATION").map(v -> switch (v.toLowerCase(Locale.ROOT)) {
                    case "namespaces" -> ServerConfig.Isolation.NAMESPACES;
                    case "none" -> ServerConfig.Isolation.NONE;
                    default -> throw new IllegalArgumentException("PORTHOLE_ISOLATION must be namespaces or none, not '" + v + "'");
                }).orElse(ServerConfig.Isolation.NAMESPACES),
                number("PORTHOLE_MAX_ARTIFACT_BYTES", 64L << 20, 1024, 4L << 30),
                new io.porthole.engine.bidi.FirefoxConfig(get("PORTHOLE_FIREFOX_PATH").map(Path::of)
                        .orElse(io.porthole.engine.bidi.FirefoxConfig.DEFAULT_BINARY), Map.of(),
                        java.time.Duration.ofSeconds(number("PORTHOLE_FIREFOX_START_TIMEOUT_SECONDS", 30, 1, 600)),
                        bool("PORTHOLE_BIDI_LOG", false),
                        // headful on Xvfb of its own unless asked (or without Xvfb and openbox): ADR 0036
                        !bool("PORTHOLE_FIREFOX_HEADLESS", false) && io.porthole.engine.bidi.FirefoxConfig.ownDisplayInstalled()),
                templates,
                get("PORTHOLE_STATE_KEY").map(k -> {
                    try {
                        var bytes = java.util.Base64.getDecoder().decode(k.trim());
                        if (bytes.length != 32) throw new IllegalArgumentException();
                        return bytes;
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("PORTHOLE_STATE_KEY must be 32 bytes in base64 (e.g. the"
                                + " output of: head -c 32 /dev/urandom | base64)");
                    }
                }),
                new ServerConfig.LiveConfig(live.eventsHeartbeat(), live.screencastHeartbeat(),
                        java.time.Duration.ofSeconds(number("PORTHOLE_CONTROL_LEASE_SECONDS", live.controlLease().toSeconds(), 5, 3600)),
                        java.time.Duration.ofSeconds(number("PORTHOLE_VIEWER_LINK_SECONDS", live.viewerLinkDefault().toSeconds(), 10,
                                ServerConfig.LiveConfig.VIEWER_LINK_MAX.toSeconds())),
                        get("PORTHOLE_FFMPEG_PATH").map(v -> {
                            var path = Path.of(v);
                            if (!path.isAbsolute()) {
                                throw new IllegalArgumentException("PORTHOLE_FFMPEG_PATH must be an absolute path, not '" + v + "'");
                            }
                            return path;
                        }).orElse(live.ffmpeg())),
                cluster(), database(), s3Blobs(), metrics(), geoIp());
    }

    /**
     * GeoIP for identities (ADR 0037): {@code PORTHOLE_GEOIP_DATABASE}, the path of a MaxMind-format {@code .mmdb};
     * {@code PORTHOLE_GEOIP_ECHO_URL}, an http(s) URL answering the caller's address as text (fetched through a
     * computer's upstream proxy); {@code PORTHOLE_GEOIP_ECHO_TIMEOUT_SECONDS}. No message repeats the URL's user info.
     */
    ServerConfig.GeoIpConfig geoIp() {
        var database = get("PORTHOLE_GEOIP_DATABASE").map(v -> {
            var path = Path.of(v);
            if (!Files.isReadable(path) || Files.isDirectory(path)) {
                throw new IllegalArgumentException("PORTHOLE_GEOIP_DATABASE names " + v + ", which is not a readable file"
                        + " (a MaxMind-format .mmdb such as GeoLite2-City.mmdb; Porthole ships none)");
            }
            return path;
        });
        var echo = get("PORTHOLE_GEOIP_ECHO_URL").map(v -> {
            java.net.URI uri;
            try {
                uri = new java.net.URI(v);
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null
                    || !java.util.Set.of("http", "https").contains(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("PORTHOLE_GEOIP_ECHO_URL must be an http:// or https:// URL without"
                        + " user info that answers the caller's IP address as text, e.g. https://api.ipify.org");
            }
            return uri;
        });
        if (echo.isPresent() && database.isEmpty()) {
            throw new IllegalArgumentException("PORTHOLE_GEOIP_ECHO_URL goes with PORTHOLE_GEOIP_DATABASE, which is not set");
        }
        return new ServerConfig.GeoIpConfig(database, echo,
                java.time.Duration.ofSeconds(number("PORTHOLE_GEOIP_ECHO_TIMEOUT_SECONDS", 3, 1, 60)));
    }

    /**
     * Who may read {@code /metrics}: {@code PORTHOLE_METRICS} {@code key} (default: an admin API key, or the token
     * of {@code PORTHOLE_METRICS_TOKEN} or {@code PORTHOLE_METRICS_TOKEN_FILE}), {@code public} or {@code off}. No
     * message repeats the token.
     */
    ServerConfig.MetricsConfig metrics() {
        var access = get("PORTHOLE_METRICS").map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "key" -> ServerConfig.MetricsConfig.Access.KEY;
            case "public" -> ServerConfig.MetricsConfig.Access.PUBLIC;
            case "off" -> ServerConfig.MetricsConfig.Access.OFF;
            default -> throw new IllegalArgumentException("PORTHOLE_METRICS must be key, public or off, not '" + v + "'");
        }).orElse(ServerConfig.MetricsConfig.Access.KEY);
        var token = secret("PORTHOLE_METRICS_TOKEN");
        if (token.isPresent() && access != ServerConfig.MetricsConfig.Access.KEY) {
            throw new IllegalArgumentException("PORTHOLE_METRICS_TOKEN goes with PORTHOLE_METRICS=key (the default),"
                    + " not " + access.name().toLowerCase(Locale.ROOT));
        }
        token.ifPresent(t -> {
            if (t.length() < 16 || t.chars().anyMatch(ch -> ch <= ' ' || ch > '~')) {
                throw new IllegalArgumentException("PORTHOLE_METRICS_TOKEN must be at least 16 printable characters"
                        + " without spaces (e.g. the output of: head -c 32 /dev/urandom | base64)");
            }
        });
        return new ServerConfig.MetricsConfig(access, token);
    }

    /**
     * PostgreSQL when {@code PORTHOLE_DATABASE_URL} is set (a {@code jdbc:postgresql:} URL; nothing else), with
     * {@code PORTHOLE_DATABASE_USER} and the password from {@code PORTHOLE_DATABASE_PASSWORD} or the file named by
     * {@code PORTHOLE_DATABASE_PASSWORD_FILE} (a mounted Kubernetes Secret); otherwise SQLite in the data directory.
     * No message repeats the URL past its scheme, nor the password.
     */
    private Optional<PostgresOptions> database() {
        var url = get("PORTHOLE_DATABASE_URL");
        var user = get("PORTHOLE_DATABASE_USER");
        if (url.isEmpty()) {
            if (user.isPresent() || get("PORTHOLE_DATABASE_PASSWORD").isPresent()
                    || get("PORTHOLE_DATABASE_PASSWORD_FILE").isPresent()) {
                throw new IllegalArgumentException("PORTHOLE_DATABASE_USER, PORTHOLE_DATABASE_PASSWORD and"
                        + " PORTHOLE_DATABASE_PASSWORD_FILE go with PORTHOLE_DATABASE_URL, which is not set (without it"
                        + " the store is SQLite in the data directory)");
            }
            return Optional.empty();
        }
        if (!url.get().startsWith(PostgresOptions.SCHEME)) {
            int colon = url.get().indexOf(':');
            var scheme = colon < 0 ? "no scheme" : "'" + url.get().substring(0, Math.min(colon + 1, 20)) + "…'";
            throw new IllegalArgumentException("PORTHOLE_DATABASE_URL must be a " + PostgresOptions.SCHEME
                    + "//host:port/database URL (PostgreSQL is the one database server Porthole runs on; leave it unset"
                    + " for SQLite in the data directory), not " + scheme);
        }
        // the password as given, or from the file named by PORTHOLE_DATABASE_PASSWORD_FILE (a mounted Secret)
        var password = secret("PORTHOLE_DATABASE_PASSWORD");
        try {
            return Optional.of(new PostgresOptions(url.get(), user, password, PostgresOptions.DEFAULT_MAX_CONNECTIONS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PORTHOLE_DATABASE_URL: " + e.getMessage());
        }
    }

    private ServerConfig.ClusterConfig cluster() {
        var nodeId = get("PORTHOLE_NODE_ID");
        nodeId.ifPresent(id -> {
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")) {
                throw new IllegalArgumentException("PORTHOLE_NODE_ID must be letters, digits, '.', '_' and '-' (at most 200),"
                        + " not '" + id + "'");
            }
        });
        var nodeUrl = get("PORTHOLE_NODE_URL").map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        nodeUrl.ifPresent(u -> {
            java.net.URI uri;
            try {
                uri = java.net.URI.create(u);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || !java.util.Set.of("http", "https").contains(uri.getScheme()) || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty()) || uri.getQuery() != null) {
                throw new IllegalArgumentException("PORTHOLE_NODE_URL must be http(s)://host[:port], where the other nodes"
                        + " reach this one, not '" + u + "'");
            }
        });
        var secret = secret("PORTHOLE_CLUSTER_SECRET");
        secret.ifPresent(v -> {
            if (v.length() < 16) {
                throw new IllegalArgumentException("PORTHOLE_CLUSTER_SECRET must be at least 16 characters (e.g. the output"
                        + " of: head -c 32 /dev/urandom | base64)");
            }
        });
        var d = ServerConfig.ClusterConfig.defaults();
        var heartbeat = number("PORTHOLE_NODE_HEARTBEAT_MILLIS", d.heartbeat().toMillis(), 50, 60_000);
        var downAfter = number("PORTHOLE_NODE_DOWN_AFTER_MILLIS", d.downAfter().toMillis(), 200, 3_600_000);
        if (downAfter < 2 * heartbeat) {
            throw new IllegalArgumentException("PORTHOLE_NODE_DOWN_AFTER_MILLIS (" + downAfter + ") must be at least twice"
                    + " PORTHOLE_NODE_HEARTBEAT_MILLIS (" + heartbeat + "), or a node that is only slow counts as down");
        }
        return new ServerConfig.ClusterConfig(nodeId, nodeUrl, secret, java.time.Duration.ofMillis(heartbeat),
                java.time.Duration.ofMillis(downAfter), bool("PORTHOLE_DRAIN_ON_SIGTERM", false),
                java.time.Duration.ofSeconds(number("PORTHOLE_DRAIN_DEADLINE_SECONDS", d.drainDeadline().toSeconds(), 0,
                        7L * 24 * 3600)));
    }

    /**
     * A secret given as {@code KEY} or in the file {@code KEY_FILE} (a mounted Kubernetes Secret): not both. The
     * file's content without its trailing line break. Never part of an error message.
     */
    Optional<String> secret(String key) {
        var direct = get(key);
        var file = get(key + "_FILE");
        if (direct.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException("give " + key + " or " + key + "_FILE, not both");
        }
        if (file.isEmpty()) return direct;
        try {
            var v = Files.readString(Path.of(file.get())).strip();
            if (v.isEmpty()) throw new IllegalArgumentException(key + "_FILE names " + file.get() + ", which is empty");
            return Optional.of(v);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + "_FILE names " + file.get() + ", which cannot be read: "
                    + e.getClass().getSimpleName());
        }
    }

    /** Where blobs go: {@code PORTHOLE_BLOBS} {@code local} (empty) or {@code s3} with the {@code PORTHOLE_S3_…} keys. */
    Optional<S3Config> s3Blobs() {
        var kind = get("PORTHOLE_BLOBS").orElse("local").toLowerCase(Locale.ROOT);
        switch (kind) {
            case "local" -> {
                return Optional.empty();
            }
            case "s3" -> {
                // the keys are checked here and in S3Config; no message names the secret
            }
            default -> throw new IllegalArgumentException("PORTHOLE_BLOBS must be local or s3, not '" + kind + "'");
        }
        var bucket = get("PORTHOLE_S3_BUCKET").orElseThrow(() -> new IllegalArgumentException(
                "PORTHOLE_BLOBS=s3 needs PORTHOLE_S3_BUCKET, the bucket blobs go to (it must exist)"));
        var endpoint = get("PORTHOLE_S3_ENDPOINT").map(v -> {
            try {
                var uri = java.net.URI.create(v);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null
                        || uri.getRawUserInfo() != null) {
                    throw new IllegalArgumentException();
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PORTHOLE_S3_ENDPOINT must be an http:// or https:// URL with a host"
                        + " and no credentials in it (e.g. http://minio:9000)");
            }
        });
        var keyId = get("PORTHOLE_S3_ACCESS_KEY_ID").orElseThrow(() -> new IllegalArgumentException(
                "PORTHOLE_BLOBS=s3 needs PORTHOLE_S3_ACCESS_KEY_ID"));
        var secret = get("PORTHOLE_S3_SECRET_ACCESS_KEY");
        var secretFile = get("PORTHOLE_S3_SECRET_ACCESS_KEY_FILE");
        if (secret.isPresent() && secretFile.isPresent()) {
            throw new IllegalArgumentException("give PORTHOLE_S3_SECRET_ACCESS_KEY or PORTHOLE_S3_SECRET_ACCESS_KEY_FILE,"
                    + " not both");
        }
        var secretValue = secret.or(() -> secretFile.map(Settings::secretFromFile)).orElseThrow(() ->
                new IllegalArgumentException("PORTHOLE_BLOBS=s3 needs PORTHOLE_S3_SECRET_ACCESS_KEY or"
                        + " PORTHOLE_S3_SECRET_ACCESS_KEY_FILE (a file holding it, e.g. a mounted Kubernetes Secret)"));
        try {
            return Optional.of(new S3Config(endpoint, get("PORTHOLE_S3_REGION").orElse("us-east-1"), bucket,
                    get("PORTHOLE_S3_PREFIX").orElse(""), keyId, secretValue));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PORTHOLE_BLOBS=s3: " + e.getMessage());
        }
    }

    /** The secret in {@code file}, without the line end a Secret or an editor leaves; the message never quotes it. */
    private static String secretFromFile(String file) {
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("PORTHOLE_S3_SECRET_ACCESS_KEY_FILE names " + file
                    + ", which cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        var secret = text.strip();
        if (secret.isEmpty() || secret.contains("\n")) {
            throw new IllegalArgumentException("PORTHOLE_S3_SECRET_ACCESS_KEY_FILE names " + file
                    + ", which must hold the secret alone on one line");
        }
        return secret;
    }

    /**
     * Launch templates from a JSON file: {@code {"name": {"browser": "chromium"|"firefox", "binary": "/path",
     * "flags": ["--flag"], "prefs": {"pref": value}}}}.
     */
    static Map<String, ServerConfig.Template> templates(String file) {
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Path.of(file).toFile());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("PORTHOLE_TEMPLATES: " + file + " cannot be read as JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("PORTHOLE_TEMPLATES must hold a JSON object");
        var out = new java.util.LinkedHashMap<String, ServerConfig.Template>();
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            var name = e.getKey();
            var t = e.getValue();
            if (!name.matches("[A-Za-z0-9_.-]{1,64}") || !t.isObject()) {
                throw new IllegalArgumentException("PORTHOLE_TEMPLATES: '" + name + "' must be a name of letters, digits,"
                        + " . _ - and an object");
            }
            var browser = t.path("browser").asText("chromium");
            if (!browser.equals("chromium") && !browser.equals("firefox")) {
                throw new IllegalArgumentException("PORTHOLE_TEMPLATES: '" + name + "'.browser must be chromium or firefox");
            }
            var flags = new java.util.ArrayList<String>();
            t.path("flags").forEach(f -> flags.add(f.asText()));
            var prefs = new java.util.LinkedHashMap<String, Object>();
            for (var p = t.path("prefs").fields(); p.hasNext(); ) {
                var pe = p.next();
                var v = pe.getValue();
                prefs.put(pe.getKey(), v.isBoolean() ? (Object) v.asBoolean() : v.isNumber() ? (Object) v.numberValue() : v.asText());
            }
            out.put(name, new ServerConfig.Template(browser,
                    t.hasNonNull("binary") ? java.util.Optional.of(Path.of(t.get("binary").asText())) : java.util.Optional.empty(),
                    flags, prefs));
        }
        return out;
    }
}
