package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.ActionDispatcher;
import io.porthole.core.Control;
import io.porthole.core.Origin;
import io.porthole.core.PortholeException;
import io.porthole.core.Takeover;
import io.porthole.core.Times;
import io.porthole.core.action.ActionParser;
import io.porthole.core.store.ViewerLinkRecord;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Take-over and viewer links, on both surfaces ({@code /computers/{id}/…} snake_case, {@code
 * /browser-sandboxes/{id}/…} camelCase).
 *
 * <pre>
 * GET    …/{id}/control                 who holds control: {"control": {holder, since, expires_at} | null}
 * POST   …/{id}/control                 take control: {"lease_id", "holder", "since", "expires_at", "ttl_seconds"};
 *                                       409 control_taken if someone else holds it
 * POST   …/{id}/control/renew           {"lease_id"}: extend it; 409 not_in_control once it has ended
 * DELETE …/{id}/control[?lease_id=]     hand back (the owner's key may end anyone's lease): {"released": bool}
 * POST   …/{id}/control/input           {"lease_id", "action": {…}}: the person's input, one ordinary action through
 *                                       the dispatcher (an ActionResult); renews the lease
 * POST   …/{id}/viewers                 {"mode": "read_only"|"control", "expires_in_seconds"}: a viewer link (the
 *                                       owner's key only); the token is in the answer this once
 * GET    …/{id}/viewers                 the computer's links, without tokens
 * DELETE …/{id}/viewers/{link}          revoke: what was opened with it closes, its control ends
 * GET    /viewer                        for a viewer link's token: which computer it opens, and how
 * </pre>
 */
final class ControlRoutes {
    private final Access access;
    private final Takeover takeover;
    private final ActionDispatcher dispatcher;
    private final long maxBody;
    private final java.util.function.Supplier<String> baseUrl;
    private final Duration defaultLinkTtl;

    ControlRoutes(Access access, Takeover takeover, ActionDispatcher dispatcher, long maxBody,
                  java.util.function.Supplier<String> baseUrl, Duration defaultLinkTtl) {
        this.access = access;
        this.takeover = takeover;
        this.dispatcher = dispatcher;
        this.maxBody = maxBody;
        this.baseUrl = baseUrl;
        this.defaultLinkTtl = defaultLinkTtl;
    }

    void register(HttpRouting.Builder r) {
        for (var base : new String[] {"/computers/{id}", "/browser-sandboxes/{id}"}) {
            r.route(Http.get(base + "/control", this::current))
                    .post(base + "/control", this::take)
                    .post(base + "/control/renew", this::renew)
                    .delete(base + "/control", this::handBack)
                    .post(base + "/control/input", this::input)
                    .post(base + "/viewers", this::createLink)
                    .route(Http.get(base + "/viewers", this::listLinks))
                    .delete(base + "/viewers/{link}", this::revokeLink);
        }
        r.route(Http.get("/viewer", this::whoAmI));
    }

    private static boolean camel(ServerRequest req) {
        return req.path().path().startsWith("/browser-sandboxes/");
    }

    /** {@code lease_id}, or {@code leaseId} on the native surface. */
    private static String key(boolean camel, String snake) {
        return camel ? io.porthole.core.live.LiveEvent.camel(snake) : snake;
    }

    private void current(ServerRequest req, ServerResponse res) {
        var caller = access.caller(req, camel(req));
        var body = new LinkedHashMap<String, Object>();
        var live = access.computers().findLive(caller.computerId());
        body.put("control", live.flatMap(takeover::current).map(l -> Takeover.view(l, camel(req))).orElse(null));
        Http.ok(res, body);
    }

    private void take(ServerRequest req, ServerResponse res) {
        var caller = access.controller(req, camel(req));
        Http.body(req, maxBody);
        var lease = takeover.take(caller.tenantId(), caller.computerId(), caller.label());
        Http.ok(res, lease(lease, camel(req)));
    }

    private Map<String, Object> lease(Control.Lease l, boolean camel) {
        var m = new LinkedHashMap<String, Object>();
        m.put(key(camel, "lease_id"), l.id());
        m.put("holder", l.holder());
        m.put("since", Times.format(l.since()));
        m.put(key(camel, "expires_at"), Times.format(l.expiresAt()));
        m.put(key(camel, "ttl_seconds"), takeover.ttl().toSeconds());
        return m;
    }

    private void renew(ServerRequest req, ServerResponse res) {
        var camel = camel(req);
        var caller = access.controller(req, camel);
        var leaseId = requiredText(Http.body(req, maxBody), key(camel, "lease_id"));
        var lease = takeover.renew(caller.tenantId(), caller.computerId(), leaseId).orElseThrow(ControlRoutes::notInControl);
        Http.ok(res, lease(lease, camel));
    }

    private void handBack(ServerRequest req, ServerResponse res) {
        var camel = camel(req);
        var caller = access.controller(req, camel);
        var leaseId = req.query().first(key(camel, "lease_id")).asOptional().filter(s -> !s.isBlank());
        if (leaseId.isEmpty() && !caller.isOwner()) {
            // a viewer link hands back only what it holds
            var current = access.computers().findLive(caller.computerId()).flatMap(takeover::current);
            leaseId = current.filter(l -> l.holder().equals(caller.label())).map(Control.Lease::id);
            if (leaseId.isEmpty()) {
                Http.ok(res, Map.of("released", false));
                return;
            }
        }
        var ended = takeover.handBack(caller.tenantId(), caller.computerId(), leaseId, "handed_back");
        Http.ok(res, Map.of("released", ended.isPresent()));
    }

    private void input(ServerRequest req, ServerResponse res) {
        var camel = camel(req);
        var caller = access.controller(req, camel);
        var body = Http.body(req, maxBody);
        var leaseId = requiredText(body, key(camel, "lease_id"));
        var action = body.get("action");
        if (action == null || !action.isObject()) {
            throw new PortholeException.InvalidRequest("the body needs an 'action' object, e.g. {\"action\": {\"type\":"
                    + " \"click\", \"x\": 10, \"y\": 20}}");
        }
        var request = dispatcher.parser().parse(action);
        var result = dispatcher.execute(caller.tenantId(), caller.computerId(), request, Origin.console(Optional.of(leaseId)));
        // the person is still there: their lease goes on
        takeover.renew(caller.tenantId(), caller.computerId(), leaseId);
        Http.ok(res, result);
    }

    private void createLink(ServerRequest req, ServerResponse res) {
        var camel = camel(req);
        var caller = access.owner(req, camel);
        access.computers().requireRunning(caller.tenantId(), caller.computerId());
        var body = Http.body(req, maxBody);
        var mode = ActionParser.optString(body, "mode").orElse(ViewerLinkRecord.READ_ONLY);
        var seconds = ActionParser.optNumber(body, key(camel, "expires_in_seconds")).map(v -> {
            if (v != Math.rint(v)) throw new PortholeException.InvalidRequest("'" + key(camel, "expires_in_seconds")
                    + "' must be a whole number of seconds");
            return (long) (double) v;
        }).orElse(defaultLinkTtl.toSeconds());
        var created = access.links().create(caller.tenantId(), caller.computerId(), mode, Duration.ofSeconds(seconds));
        var view = link(created.record(), camel);
        view.put("token", created.token());
        // the token travels in the fragment, which browsers never send to a server (nor in a Referer)
        view.put("url", baseUrl.get() + "/view#" + created.token());
        Http.send(res, camel ? 201 : 200, view);
    }

    private Map<String, Object> link(ViewerLinkRecord l, boolean camel) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", l.id());
        m.put(key(camel, "computer_id"), l.computerId());
        m.put("mode", l.mode());
        m.put("prefix", l.prefix());
        m.put(key(camel, "created_at"), Times.format(l.createdAt()));
        m.put(key(camel, "expires_at"), Times.format(l.expiresAt()));
        m.put(key(camel, "revoked_at"), l.revokedAt() == null ? null : Times.format(l.revokedAt()));
        m.put("active", access.links().unexpired(l) && l.revokedAt() == null);
        return m;
    }

    private void listLinks(ServerRequest req, ServerResponse res) {
        var camel = camel(req);
        var caller = access.owner(req, camel);
        Http.ok(res, Map.of("items", access.links().list(caller.computerId()).stream().map(l -> link(l, camel)).toList()));
    }

    private void revokeLink(ServerRequest req, ServerResponse res) {
        var camel = camel(req);
        var caller = access.owner(req, camel);
        var revoked = access.links().revoke(caller.computerId(), req.path().pathParameters().get("link"));
        takeover.releaseHolder(caller.computerId(), "viewer link " + revoked.id(), "viewer_link_revoked");
        Http.ok(res, link(revoked, camel));
    }

    /** The console's first call with a viewer link: which computer, read-only or control, until when. */
    private void whoAmI(ServerRequest req, ServerResponse res) {
        var link = access.link(req).orElseThrow(() -> new PortholeException.Unauthorized(ErrorCode.UNAUTHORIZED,
                "send a viewer link's token as 'Authorization: Bearer pv_…'"));
        var r = access.computers().get(link.tenantId(), link.computerId());
        var body = new LinkedHashMap<String, Object>();
        body.put("computer_id", link.computerId());
        body.put("mode", link.mode());
        body.put("expires_at", Times.format(link.expiresAt()));
        var computer = new LinkedHashMap<String, Object>();
        computer.put("kind", r.kind());
        computer.put("engine", r.engine());
        computer.put("status", r.status().wireName());
        computer.put("display", Map.of("width", r.width(), "height", r.height(), "scale", r.scale()));
        body.put("computer", computer);
        Http.ok(res, body);
    }

    private static String requiredText(JsonNode body, String field) {
        var v = ActionParser.optString(body, field).filter(s -> !s.isBlank());
        return v.orElseThrow(() -> new PortholeException.InvalidRequest("'" + field + "' is required"));
    }

    private static PortholeException notInControl() {
        return new PortholeException(ErrorCode.NOT_IN_CONTROL, "this lease has ended (handed back, timed out or taken"
                + " by someone else); take control again");
    }
}
