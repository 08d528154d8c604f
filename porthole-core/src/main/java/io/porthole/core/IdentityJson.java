package io.porthole.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.api.IdentityInfo;
import io.porthole.core.browser.Identity;
import java.util.Optional;

/**
 * An {@link Identity} as the API shows it ({@link IdentityInfo}) and as the store keeps it: that, as JSON, with what
 * the request asked for under {@code requested} (so that a change of proxy after a restart still keeps the parts
 * given explicitly).
 */
public final class IdentityJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String REQUESTED = "requested";

    private IdentityJson() {}

    public static IdentityInfo info(Identity i) {
        return new IdentityInfo(i.timezone(), i.locale(), i.languages(), i.geolocation().map(g ->
                new IdentityInfo.Geolocation(g.latitude(), g.longitude(), g.accuracyMeters())).orElse(null),
                new IdentityInfo.Screen(i.screenWidth(), i.screenHeight()));
    }

    public static Identity identity(IdentityInfo i) {
        return new Identity(i.timezone(), i.locale(), i.languages(), Optional.ofNullable(i.geolocation()).map(g ->
                new Identity.Geolocation(g.latitude(), g.longitude(), g.accuracy())), i.screen().width(), i.screen().height());
    }

    /** As the store keeps it. */
    public static String write(Identity i, IdentityRequest requested) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.valueToTree(info(i));
        n.set(REQUESTED, requested.toJson());
        return n.toString();
    }

    /** What the request stored with an identity asked for; {@link IdentityRequest#NONE} if nothing is stored. */
    public static IdentityRequest requested(String json, int width, int height) {
        if (json == null || json.isBlank()) return IdentityRequest.NONE;
        try {
            var wrapper = JSON.createObjectNode();
            wrapper.set("identity", JSON.readTree(json).path(REQUESTED));
            return wrapper.path("identity").isObject() ? IdentityRequest.parse(wrapper, "from_proxy", width, height)
                    : IdentityRequest.NONE;
        } catch (JsonProcessingException | RuntimeException e) {
            return IdentityRequest.NONE;
        }
    }

    /** The identity stored as {@code json}; empty for none (a desktop, a record from before identities were kept). */
    public static Optional<Identity> read(String json) {
        if (json == null || json.isBlank()) return Optional.empty();
        try {
            return Optional.of(identity(JSON.readValue(json, IdentityInfo.class)));
        } catch (JsonProcessingException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
