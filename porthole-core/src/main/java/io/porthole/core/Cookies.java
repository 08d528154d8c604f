package io.porthole.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Cookies saved by one engine, for the other: Chromium's exported cookies are CDP {@code Network.Cookie}
 * objects, Firefox's are WebDriver BiDi {@code network.Cookie} objects. The fields both know (name, value,
 * domain, path, expiry, secure, httpOnly, sameSite) carry over; a session cookie stays one.
 */
public final class Cookies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cookies() {}

    /** {@code json} as saved by {@code from}, in the form {@code to} takes; empty if it cannot be read. */
    public static Optional<String> convert(String json, String from, String to) {
        if (from.equals(to)) return Optional.of(json);
        boolean toFirefox = from.equals("chromium") && to.equals("firefox");
        if (!toFirefox && !(from.equals("firefox") && to.equals("chromium"))) return Optional.empty();
        JsonNode cookies;
        try {
            cookies = JSON.readTree(json);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (cookies == null || !cookies.isArray()) return Optional.empty();
        ArrayNode out = JSON.createArrayNode();
        for (var c : cookies) {
            if (toFirefox) {
                var b = out.addObject();
                b.put("name", c.path("name").asText());
                b.putObject("value").put("type", "string").put("value", c.path("value").asText());
                b.put("domain", c.path("domain").asText());
                b.put("path", c.path("path").asText("/"));
                b.put("secure", c.path("secure").asBoolean(false));
                b.put("httpOnly", c.path("httpOnly").asBoolean(false));
                var sameSite = c.path("sameSite").asText("");
                if (!sameSite.isEmpty()) b.put("sameSite", sameSite.toLowerCase(Locale.ROOT));
                if (!c.path("session").asBoolean(false) && c.path("expires").asDouble(-1) > 0) {
                    b.put("expiry", (long) c.path("expires").asDouble());
                }
            } else {
                var b = out.addObject();
                var value = c.path("value");
                var text = value.path("type").asText("string").equals("base64")
                        ? new String(Base64.getDecoder().decode(value.path("value").asText()), StandardCharsets.UTF_8)
                        : value.path("value").asText();
                b.put("name", c.path("name").asText());
                b.put("value", text);
                b.put("domain", c.path("domain").asText());
                b.put("path", c.path("path").asText("/"));
                b.put("secure", c.path("secure").asBoolean(false));
                b.put("httpOnly", c.path("httpOnly").asBoolean(false));
                var sameSite = c.path("sameSite").asText("");
                if (!sameSite.isEmpty() && !sameSite.equals("default")) {
                    b.put("sameSite", sameSite.substring(0, 1).toUpperCase(Locale.ROOT) + sameSite.substring(1));
                }
                if (c.hasNonNull("expiry")) {
                    b.put("expires", c.path("expiry").asLong());
                    b.put("session", false);
                } else {
                    b.put("session", true);
                }
            }
        }
        return Optional.of(out.toString());
    }
}
