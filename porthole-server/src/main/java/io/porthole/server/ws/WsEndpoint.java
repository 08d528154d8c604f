package io.porthole.server.ws;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import java.util.Optional;

/**
 * Decides whether a WebSocket upgrade request is for this server and allowed, and if so makes the session's
 * handler. Returning empty leaves the request to the HTTP routes, which answer it with a JSON error (a route
 * for the same path that repeats the checks).
 */
@FunctionalInterface
public interface WsEndpoint {
    Optional<WsHandler> accept(HttpPrologue prologue, Headers headers);
}
