package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.ActionDispatcher;
import io.porthole.core.ComputerSpec;
import io.porthole.core.Computers;
import io.porthole.core.PortholeException;
import io.porthole.core.Views;
import io.porthole.core.action.ActionRequest;
import java.util.Map;

/**
 * The Computers API (contracts/lightcone-computers.md), wire-compatible with the Lightcone SDKs.
 *
 * <pre>
 * POST   /computers                              create (returns when the browser answers)
 * GET    /computers?type=live|persistent         list
 * GET    /computers/{id}                         retrieve
 * DELETE /computers/{id}                         end (idempotent, 204)
 * GET    /computers/{id}/status                  TTLs and last activity
 * POST   /computers/{id}/keepalive               reset the idle timer
 * POST   /computers/{id}/execute                 {"action": {...}}
 * POST   /computers/{id}/batch                   {"actions": [...]}, stops at the first error
 * POST   /computers/{id}/{action}                click, double-click, right-click, drag, mouse-down, mouse-up,
 *                                                type, hotkey, key-down, key-up, scroll, navigate, screenshot,
 *                                                html, viewport, change-proxy, debug
 * GET    /computers/{id}/tabs                    list tabs
 * POST   /computers/{id}/tabs                    open a tab (becomes the main tab)
 * DELETE /computers/{id}/tabs/{tab_id}           close a tab
 * POST   /computers/{id}/tabs/{tab_id}/switch    make a tab the main tab
 * </pre>
 */
final class ComputerRoutes {
    /** Dedicated action routes and the action type each one implies. */
    static final Map<String, String> ACTION_ROUTES = Map.ofEntries(
            Map.entry("click", "click"), Map.entry("double-click", "double_click"),
            Map.entry("right-click", "right_click"), Map.entry("drag", "drag"),
            Map.entry("mouse-down", "mouse_down"), Map.entry("mouse-up", "mouse_up"),
            Map.entry("type", "type"), Map.entry("hotkey", "keypress"), Map.entry("key-down", "key_down"),
            Map.entry("key-up", "key_up"), Map.entry("scroll", "scroll"), Map.entry("navigate", "navigate"),
            Map.entry("screenshot", "screenshot"), Map.entry("html", "get_html_content"),
            Map.entry("viewport", "set_viewport"), Map.entry("change-proxy", "change_proxy"),
            Map.entry("debug", "debug"));

    private final Computers computers;
    private final ActionDispatcher dispatcher;
    private final Auth auth;
    private final long maxBody;
    private final RetryJoin retries;

    private final io.porthole.core.Takeover takeover;

    ComputerRoutes(Computers computers, ActionDispatcher dispatcher, Auth auth, long maxBody, RetryJoin retries,
                   io.porthole.core.Takeover takeover) {
        this.takeover = takeover;
        this.retries = retries;
        this.computers = computers;
        this.dispatcher = dispatcher;
        this.auth = auth;
        this.maxBody = maxBody;
    }

    void register(HttpRouting.Builder r) {
        r.post("/computers", this::create)
                .route(Http.get("/computers", this::list))
                .route(Http.get("/computers/{id}", this::retrieve))
                .delete("/computers/{id}", this::delete)
                .route(Http.get("/computers/{id}/status", this::status))
                .post("/computers/{id}/keepalive", this::keepalive)
                .post("/computers/{id}/execute", this::execute)
                .post("/computers/{id}/batch", this::batch)
                .route(Http.get("/computers/{id}/tabs", (req, res) -> action(req, res, "list_tabs", null)))
                .post("/computers/{id}/tabs", (req, res) -> action(req, res, "new_tab", null))
                .delete("/computers/{id}/tabs/{tab}", (req, res) -> action(req, res, "close_tab", "tab"))
                .post("/computers/{id}/tabs/{tab}/switch", (req, res) -> action(req, res, "switch_tab", "tab"))
                .post("/computers/{id}/{action}", this::actionRoute);
    }

    private void create(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var spec = ComputerSpec.parse(Http.body(req, maxBody), computers.config());
        Http.ok(res, view(computers.create(p.tenantId(), spec)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var type = req.query().first("type").orElse("live");
        boolean persistent = switch (type) {
            case "live", "" -> false;
            case "persistent" -> true;
            default -> throw new PortholeException.InvalidRequest("'type' must be live or persistent, not '" + type + "'");
        };
        Http.ok(res, computers.list(p.tenantId(), persistent).stream().map(this::view).toList());
    }

    private void retrieve(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        Http.ok(res, view(computers.get(p.tenantId(), id(req))));
    }

    /** The computer as the SDKs see it, with who watches it and who controls it while it runs. */
    private io.porthole.api.ComputerResponse view(io.porthole.core.ComputerRecord r) {
        var live = computers.findLive(r.id());
        if (live.isEmpty()) return Views.computer(r);
        return Views.computer(r, live.get().viewers(),
                takeover.current(live.get()).map(l -> io.porthole.core.Takeover.view(l, false)).orElse(null),
                live.get().standbySince());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        computers.delete(p.tenantId(), id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void status(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var record = computers.get(p.tenantId(), id(req));
        Http.ok(res, Views.status(record, computers.egressStats(p.tenantId(), record.id())));
    }

    private void keepalive(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        Http.body(req, maxBody); // read and check, though it carries nothing
        Http.ok(res, Views.status(computers.keepalive(p.tenantId(), id(req))));
    }

    private void execute(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var body = Http.body(req, maxBody);
        var action = body.get("action");
        if (action == null || action.isNull()) {
            throw new PortholeException.InvalidRequest("the body needs an 'action' object, e.g. {\"action\": {\"type\": \"wait\", \"ms\": 500}}");
        }
        var request = dispatcher.parser().parse(action);
        request = withEnvelope(request, body);
        Http.ok(res, dispatcher.execute(p.tenantId(), id(req), request));
    }

    /** {@code request_id} may sit at the top level of the envelope rather than in the action. */
    private static ActionRequest withEnvelope(ActionRequest r, JsonNode body) {
        if (r.requestId().isPresent()) return r;
        var top = io.porthole.core.action.ActionParser.optString(body, "request_id");
        return top.isEmpty() ? r : new ActionRequest(r.action(), r.tabId(), r.includeContext(), top);
    }

    private void batch(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var body = Http.body(req, maxBody);
        var actions = body.get("actions");
        if (actions == null || !actions.isArray()) {
            throw new PortholeException.InvalidRequest("the body needs an 'actions' array");
        }
        Http.ok(res, dispatcher.batch(p.tenantId(), id(req), actions));
    }

    private void actionRoute(ServerRequest req, ServerResponse res) {
        var name = req.path().pathParameters().get("action");
        var type = ACTION_ROUTES.get(name);
        if (type == null) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no route POST /computers/{id}/" + name);
        }
        action(req, res, type, null);
    }

    private void action(ServerRequest req, ServerResponse res, String type, String tabParam) {
        var p = auth.require(req);
        var body = Http.body(req, maxBody);
        if (tabParam != null) body.put("tab_id", req.path().pathParameters().get(tabParam));
        var request = dispatcher.parser().parse(type, body);
        if (type.equals("debug")) {
            // a debug command may outlast the SDKs' 60 s timeout; their retry joins the first run
            var answer = retries.run(req, p.tenantId(), body.toString(),
                    () -> new RetryJoin.Answer(200, Http.json(dispatcher.execute(p.tenantId(), id(req), request))));
            Http.sendJsonBytes(res, answer.status(), answer.body());
            return;
        }
        Http.ok(res, dispatcher.execute(p.tenantId(), id(req), request));
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }
}
