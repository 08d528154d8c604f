package io.porthole.sdk.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.sdk.ActionResult;
import io.porthole.sdk.ApiKey;
import io.porthole.sdk.Artifact;
import io.porthole.sdk.BatchResult;
import io.porthole.sdk.BrowserContext;
import io.porthole.sdk.ComputerInfo;
import io.porthole.sdk.ComputerStatus;
import io.porthole.sdk.IdentityInfo;
import io.porthole.sdk.Environment;
import io.porthole.sdk.ReplayEvent;
import io.porthole.sdk.SandboxInfo;
import io.porthole.sdk.Tab;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one place wire JSON becomes the SDK's records. Lenient: a missing field is an empty Optional, an empty map or
 * a zero, never an exception, as the official SDKs do not validate answers either. Thread-safe.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private Json() {
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the request body is not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, Object> map(JsonNode n) {
        if (n == null || !n.isObject()) return Map.of();
        return Collections.unmodifiableMap(MAPPER.convertValue(n, MAP));
    }

    static Optional<String> text(JsonNode n, String field) {
        var v = n.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? Optional.empty() : Optional.of(v.asText());
    }

    static String textOr(JsonNode n, String field, String otherwise) {
        return text(n, field).orElse(otherwise);
    }

    static Optional<Instant> instant(JsonNode n, String field) {
        return text(n, field).flatMap(s -> {
            try {
                return Optional.of(OffsetDateTime.parse(s).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    static List<JsonNode> items(JsonNode n) {
        var list = new ArrayList<JsonNode>();
        if (n != null && n.isArray()) n.forEach(list::add);
        return list;
    }

    static ComputerInfo computer(JsonNode n) {
        var d = n.path("display");
        var endpoints = new LinkedHashMap<String, String>();
        n.path("endpoints").properties().forEach(e -> {
            if (e.getValue().isTextual()) endpoints.put(e.getKey(), e.getValue().asText());
        });
        return new ComputerInfo(textOr(n, "id", ""), textOr(n, "kind", "browser"),
                text(n, "engine"), textOr(n, "status", ""),
                instant(n, "created_at"), instant(n, "last_activity_at"), instant(n, "expires_at"),
                instant(n, "idle_expires_at"), n.path("max_lifetime_seconds").asLong(),
                n.path("inactivity_timeout_seconds").asLong(), n.path("idle_timeout_enabled").asBoolean(true),
                n.path("persistent").asBoolean(false),
                new ComputerInfo.Display(d.path("width").asInt(), d.path("height").asInt(), d.path("scale").asDouble(1.0)),
                Collections.unmodifiableMap(endpoints), instant(n, "terminated_at"), text(n, "termination_reason"),
                identity(n.get("identity")));
    }

    static ComputerStatus status(JsonNode n) {
        return new ComputerStatus(textOr(n, "id", ""), textOr(n, "status", ""), instant(n, "last_activity_at"),
                instant(n, "expires_at"), instant(n, "idle_expires_at"), map(n));
    }

    static ActionResult actionResult(JsonNode n) {
        return new ActionResult(textOr(n, "status", ""), map(n.get("result")), text(n, "error_message"),
                text(n, "error_code"), text(n, "request_id"), text(n, "executed_tab_id"), map(n.get("page_context")));
    }

    static BatchResult batch(JsonNode n) {
        var results = items(n.get("results")).stream().map(Json::actionResult).toList();
        var failed = n.get("failed_index");
        return new BatchResult(results, n.path("success").asBoolean(false), n.path("executed").asInt(results.size()),
                failed == null || !failed.isNumber() ? OptionalInt.empty() : OptionalInt.of(failed.asInt()));
    }

    /** A tab of either surface: snake_case (Computers API) or camelCase (native). */
    static Tab tab(JsonNode n) {
        return new Tab(text(n, "tab_id").or(() -> text(n, "tabId")).orElse(""), textOr(n, "url", ""),
                textOr(n, "title", ""), n.has("is_main_tab") ? n.path("is_main_tab").asBoolean() : n.path("isMainTab").asBoolean(),
                text(n, "context_id").or(() -> text(n, "contextId")).orElse("default"));
    }

    static SandboxInfo sandbox(JsonNode n) {
        var v = n.path("viewport");
        var c = n.get("connect");
        Optional<SandboxInfo.Connect> connect = c == null || !c.isObject() ? Optional.empty()
                : Optional.of(new SandboxInfo.Connect(text(c, "cdp"), text(c, "bidi"), text(c, "rpc")));
        return new SandboxInfo(textOr(n, "id", ""), textOr(n, "browser", ""), text(n, "templateID"),
                textOr(n, "state", ""), instant(n, "createdAt"), instant(n, "expiresAt"), instant(n, "idleExpiresAt"),
                new SandboxInfo.Viewport(v.path("width").asInt(), v.path("height").asInt(), v.path("deviceScaleFactor").asDouble(1.0)),
                n.path("persistent").asBoolean(false), text(n, "environmentId"), map(n.get("metadata")),
                text(n, "accessToken"), connect, identity(n.get("identity")));
    }

    /** An {@code identity} object (the same on both surfaces); empty when absent. */
    static Optional<IdentityInfo> identity(JsonNode n) {
        if (n == null || !n.isObject()) return Optional.empty();
        var languages = new ArrayList<String>();
        n.path("languages").forEach(l -> languages.add(l.asText()));
        var g = n.get("geolocation");
        Optional<IdentityInfo.Geolocation> geolocation = g == null || !g.isObject() ? Optional.empty()
                : Optional.of(new IdentityInfo.Geolocation(g.path("latitude").asDouble(), g.path("longitude").asDouble(),
                        g.path("accuracy").asDouble()));
        return Optional.of(new IdentityInfo(textOr(n, "timezone", ""), textOr(n, "locale", ""), List.copyOf(languages),
                geolocation, n.path("screen").path("width").asInt(), n.path("screen").path("height").asInt()));
    }

    static BrowserContext context(JsonNode n) {
        return new BrowserContext(textOr(n, "id", ""), n.path("default").asBoolean(false), text(n, "proxy"));
    }

    static Artifact artifact(JsonNode n) {
        return new Artifact(textOr(n, "id", ""), textOr(n, "type", ""), textOr(n, "contentType", ""), text(n, "name"),
                n.path("size").asLong(), textOr(n, "sha256", ""), instant(n, "createdAt"), textOr(n, "downloadURL", ""));
    }

    static ApiKey apiKey(JsonNode n) {
        return new ApiKey(textOr(n, "id", ""), textOr(n, "tenant", ""), textOr(n, "name", ""), textOr(n, "prefix", ""),
                n.path("admin").asBoolean(false), instant(n, "created_at"), instant(n, "revoked_at"), text(n, "key"));
    }

    static Environment environment(JsonNode n) {
        return new Environment(textOr(n, "id", ""), textOr(n, "engine", ""), n.path("size").asLong(),
                instant(n, "createdAt"), instant(n, "updatedAt"));
    }

    static ReplayEvent replayEvent(JsonNode n) {
        return new ReplayEvent(textOr(n, "id", ""), textOr(n, "category", ""), textOr(n, "type", ""), instant(n, "at"),
                map(n.get("data")));
    }
}
