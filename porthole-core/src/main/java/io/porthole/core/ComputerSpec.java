package io.porthole.core;

import static io.porthole.core.action.ActionParser.optBool;
import static io.porthole.core.action.ActionParser.optNumber;
import static io.porthole.core.action.ActionParser.optString;
import static io.porthole.core.action.ActionParser.present;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import java.util.Optional;

/**
 * A validated request for a new computer ({@code ComputerCreateParams} of the Computers API), with the
 * server's defaults filled in. The deprecated {@code timeout_seconds} and {@code auto_kill} are read as
 * {@code max_lifetime_seconds} and {@code idle_timeout_enabled}; the new names win when both are given.
 * {@code identity} is what the request asks of who a browser appears to be (ADR 0037); the lifecycle resolves it.
 */
public record ComputerSpec(String kind, String engine, long maxLifetimeSeconds, long inactivityTimeoutSeconds,
                           boolean idleTimeoutEnabled, boolean persistent, int width, int height, double scale,
                           Optional<String> environmentId, Optional<String> contextId, boolean useAdvancedProxy,
                           Optional<String> templateId, String metadataJson, Optional<java.net.URI> proxy,
                           boolean recordHar, boolean recordVideo, IdentityRequest identity) {
    /** The same request for another engine (a launch template decides the engine). */
    public ComputerSpec withEngine(String e) {
        return new ComputerSpec(kind, e, maxLifetimeSeconds, inactivityTimeoutSeconds, idleTimeoutEnabled, persistent,
                width, height, scale, environmentId, contextId, useAdvancedProxy, templateId, metadataJson, proxy, recordHar,
                recordVideo, identity);
    }

    /** The same request without an identity: what an older caller builds. */
    public ComputerSpec(String kind, String engine, long maxLifetimeSeconds, long inactivityTimeoutSeconds,
                        boolean idleTimeoutEnabled, boolean persistent, int width, int height, double scale,
                        Optional<String> environmentId, Optional<String> contextId, boolean useAdvancedProxy,
                        Optional<String> templateId, String metadataJson, Optional<java.net.URI> proxy,
                        boolean recordHar, boolean recordVideo) {
        this(kind, engine, maxLifetimeSeconds, inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height,
                scale, environmentId, contextId, useAdvancedProxy, templateId, metadataJson, proxy, recordHar, recordVideo,
                IdentityRequest.NONE);
    }

    /** The engines a request may name; whether this server has one is the lifecycle's to say. */
    static final java.util.Set<String> ENGINES = java.util.Set.of("chromium", "firefox");

    static String engine(String given) {
        var engine = given.toLowerCase(java.util.Locale.ROOT);
        if (!ENGINES.contains(engine)) {
            throw new InvalidRequest("the browser engine must be \"chromium\" or \"firefox\", not \"" + given + "\"");
        }
        return engine;
    }

    /**
     * A {@code POST /browser-sandboxes} body (camelCase): {@code browser}, {@code templateID},
     * {@code viewport {width,height,deviceScaleFactor}}, {@code timeoutSeconds}, {@code idleTimeoutSeconds},
     * {@code proxy}, {@code persistent}, {@code environmentId}, {@code metadata} (string values), and ours:
     * {@code recordHar} (the egress proxy logs every connection, stored as a HAR artifact when the sandbox ends),
     * {@code recordVideo} (its screencast is recorded and stored as a video artifact when it ends), {@code identity}
     * (who the browser appears to be; {@link IdentityRequest}, with {@code fromProxy}).
     */
    public static ComputerSpec parseSandbox(JsonNode given, ComputersConfig cfg) {
        final JsonNode body = given == null || given.isNull() || given.isMissingNode()
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : given;
        if (!body.isObject()) throw new InvalidRequest(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        var engine = engine(optString(body, "browser").orElse("chromium"));
        long maxLifetime = seconds(body, "timeoutSeconds").orElse(cfg.defaultMaxLifetimeSeconds());
        if (maxLifetime > cfg.maxLifetimeCapSeconds()) {
            throw new InvalidRequest("'timeoutSeconds' may be at most " + cfg.maxLifetimeCapSeconds() + " on this server");
        }
        var idle = seconds(body, "idleTimeoutSeconds");
        int width = cfg.defaultWidth();
        int height = cfg.defaultHeight();
        double scale = 1.0;
        var viewport = present(body, "viewport");
        if (viewport != null) {
            if (!viewport.isObject()) throw new InvalidRequest("'viewport' must be an object {width, height, deviceScaleFactor}");
            width = dimension(viewport, "width", "viewport").orElse(width);
            height = dimension(viewport, "height", "viewport").orElse(height);
            scale = optNumber(viewport, "deviceScaleFactor").orElse(1.0);
            if (!(scale >= 0.25 && scale <= 4)) throw new InvalidRequest("'viewport.deviceScaleFactor' must be between 0.25 and 4");
        }
        var metadata = present(body, "metadata");
        String metadataJson = "{}";
        if (metadata != null) {
            if (!metadata.isObject()) throw new InvalidRequest("'metadata' must be an object of string values");
            for (var it = metadata.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) throw new InvalidRequest("'metadata." + e.getKey() + "' must be a string");
                if (e.getKey().length() > 256 || e.getValue().asText().length() > 4096) {
                    throw new InvalidRequest("metadata keys are at most 256 characters and values at most 4096");
                }
            }
            if (metadata.size() > 64) throw new InvalidRequest("'metadata' may hold at most 64 entries");
            metadataJson = metadata.toString();
        }
        var proxy = optString(body, "proxy").filter(p -> !p.isBlank()).map(ComputerSpec::proxyUrl);
        return new ComputerSpec("browser", engine, maxLifetime, idle.orElse(cfg.defaultInactivityTimeoutSeconds()),
                true, optBool(body, "persistent").orElse(false), width, height, scale,
                optString(body, "environmentId"), Optional.empty(), false, optString(body, "templateID"),
                metadataJson, proxy, optBool(body, "recordHar").orElse(false), optBool(body, "recordVideo").orElse(false),
                IdentityRequest.parse(body, "fromProxy", width, height));
    }

    /** A proxy URL a client brings: {@code http://} or {@code socks5://}, with a host and a port (422 otherwise). */
    public static java.net.URI proxyUrl(String given) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(given.trim());
        } catch (java.net.URISyntaxException e) {
            throw new InvalidRequest("'proxy' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !java.util.Set.of("http", "socks5", "socks5h").contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            throw new PortholeException(ErrorCode.ACTION_FAILED, "the proxy scheme must be http or socks5, not '"
                    + uri.getScheme() + "'");
        }
        if (uri.getHost() == null || uri.getPort() <= 0) {
            throw new InvalidRequest("the proxy URL needs a host and a port, e.g. http://user:pass@proxy.example:8080");
        }
        return uri;
    }

    public static ComputerSpec parse(JsonNode given, ComputersConfig cfg) {
        final JsonNode body = given == null || given.isNull() || given.isMissingNode()
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : given;
        if (!body.isObject()) throw new InvalidRequest(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        var kind = optString(body, "kind").orElse("browser").toLowerCase(java.util.Locale.ROOT);
        if (!kind.equals("browser") && !kind.equals("desktop")) {
            throw new InvalidRequest("'kind' must be \"browser\" or \"desktop\", not \"" + kind + "\"");
        }
        var engine = engine(optString(body, "engine").or(() -> optString(body, "browser")).orElse("chromium"));
        long maxLifetime = seconds(body, "max_lifetime_seconds")
                .or(() -> seconds(body, "timeout_seconds"))
                .orElse(cfg.defaultMaxLifetimeSeconds());
        if (maxLifetime > cfg.maxLifetimeCapSeconds()) {
            throw new InvalidRequest("'max_lifetime_seconds' may be at most " + cfg.maxLifetimeCapSeconds()
                    + " on this server");
        }
        long inactivity = seconds(body, "inactivity_timeout_seconds").orElse(cfg.defaultInactivityTimeoutSeconds());
        boolean idleEnabled = optBool(body, "idle_timeout_enabled")
                .or(() -> optBool(body, "auto_kill")).orElse(true);
        boolean persistent = optBool(body, "persistent").orElse(false);
        int width = cfg.defaultWidth();
        int height = cfg.defaultHeight();
        double scale = 1.0;
        var display = present(body, "display");
        if (display != null) {
            if (!display.isObject()) throw new InvalidRequest("'display' must be an object {width, height, scale}");
            width = dimension(display, "width", "display").orElse(width);
            height = dimension(display, "height", "display").orElse(height);
            scale = optNumber(display, "scale").orElse(1.0);
            if (!(scale >= 0.25 && scale <= 4)) throw new InvalidRequest("'display.scale' must be between 0.25 and 4");
        }
        boolean advancedProxy = optBool(body, "use_advanced_proxy").orElse(false);
        return new ComputerSpec(kind, engine, maxLifetime, inactivity, idleEnabled, persistent, width, height, scale,
                optString(body, "environment_id"), optString(body, "context_id"), advancedProxy, Optional.empty(), "{}",
                Optional.empty(), false, optBool(body, "record_video").orElse(false), identity(body, kind, width, height));
    }

    /**
     * The {@code identity} of a Computers API body. A desktop takes none: its screen is its display, and its clock
     * and language are the sandbox's (ADR 0037).
     */
    private static IdentityRequest identity(JsonNode body, String kind, int width, int height) {
        var identity = IdentityRequest.parse(body, "from_proxy", width, height);
        if (kind.equals("desktop") && present(body, "identity") != null) {
            throw new PortholeException(ErrorCode.NOT_SUPPORTED, "'identity' is for browser computers; a desktop's screen"
                    + " is its display and its time zone and language are the sandbox's");
        }
        return identity;
    }

    private static Optional<Long> seconds(JsonNode n, String name) {
        return optNumber(n, name).map(v -> {
            if (v != Math.rint(v) || v < 1 || v > 10L * 365 * 24 * 3600) {
                throw new InvalidRequest("'" + name + "' must be a whole number of seconds >= 1");
            }
            return (long) (double) v;
        });
    }

    private static Optional<Integer> dimension(JsonNode n, String name, String parent) {
        return optNumber(n, name).map(v -> {
            if (v != Math.rint(v) || v < 100 || v > 7680) {
                throw new InvalidRequest("'" + parent + "." + name + "' must be a whole number between 100 and 7680");
            }
            return (int) (double) v;
        });
    }
}
