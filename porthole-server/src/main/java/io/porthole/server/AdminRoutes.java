package io.porthole.server;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ApiKeyResponse;
import io.porthole.core.ApiKeys;
import io.porthole.core.Times;
import io.porthole.core.action.ActionParser;
import io.porthole.core.store.ApiKeyRecord;

/**
 * Key management, for admin keys only (the bootstrap key is one), and who a key is, for any key.
 *
 * <pre>
 * GET    /me                  the calling key: {"tenant", "key_id", "admin"} (the console's sign-in check)
 * GET    /admin/keys          list keys (never the secrets)
 * POST   /admin/keys          {"tenant": "...", "name": "...", "admin": false} → the key, shown this once
 * DELETE /admin/keys/{id}     revoke
 * GET    /admin/pool          the warm pool: per shape, its target, ready, starting, claims, misses
 * </pre>
 */
final class AdminRoutes {
    private final ApiKeys keys;
    private final Auth auth;
    private final long maxBody;
    private final io.porthole.core.Computers computers;

    AdminRoutes(ApiKeys keys, Auth auth, long maxBody, io.porthole.core.Computers computers) {
        this.computers = computers;
        this.keys = keys;
        this.auth = auth;
        this.maxBody = maxBody;
    }

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/me", this::me))
                .route(Http.get("/admin/keys", this::list)).post("/admin/keys", this::create).delete("/admin/keys/{id}", this::revoke)
                .route(Http.get("/admin/pool", this::pool));
    }

    static ApiKeyResponse view(ApiKeyRecord k, String secret) {
        return new ApiKeyResponse(k.id(), k.tenantId(), k.name(), k.prefix(), k.admin(), Times.format(k.createdAt()),
                Times.format(k.revokedAt()), secret);
    }

    /** Who the key is: the console learns from it whether to offer key management, without a 403 to show for it. */
    private void me(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("tenant", p.tenantId());
        body.put("key_id", p.keyId());
        body.put("admin", p.admin());
        Http.ok(res, body);
    }

    private void list(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        Http.ok(res, keys.list().stream().map(k -> view(k, null)).toList());
    }

    private void create(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        var body = Http.body(req, maxBody);
        var tenant = ActionParser.requireString(body, "tenant");
        var name = ActionParser.optString(body, "name").orElse("");
        var admin = ActionParser.optBool(body, "admin").orElse(false);
        var created = keys.create(tenant, name, admin);
        Http.send(res, 201, view(created.record(), created.key()));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        keys.revoke(req.path().pathParameters().get("id"));
        Http.ok(res, java.util.Map.of("revoked", true));
    }

    /** The warm pool, shape by shape, and its totals. */
    private void pool(ServerRequest req, ServerResponse res) {
        auth.requireAdmin(req);
        var shapes = computers.poolStats();
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("target", shapes.stream().mapToInt(io.porthole.core.PoolStats::target).sum());
        body.put("ready", shapes.stream().mapToInt(io.porthole.core.PoolStats::ready).sum());
        body.put("starting", shapes.stream().mapToInt(io.porthole.core.PoolStats::starting).sum());
        body.put("claims", shapes.stream().mapToLong(io.porthole.core.PoolStats::claims).sum());
        body.put("misses", shapes.stream().mapToLong(io.porthole.core.PoolStats::misses).sum());
        body.put("shapes", shapes.stream().map(AdminRoutes::shape).toList());
        Http.ok(res, body);
    }

    private static java.util.Map<String, Object> shape(io.porthole.core.PoolStats s) {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("shape", s.shape());
        m.put("kind", s.kind());
        m.put("engine", s.engine());
        m.put("template_id", s.templateId());
        m.put("display", java.util.Map.of("width", s.width(), "height", s.height(), "scale", s.scale()));
        m.put("target", s.target());
        m.put("ready", s.ready());
        m.put("starting", s.starting());
        m.put("standby", s.standby());
        m.put("claims", s.claims());
        m.put("misses", s.misses());
        m.put("started", s.started());
        m.put("failed", s.failed());
        return m;
    }
}
