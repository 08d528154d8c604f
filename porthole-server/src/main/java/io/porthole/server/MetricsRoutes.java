package io.porthole.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The node's metrics for Prometheus (ADR 0033):
 *
 * <pre>
 * GET /metrics   the Prometheus text format (0.0.4); as PORTHOLE_METRICS says: key (an admin API key, or the
 *                metrics token), public (anyone), off (404)
 * </pre>
 *
 * The metrics token opens this route and no other: it is not an API key. Thread-safe.
 */
final class MetricsRoutes {
    private final Metrics metrics;
    private final ServerConfig.MetricsConfig config;
    private final Auth auth;

    MetricsRoutes(Metrics metrics, ServerConfig.MetricsConfig config, Auth auth) {
        this.metrics = metrics;
        this.config = config;
        this.auth = auth;
    }

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/metrics", this::scrape));
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        switch (config.access()) {
            case OFF -> throw new PortholeException.NotFound(ErrorCode.NOT_FOUND,
                    "metrics are off on this server (PORTHOLE_METRICS=off)");
            case PUBLIC -> { }
            case KEY -> {
                if (!tokenMatches(req)) auth.requireAdmin(req);
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, metrics.contentType());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(metrics.scrape());
    }

    /** Whether the request carries the metrics token (compared in constant time). */
    private boolean tokenMatches(ServerRequest req) {
        if (config.token().isEmpty()) return false;
        var given = Auth.credential(req.headers());
        return given.isPresent() && MessageDigest.isEqual(given.get().getBytes(StandardCharsets.UTF_8),
                config.token().get().getBytes(StandardCharsets.UTF_8));
    }
}
