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
 */
public record ComputerSpec(String kind, String engine, long maxLifetimeSeconds, long inactivityTimeoutSeconds,
                           boolean idleTimeoutEnabled, boolean persistent, int width, int height, double scale,
                           Optional<String> environmentId, Optional<String> contextId, boolean useAdvancedProxy) {

    public static ComputerSpec parse(JsonNode given, ComputersConfig cfg) {
        final JsonNode body = given == null || given.isNull() || given.isMissingNode()
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : given;
        if (!body.isObject()) throw new InvalidRequest(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        var kind = optString(body, "kind").orElse("browser").toLowerCase(java.util.Locale.ROOT);
        if (!kind.equals("browser") && !kind.equals("desktop")) {
            throw new InvalidRequest("'kind' must be \"browser\" or \"desktop\", not \"" + kind + "\"");
        }
        var engine = optString(body, "engine").or(() -> optString(body, "browser")).orElse("chromium")
                .toLowerCase(java.util.Locale.ROOT);
        if (!engine.equals("chromium")) {
            throw new PortholeException(ErrorCode.NOT_SUPPORTED,
                    "engine '" + engine + "' is not supported by this server; use \"chromium\"");
        }
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
            width = dimension(display, "width").orElse(width);
            height = dimension(display, "height").orElse(height);
            scale = optNumber(display, "scale").orElse(1.0);
            if (!(scale >= 0.25 && scale <= 4)) throw new InvalidRequest("'display.scale' must be between 0.25 and 4");
        }
        boolean advancedProxy = optBool(body, "use_advanced_proxy").orElse(false);
        return new ComputerSpec(kind, engine, maxLifetime, inactivity, idleEnabled, persistent, width, height, scale,
                optString(body, "environment_id"), optString(body, "context_id"), advancedProxy);
    }

    private static Optional<Long> seconds(JsonNode n, String name) {
        return optNumber(n, name).map(v -> {
            if (v != Math.rint(v) || v < 1 || v > 10L * 365 * 24 * 3600) {
                throw new InvalidRequest("'" + name + "' must be a whole number of seconds >= 1");
            }
            return (long) (double) v;
        });
    }

    private static Optional<Integer> dimension(JsonNode n, String name) {
        return optNumber(n, name).map(v -> {
            if (v != Math.rint(v) || v < 100 || v > 7680) {
                throw new InvalidRequest("'display." + name + "' must be a whole number between 100 and 7680");
            }
            return (int) (double) v;
        });
    }
}
