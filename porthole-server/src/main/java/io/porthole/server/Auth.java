package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.porthole.api.ErrorCode;
import io.porthole.core.ApiKeys;
import io.porthole.core.PortholeException;

/** Reads {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>} and finds who is calling. */
final class Auth {
    private static final io.helidon.http.HeaderName X_API_KEY = HeaderNames.create("X-API-Key");
    private final ApiKeys keys;

    Auth(ApiKeys keys) {
        this.keys = keys;
    }

    /** The credential the request carries ({@code Authorization: Bearer} or {@code X-API-Key}), if any. */
    static java.util.Optional<String> credential(io.helidon.http.Headers headers) {
        String key = null;
        var authorization = headers.first(HeaderNames.AUTHORIZATION);
        if (authorization.isPresent()) {
            var v = authorization.get().trim();
            if (v.regionMatches(true, 0, "Bearer ", 0, 7)) key = v.substring(7).trim();
        }
        if (key == null) key = headers.first(X_API_KEY).map(String::trim).orElse(null);
        return key == null || key.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(key);
    }

    /** Who the key is, if it is a valid API key. */
    java.util.Optional<ApiKeys.Principal> principal(String key) {
        return keys.authenticate(key);
    }

    ApiKeys.Principal require(ServerRequest req) {
        String key = credential(req.headers()).orElse(null);
        if (key == null) {
            throw new PortholeException.Unauthorized(ErrorCode.UNAUTHORIZED,
                    "send your API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
        }
        return keys.authenticate(key).orElseThrow(() -> new PortholeException.Unauthorized(ErrorCode.UNAUTHORIZED,
                "this API key is not valid (unknown or revoked)"));
    }

    ApiKeys.Principal requireAdmin(ServerRequest req) {
        var p = require(req);
        if (!p.admin()) throw new PortholeException.Unauthorized(ErrorCode.FORBIDDEN, "this route needs an admin key");
        return p;
    }
}
