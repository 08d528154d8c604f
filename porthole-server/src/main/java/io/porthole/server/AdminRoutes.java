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
 * Key management, for admin keys only (the bootstrap key is one).
 *
 * <pre>
 * GET    /admin/keys          list keys (never the secrets)
 * POST   /admin/keys          {"tenant": "...", "name": "...", "admin": false} → the key, shown this once
 * DELETE /admin/keys/{id}     revoke
 * </pre>
 */
final class AdminRoutes {
    private final ApiKeys keys;
    private final Auth auth;
    private final long maxBody;

    AdminRoutes(ApiKeys keys, Auth auth, long maxBody) {
        this.keys = keys;
        this.auth = auth;
        this.maxBody = maxBody;
    }

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/admin/keys", this::list)).post("/admin/keys", this::create).delete("/admin/keys/{id}", this::revoke);
    }

    static ApiKeyResponse view(ApiKeyRecord k, String secret) {
        return new ApiKeyResponse(k.id(), k.tenantId(), k.name(), k.prefix(), k.admin(), Times.format(k.createdAt()),
                Times.format(k.revokedAt()), secret);
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
}
