package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.porthole.api.ErrorCode;
import io.porthole.core.Computers;
import io.porthole.core.PortholeException;

/**
 * Who may watch a computer: the owner's API key. The one place that decides it for the live streams.
 */
final class Access {
    private static final io.helidon.http.HeaderName VIEWER = HeaderNames.create("X-Porthole-Viewer");

    private final Computers computers;
    private final Auth auth;

    Access(Computers computers, Auth auth) {
        this.computers = computers;
        this.auth = auth;
    }

    /**
     * Someone allowed to watch one computer.
     *
     * @param label how the replay events name the viewer
     */
    record Watcher(String tenantId, String computerId, String label) {}

    /**
     * The caller, if it may watch the path's computer.
     *
     * @param nativeSurface whether the route is the browser-sandboxes one (no desktops there)
     * @throws PortholeException 401 without valid credentials, 404 for a computer the caller does not own
     */
    Watcher watcher(ServerRequest req, boolean nativeSurface) {
        var id = req.path().pathParameters().get("id");
        var p = auth.require(req);
        var r = computers.get(p.tenantId(), id);
        if (nativeSurface && !r.kind().equals("browser")) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no browser sandbox with id '" + id + "'");
        }
        return new Watcher(p.tenantId(), r.id(), label(req, "api key " + p.keyId()));
    }

    /** What the client calls itself ({@code X-Porthole-Viewer: console}), else {@code fallback}. */
    private static String label(ServerRequest req, String fallback) {
        return req.headers().first(VIEWER).map(v -> v.replaceAll("[^A-Za-z0-9 ._-]", "").trim())
                .filter(v -> !v.isEmpty()).map(v -> v.length() > 40 ? v.substring(0, 40) : v).orElse(fallback);
    }
}
