package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.api.TabInfo;
import io.porthole.core.ActionDispatcher;
import io.porthole.core.ApiKeys;
import io.porthole.core.Artifacts;
import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerSpec;
import io.porthole.core.ComputerStatus;
import io.porthole.core.Computers;
import io.porthole.core.PortholeException;
import io.porthole.core.Times;
import io.porthole.core.browser.BrowserContextInfo;
import io.porthole.core.store.ArtifactRecord;
import io.porthole.core.store.ReplayEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The browser-sandboxes API (contracts/browser-sandboxes.md): the native surface over the same computers as
 * the Computers API. camelCase JSON; a paused sandbox answers actions with 409.
 */
final class SandboxRoutes {
    private static final String BASE = "/browser-sandboxes";
    private static final int MAX_PAGE = 200;

    private final Computers computers;
    private final ActionDispatcher dispatcher;
    private final Artifacts artifacts;
    private final io.porthole.core.Environments environments;
    private final Auth auth;
    private final AccessTokens tokens;
    private final long maxBody;
    private final java.util.function.Supplier<String> baseUrl;
    private final io.porthole.core.Takeover takeover;

    SandboxRoutes(Computers computers, ActionDispatcher dispatcher, Artifacts artifacts,
                  io.porthole.core.Environments environments, Auth auth, AccessTokens tokens, long maxBody,
                  java.util.function.Supplier<String> baseUrl, io.porthole.core.Takeover takeover) {
        this.takeover = takeover;
        this.environments = environments;
        this.computers = computers;
        this.dispatcher = dispatcher;
        this.artifacts = artifacts;
        this.auth = auth;
        this.tokens = tokens;
        this.maxBody = maxBody;
        this.baseUrl = baseUrl;
    }

    void register(HttpRouting.Builder r) {
        r.post(BASE, this::create)
                .route(Http.get(BASE, this::list))
                .route(Http.get(BASE + "/{id}", this::retrieve))
                .delete(BASE + "/{id}", this::delete)
                .post(BASE + "/{id}/suspend", (req, res) -> {
                    var t = tenant(req);
                    Http.ok(res, view(computers.suspend(t, sandbox(t, sandboxId(req)).id())));
                })
                .post(BASE + "/{id}/resume", (req, res) -> {
                    var t = tenant(req);
                    Http.ok(res, view(computers.resume(t, sandbox(t, sandboxId(req)).id())));
                })
                .post(BASE + "/{id}/rpc", this::rpc)
                .route(Http.get(BASE + "/{id}/contexts", this::listContexts))
                .post(BASE + "/{id}/contexts", this::createContext)
                .delete(BASE + "/{id}/contexts/{context}", this::deleteContext)
                .route(Http.get(BASE + "/{id}/contexts/{context}/tabs", this::contextTabs))
                .post(BASE + "/{id}/contexts/{context}/tabs", this::newContextTab)
                .post(BASE + "/{id}/artifacts/screenshot", (req, res) -> capture(req, res, "screenshot"))
                .post(BASE + "/{id}/artifacts/pdf", (req, res) -> capture(req, res, "pdf"))
                .post(BASE + "/{id}/artifacts", this::upload)
                .route(Http.get(BASE + "/{id}/artifacts", this::listArtifacts))
                .route(Http.get(BASE + "/{id}/artifacts/{artifact}", this::download))
                .route(Http.get(BASE + "/{id}/replay-events", this::events))
                // the same log and stored files for every kind of computer, desktops included (the console's timeline,
                // a desktop's recording)
                .route(Http.get("/computers/{id}/replay-events", this::events))
                .route(Http.get("/computers/{id}/artifacts", this::listArtifacts))
                .route(Http.get("/computers/{id}/artifacts/{artifact}", this::download))
                .route(Http.get("/environments", (req, res) -> Http.ok(res, Map.of("items",
                        environments.list(tenant(req)).stream().map(SandboxRoutes::environment).toList()))))
                .route(Http.get("/environments/{env}", (req, res) -> Http.ok(res, environment(
                        environments.find(tenant(req), req.path().pathParameters().get("env"))))))
                .delete("/environments/{env}", (req, res) -> {
                    environments.delete(tenant(req), req.path().pathParameters().get("env"));
                    res.status(Status.NO_CONTENT_204).send();
                });
    }

    private String tenant(ServerRequest req) {
        return auth.require(req).tenantId();
    }

    /** The path's id, checked to be a browser computer of the caller (desktops are not sandboxes). */
    private String sandboxId(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private ComputerRecord sandbox(String tenantId, String id) {
        var r = computers.get(tenantId, id);
        if (!r.kind().equals("browser")) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no browser sandbox with id '" + id + "'");
        }
        return r;
    }

    // ---- lifecycle ----

    private void create(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        var spec = ComputerSpec.parseSandbox(Http.body(req, maxBody), computers.config());
        Http.send(res, 201, view(computers.create(p.tenantId(), spec)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        var p = auth.require(req);
        int limit = intParam(req, "limit", 50, 1, MAX_PAGE);
        int offset = req.query().first("cursor").map(SandboxRoutes::decodeCursor).orElse(0);
        var states = EnumSet.noneOf(ComputerStatus.class);
        var filter = req.query().first("state").orElse("");
        for (var s : filter.split(",")) {
            if (s.isBlank()) continue;
            states.add(switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "starting" -> ComputerStatus.STARTING;
                case "running" -> ComputerStatus.RUNNING;
                case "paused" -> ComputerStatus.PAUSED;
                case "closed" -> ComputerStatus.TERMINATED;
                case "failed" -> ComputerStatus.FAILED;
                default -> throw new PortholeException.InvalidRequest("'state' takes starting, running, paused, closed"
                        + " or failed (comma-separated), not '" + s.trim() + "'");
            });
        }
        if (states.isEmpty()) states = EnumSet.allOf(ComputerStatus.class);
        var all = computers.listAll(p.tenantId(), states).stream().filter(r -> r.kind().equals("browser")).toList();
        // a cursor is the client's to send: any offset, up to Integer.MAX_VALUE, is a page (maybe empty), and
        // offset + limit is counted in long so that it cannot wrap
        long end = (long) offset + limit;
        var page = all.subList(Math.min(offset, all.size()), (int) Math.min(end, all.size()));
        var body = new LinkedHashMap<String, Object>();
        body.put("items", page.stream().map(this::view).toList());
        body.put("nextCursor", end < all.size() ? encodeCursor((int) end) : null);
        Http.ok(res, body);
    }

    private void retrieve(ServerRequest req, ServerResponse res) {
        Http.ok(res, view(sandbox(tenant(req), sandboxId(req))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        sandbox(t, sandboxId(req));
        Http.ok(res, view(computers.delete(t, sandboxId(req))));
    }

    /** The sandbox object of the contract. */
    Map<String, Object> view(ComputerRecord r) {
        var v = new LinkedHashMap<String, Object>();
        v.put("id", r.id());
        v.put("browser", r.engine());
        v.put("templateID", r.templateId());
        v.put("state", state(r.status()));
        v.put("createdAt", Times.format(r.createdAt()));
        v.put("expiresAt", Times.format(r.expiresAt()));
        v.put("idleExpiresAt", r.status().isLive() && r.status() != ComputerStatus.PAUSED
                ? r.idleExpiresAt().map(Times::format).orElse(null) : null);
        v.put("viewport", Map.of("width", r.width(), "height", r.height(), "deviceScaleFactor", r.scale()));
        v.put("persistent", r.persistent());
        v.put("environmentId", r.environmentId());
        v.put("identity", r.identity().map(io.porthole.core.IdentityJson::info).orElse(null));
        try {
            v.put("metadata", Http.JSON.readTree(r.metadataJson()));
        } catch (IOException e) {
            v.put("metadata", Map.of());
        }
        if (r.terminatedAt() != null) {
            v.put("closedAt", Times.format(r.terminatedAt()));
            v.put("closeReason", r.terminationReason());
        }
        var live = computers.findLive(r.id());
        if (live.isPresent()) {
            v.put("viewers", live.get().viewers());
            v.put("standby", live.get().standbySince().isPresent());
            v.put("standbySince", live.get().standbySince().map(Times::format).orElse(null));
            v.put("control", takeover.current(live.get()).map(l -> io.porthole.core.Takeover.view(l, true)).orElse(null));
        }
        if (r.status() == ComputerStatus.RUNNING || r.status() == ComputerStatus.PAUSED) {
            var token = tokens.tokenFor(r.id());
            v.put("accessToken", token);
            var ws = baseUrl.get().replaceFirst("^http", "ws") + BASE + "/" + r.id();
            var connect = new LinkedHashMap<String, String>();
            connect.put("cdp", r.engine().equals("chromium") ? ws + "/cdp?token=" + token : null);
            // Chromium speaks no BiDi here (no mapper): advertise only what connects
            connect.put("bidi", r.engine().equals("chromium") ? null : ws + "/bidi?token=" + token);
            connect.put("rpc", baseUrl.get() + BASE + "/" + r.id() + "/rpc");
            v.put("connect", connect);
        }
        return v;
    }

    static String state(ComputerStatus s) {
        return s == ComputerStatus.TERMINATED ? "closed" : s.wireName();
    }

    // ---- actions over NDJSON ----

    /**
     * One response line per request line, in order, each flushed as it completes; a malformed line gets an
     * error line and the stream goes on. A line may be at most the configured body size.
     */
    private void rpc(ServerRequest req, ServerResponse res) throws IOException {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/x-ndjson");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        // an open stream keeps the sandbox out of standby (and wakes it); a paused one stays paused, its lines refused
        var held = computers.findLive(id).map(c -> computers.hold(c, "rpc"));
        computers.event(id, ReplayEvent.CONNECTION, "attached", Map.of("protocol", "rpc"));
        try (var in = new BufferedReader(new InputStreamReader(Http.entity(req), StandardCharsets.UTF_8));
             OutputStream out = res.outputStream()) {
            String line;
            int n = 0;
            while ((line = readLineOrError(in, out)) != null) {
                n++;
                if (line.isBlank()) continue;
                var answer = rpcLine(t, id, line, n);
                out.write(Http.json(answer));
                out.write('\n');
                out.flush();
            }
        } finally {
            held.ifPresent(Computers.Use::close);
            computers.event(id, ReplayEvent.CONNECTION, "detached", Map.of("protocol", "rpc"));
        }
    }

    /** {@link #readLine}; a body that cannot be read (broken chunked framing) ends the stream with an error line. */
    private String readLineOrError(BufferedReader in, OutputStream out) throws IOException {
        try {
            return readLine(in);
        } catch (IOException e) {
            var error = new LinkedHashMap<String, Object>();
            error.put("id", null);
            error.put("error", Map.of("code", ErrorCode.INVALID_REQUEST.wireName(), "message",
                    "the request body could not be read: " + e.getMessage()));
            out.write(Http.json(error));
            out.write('\n');
            return null;
        }
    }

    /** A line, or null at the end; a line longer than the body limit is cut and reported as malformed. */
    private String readLine(BufferedReader in) throws IOException {
        var sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return sb.toString();
            if (sb.length() <= maxBody) sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private Map<String, Object> rpcLine(String tenantId, String id, String line, int lineNumber) {
        var answer = new LinkedHashMap<String, Object>();
        JsonNode request;
        try {
            if (line.length() > maxBody) throw new PortholeException(ErrorCode.PAYLOAD_TOO_LARGE, "line " + lineNumber
                    + " is longer than " + maxBody + " bytes");
            request = Http.object(line, "line " + lineNumber);
        } catch (PortholeException e) {
            answer.put("id", null);
            answer.put("error", Map.of("code", e.code().wireName(), "message", e.getMessage()));
            return answer;
        }
        answer.put("id", request.get("id"));
        try {
            var method = request.path("method").asText("");
            var params = request.path("params");
            if (!params.isMissingNode() && !params.isNull() && !params.isObject()) {
                throw new PortholeException.InvalidRequest("'params' must be an object");
            }
            answer.put("result", call(tenantId, id, method, params.isObject() ? (ObjectNode) params : Http.JSON.createObjectNode()));
        } catch (PortholeException e) {
            var code = e.code() == ErrorCode.COMPUTER_PAUSED ? ErrorCode.WRONG_STATE : e.code();
            answer.put("error", Map.of("code", code.wireName(), "message", e.getMessage()));
        } catch (RuntimeException e) {
            answer.put("error", Map.of("code", ErrorCode.INTERNAL.wireName(), "message", String.valueOf(e.getMessage())));
        }
        return answer;
    }

    private Object call(String tenantId, String id, String method, ObjectNode params) {
        switch (method) {
            case "contexts.list" -> {
                return dispatcher.withBrowser(tenantId, id, c -> c.browser().contexts().stream()
                        .map(x -> context(new BrowserContextInfo(x.id(), Optional.ofNullable(c.contextProxies().get(x.id())))))
                        .toList());
            }
            case "contexts.create" -> {
                var proxy = params.path("proxy").asText("");
                var environment = Optional.ofNullable(params.path("environmentId").asText(null)).filter(e -> !e.isBlank());
                return context(createContext(tenantId, id, proxy, environment));
            }
            case "contexts.delete" -> {
                var ctx = requiredText(params, "contextId");
                dispatcher.withBrowser(tenantId, id, true, c -> {
                    closeContext(c, ctx);
                    return null;
                });
                return Map.of("deleted", ctx);
            }
            case "tabs.list" -> {
                return dispatcher.withBrowser(tenantId, id, c -> c.browser().tabs().stream().map(SandboxRoutes::tab).toList());
            }
            case "tabs.create" -> {
                var ctx = params.path("contextId").asText(TabInfo.DEFAULT_CONTEXT);
                var url = Optional.ofNullable(params.path("url").asText(null));
                return tab(dispatcher.withBrowser(tenantId, id, true, c -> c.browser().newTabIn(ctx, url)));
            }
            default -> {
                if (method.isBlank()) throw new PortholeException.InvalidRequest("'method' is missing");
                var action = params.deepCopy();
                action.put("type", method.startsWith("tabs.") ? method.replace('.', '_') : method);
                var request = dispatcher.parser().parse(action);
                var result = dispatcher.execute(tenantId, id, request, io.porthole.core.Origin.RPC);
                if (!result.succeeded()) {
                    throw new PortholeException(errorCode(result.errorCode()), result.errorMessage());
                }
                var out = new LinkedHashMap<String, Object>();
                if (result.result() != null) out.putAll(result.result());
                if (result.executedTabId() != null) out.put("tabId", result.executedTabId());
                if (result.pageContext() != null) out.put("pageContext", result.pageContext());
                return out;
            }
        }
    }

    private static ErrorCode errorCode(String wire) {
        for (var c : ErrorCode.values()) if (c.wireName().equals(wire)) return c;
        return ErrorCode.ACTION_FAILED;
    }

    private static String requiredText(JsonNode n, String field) {
        var v = n.path(field).asText("");
        if (v.isBlank()) throw new PortholeException.InvalidRequest("'" + field + "' is required");
        return v;
    }

    // ---- contexts ----

    /** A tab as this surface shows it (camelCase). */
    private static Map<String, Object> tab(TabInfo t) {
        var m = new LinkedHashMap<String, Object>();
        m.put("tabId", t.tabId());
        m.put("url", t.url());
        m.put("title", t.title());
        m.put("isMainTab", t.isMainTab());
        m.put("contextId", t.contextId());
        return m;
    }

    private static Map<String, Object> context(BrowserContextInfo c) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", c.id());
        m.put("default", c.id().equals(TabInfo.DEFAULT_CONTEXT));
        m.put("proxy", c.proxy().orElse(null));
        return m;
    }

    /** A context; its own proxy, if any, is a new way out of the sandbox chained to it, with its credentials. */
    private BrowserContextInfo createContext(String tenantId, String id, String proxy) {
        return createContext(tenantId, id, proxy, Optional.empty());
    }

    /**
     * A context; its own proxy, if any, is a new way out of the sandbox chained to it, with its credentials;
     * {@code environmentId} loads the cookies a saved environment holds into it.
     */
    private BrowserContextInfo createContext(String tenantId, String id, String proxy, Optional<String> environmentId) {
        var upstream = proxy.isBlank() ? Optional.<java.net.URI>empty() : Optional.of(ComputerSpec.proxyUrl(proxy));
        var saved = environmentId.map(e -> environments.find(tenantId, e));
        return dispatcher.withBrowser(tenantId, id, true, c -> {
            var inside = upstream.map(u -> c.sandbox().openEgress(Optional.of(u)));
            var made = c.browser().createContext(inside);
            saved.ifPresent(e -> environments.cookies(e)
                    .flatMap(json -> io.porthole.core.Cookies.convert(json, e.engine(), c.record().engine()))
                    .ifPresent(json -> c.browser().importCookies(made.id(), json)));
            upstream.ifPresent(u -> c.contextProxies().put(made.id(), withoutCredentials(u)));
            inside.ifPresent(url -> c.contextEgress().put(made.id(), url));
            return new BrowserContextInfo(made.id(), upstream.map(SandboxRoutes::withoutCredentials));
        });
    }

    /** Closes a context, and the way out of the sandbox its own proxy had. */
    private static void closeContext(io.porthole.core.Computer c, String ctx) {
        c.browser().closeContext(ctx);
        c.contextProxies().remove(ctx);
        var egress = c.contextEgress().remove(ctx);
        if (egress != null) c.sandbox().closeEgress(egress);
    }

    private static String withoutCredentials(java.net.URI u) {
        return u.getScheme() + "://" + u.getHost() + ":" + u.getPort();
    }

    private void listContexts(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        Http.ok(res, Map.of("items", running(() -> dispatcher.withBrowser(t, id,
                c -> c.browser().contexts().stream()
                        .map(x -> context(new BrowserContextInfo(x.id(), Optional.ofNullable(c.contextProxies().get(x.id())))))
                        .toList()))));
    }

    private void createContext(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        var body = Http.body(req, maxBody);
        var proxy = body.path("proxy").asText("");
        var environment = Optional.ofNullable(body.path("environmentId").asText(null)).filter(e -> !e.isBlank());
        Http.send(res, 201, context(running(() -> createContext(t, id, proxy, environment))));
    }

    private void deleteContext(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        var ctx = req.path().pathParameters().get("context");
        running(() -> dispatcher.withBrowser(t, id, true, c -> {
            closeContext(c, ctx);
            return null;
        }));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void contextTabs(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        var ctx = req.path().pathParameters().get("context");
        Http.ok(res, Map.of("items", running(() -> dispatcher.withBrowser(t, id, c -> {
            if (c.browser().contexts().stream().noneMatch(x -> x.id().equals(ctx))) {
                throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no context '" + ctx + "'");
            }
            return c.browser().tabs().stream().filter(tab -> ctx.equals(tab.contextId())).map(SandboxRoutes::tab).toList();
        }))));
    }

    private void newContextTab(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        var ctx = req.path().pathParameters().get("context");
        var body = Http.body(req, maxBody);
        var url = Optional.ofNullable(body.path("url").asText(null)).filter(u -> !u.isBlank())
                .map(io.porthole.core.action.Urls::navigable);
        Http.send(res, 201, tab(running(() -> dispatcher.withBrowser(t, id, true, c -> c.browser().newTabIn(ctx, url)))));
    }

    /** Runs {@code work}; a suspended sandbox is a 409 on this surface. */
    private static <T> T running(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (PortholeException e) {
            if (e.code() == ErrorCode.COMPUTER_PAUSED) throw new PortholeException(ErrorCode.WRONG_STATE, e.getMessage());
            throw e;
        }
    }

    // ---- artifacts ----

    private Map<String, Object> artifactView(ArtifactRecord a) {
        return artifactView(a, BASE);
    }

    private Map<String, Object> artifactView(ArtifactRecord a, String surface) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", a.id());
        m.put("type", a.type());
        m.put("contentType", a.contentType());
        m.put("name", a.name());
        m.put("size", a.size());
        m.put("sha256", a.sha256());
        m.put("createdAt", Times.format(a.createdAt()));
        m.put("downloadURL", baseUrl.get() + surface + "/" + a.computerId() + "/artifacts/" + a.id());
        return m;
    }

    private void upload(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        var upload = ArtifactUpload.read(req, artifacts.maxBytes());
        var record = artifacts.put(t, id, upload.type(), upload.contentType(), upload.name(), upload.data());
        Http.send(res, 201, artifactView(record));
    }

    /** The server-side capture helpers: a screenshot or PDF of a tab, stored as an artifact. */
    private void capture(ServerRequest req, ServerResponse res, String type) {
        var t = tenant(req);
        var id = sandboxId(req);
        sandbox(t, id);
        var body = Http.body(req, maxBody);
        var tab = Optional.ofNullable(body.path("tabId").asText(null)).filter(s -> !s.isBlank());
        var bytes = running(() -> dispatcher.withBrowser(t, id, c -> {
            var driver = c.browser();
            var resolved = driver.resolveTab(tab);
            return type.equals("pdf") ? driver.pdf(resolved) : driver.screenshotPng(resolved);
        }));
        var record = artifacts.put(t, id, type, type.equals("pdf") ? "application/pdf" : "image/png",
                body.path("name").asText(type.equals("pdf") ? "page.pdf" : "screenshot.png"), bytes);
        Http.send(res, 201, artifactView(record));
    }

    private void listArtifacts(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        var surface = anyKind(req, t, id);
        Http.ok(res, Map.of("items", artifacts.list(t, id).stream().map(a -> artifactView(a, surface)).toList()));
    }

    /**
     * Checks the path's computer is the caller's: natively a browser sandbox, on the Computers API any kind; returns
     * the surface's base path.
     */
    private String anyKind(ServerRequest req, String tenantId, String id) {
        if (req.path().path().startsWith(BASE)) {
            sandbox(tenantId, id);
            return BASE;
        }
        computers.get(tenantId, id);
        return "/computers";
    }

    /** The bytes, always as an attachment that browsers will not render or sniff. */
    private void download(ServerRequest req, ServerResponse res) throws IOException {
        var t = tenant(req);
        var id = sandboxId(req);
        anyKind(req, t, id);
        var a = artifacts.find(t, id, req.path().pathParameters().get("artifact"));
        var fileName = a.name() != null ? a.name() : a.id();
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName.replaceAll("[^\\w.\\-]", "_")
                + "\"");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'none'; sandbox");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        // refused at upload since; a record stored before then must not make its download fail
        res.header(HeaderNames.create("X-Artifact-Content-Type"), a.contentType().replaceAll("[^ -~]", "_"));
        res.contentLength(a.size());
        try (var in = artifacts.open(a); var out = res.outputStream()) {
            in.transferTo(out);
        }
    }

    // ---- replay events ----

    private void events(ServerRequest req, ServerResponse res) {
        var t = tenant(req);
        var id = sandboxId(req);
        anyKind(req, t, id);
        int limit = intParam(req, "limit", 100, 1, 1000);
        var before = req.query().first("cursor").map(c -> {
            try {
                return Long.parseLong(c);
            } catch (NumberFormatException e) {
                throw new PortholeException.InvalidRequest("'cursor' must be a value from an earlier page's nextCursor");
            }
        });
        var events = computers.events(t, id, before, limit + 1);
        var page = events.subList(0, Math.min(limit, events.size()));
        var items = new ArrayList<Map<String, Object>>();
        for (var e : page) {
            var m = new LinkedHashMap<String, Object>();
            m.put("id", Long.toString(e.seq()));
            m.put("category", e.category());
            m.put("type", e.type());
            m.put("at", Times.format(e.at()));
            try {
                m.put("data", Http.JSON.readTree(e.dataJson()));
            } catch (IOException ex) {
                m.put("data", Map.of());
            }
            items.add(m);
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("items", items);
        body.put("nextCursor", events.size() > limit ? Long.toString(page.getLast().seq()) : null);
        Http.ok(res, body);
    }

    private static Map<String, Object> environment(io.porthole.core.store.EnvironmentRecord e) {
        var m = new LinkedHashMap<String, Object>();
        m.put("id", e.id());
        m.put("engine", e.engine());
        m.put("size", e.size());
        m.put("createdAt", Times.format(e.createdAt()));
        m.put("updatedAt", Times.format(e.updatedAt()));
        return m;
    }

    // ---- helpers ----

    private static int intParam(ServerRequest req, String name, int def, int min, int max) {
        var v = req.query().first(name);
        if (v.isEmpty()) return def;
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new PortholeException.InvalidRequest("'" + name + "' must be a whole number from " + min + " to " + max);
        }
    }

    private static String encodeCursor(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decodeCursor(String cursor) {
        try {
            var s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!s.startsWith("o:")) throw new IllegalArgumentException();
            int n = Integer.parseInt(s.substring(2));
            if (n < 0) throw new IllegalArgumentException();
            return n;
        } catch (IllegalArgumentException e) {
            throw new PortholeException.InvalidRequest("'cursor' must be a value from an earlier page's nextCursor");
        }
    }

}
