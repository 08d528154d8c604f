package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.Computer;
import io.porthole.core.ComputerStatus;
import io.porthole.core.Computers;
import io.porthole.core.PortholeException;
import io.porthole.core.browser.ProtocolClient;
import io.porthole.core.store.ReplayEvent;
import io.porthole.server.ws.WsEndpoint;
import io.porthole.server.ws.WsHandler;
import io.porthole.server.ws.WsSession;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The protocol passthrough: a client's own CDP or WebDriver BiDi connection to a computer's browser, relayed
 * over a WebSocket ({@code /browser-sandboxes/{id}/cdp}, {@code …/bidi}, and on the Computers API
 * {@code /computers/{id}/cdp} and {@code /computers/{id}/ws}). Any number of clients coexist with each other
 * and with the server's own driver. Access by API key or by the computer's access token ({@code ?token=} or
 * {@code Authorization: Bearer}).
 */
final class ProtocolRoutes implements WsEndpoint {
    private static final System.Logger LOG = System.getLogger(ProtocolRoutes.class.getName());
    private static final Pattern PATH = Pattern.compile("^/(browser-sandboxes|computers)/([A-Za-z0-9_-]{1,64})/(cdp|bidi|ws)/?$");

    private final Computers computers;
    private final Auth auth;
    private final AccessTokens tokens;
    private final java.util.function.Supplier<String> baseUrl;
    private final java.util.function.Supplier<Cluster> cluster;

    ProtocolRoutes(Computers computers, Auth auth, AccessTokens tokens, java.util.function.Supplier<String> baseUrl,
                   java.util.function.Supplier<Cluster> cluster) {
        this.cluster = cluster;
        this.computers = computers;
        this.auth = auth;
        this.tokens = tokens;
        this.baseUrl = baseUrl;
    }

    /** Where a connection goes: the computer and the protocol it speaks. */
    private record Target(Computer computer, ProtocolClient.Protocol protocol) {}

    void register(HttpRouting.Builder r) {
        for (var surface : new String[] {"/browser-sandboxes", "/computers"}) {
            for (var endpoint : new String[] {"cdp", "bidi", "ws"}) {
                if (surface.equals("/browser-sandboxes") && endpoint.equals("ws")) continue;
                if (surface.equals("/computers") && endpoint.equals("bidi")) continue;
                r.route(Http.get(surface + "/{id}/" + endpoint, this::notUpgraded));
            }
            r.route(Http.get(surface + "/{id}/cdp/json/version", this::version));
            r.route(Http.get(surface + "/{id}/cdp/json/version/", this::version));
        }
    }

    @Override
    public Optional<WsHandler> accept(HttpPrologue prologue, Headers headers) {
        var m = PATH.matcher(prologue.uriPath().path());
        if (!m.matches()) return Optional.empty();
        var c = cluster.get();
        if (c != null && !headers.contains(Cluster.FORWARDED_BY)) {
            // another node's computer: relayed there, where the credential is checked
            var owner = c.nodeFor(m.group(2));
            if (owner instanceof RemoteNode remote) {
                var path = prologue.uriPath().rawPath();
                var query = prologue.query().rawValue();
                var target = java.net.URI.create(remote.url().replaceFirst("^http", "ws") + path
                        + (query == null || query.isEmpty() ? "" : "?" + query));
                return Optional.of(new RemoteRelay(target, headers, c.sign("GET", path)));
            }
        }
        if (c != null && headers.contains(Cluster.FORWARDED_BY)) {
            try {
                c.forwardedBy(headers, "GET", prologue.uriPath().rawPath());
            } catch (PortholeException e) {
                return Optional.empty();
            }
        }
        try {
            var token = prologue.query().first("token").asOptional();
            var target = authorize(m.group(1), m.group(2), m.group(3), headers, token);
            return Optional.of(new Relay(target));
        } catch (PortholeException e) {
            // the HTTP route for the path repeats the checks and answers with the JSON error
            return Optional.empty();
        }
    }

    /** Checks access and state; throws the error the client should see. */
    private Target authorize(String surface, String id, String endpoint, Headers headers, Optional<String> queryToken) {
        var credential = queryToken.filter(t -> !t.isBlank()).or(() -> Auth.credential(headers));
        if (credential.isEmpty()) {
            throw new PortholeException.Unauthorized(ErrorCode.UNAUTHORIZED, "send an API key ('Authorization: Bearer"
                    + " <key>' or 'X-API-Key') or the computer's access token ('?token=<accessToken>')");
        }
        Computer computer;
        if (tokens.matches(id, credential.get())) {
            computer = computers.findLive(id).orElseThrow(() -> new PortholeException.NotFound(
                    ErrorCode.COMPUTER_NOT_RUNNING, "computer " + id + " is not running"));
        } else {
            var principal = auth.principal(credential.get()).orElseThrow(() -> new PortholeException.Unauthorized(
                    ErrorCode.UNAUTHORIZED, "neither a valid API key nor this computer's access token"));
            var record = computers.get(principal.tenantId(), id);
            computer = computers.findLive(record.id()).orElseThrow(() -> new PortholeException.NotFound(
                    ErrorCode.COMPUTER_NOT_RUNNING, "computer " + id + " is " + record.status().wireName()));
        }
        if (surface.equals("browser-sandboxes") && computer.isDesktop()) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no browser sandbox with id '" + id + "'");
        }
        if (computer.record().status() == ComputerStatus.PAUSED) {
            throw new PortholeException(ErrorCode.WRONG_STATE, "computer " + id + " is suspended; resume it first");
        }
        if (computer.record().status() != ComputerStatus.RUNNING) {
            throw new PortholeException.NotFound(ErrorCode.COMPUTER_NOT_RUNNING, "computer " + id + " is not running yet");
        }
        var protocol = endpoint.equals("bidi") ? ProtocolClient.Protocol.BIDI : ProtocolClient.Protocol.CDP;
        var engine = computer.record().engine();
        if (protocol == ProtocolClient.Protocol.CDP && !engine.equals("chromium") && !computer.isDesktop()) {
            throw new PortholeException.InvalidRequest(ErrorCode.UNSUPPORTED_ON_ENGINE, "a " + engine
                    + " sandbox speaks WebDriver BiDi, not CDP: connect to /browser-sandboxes/" + id + "/bidi");
        }
        if (protocol == ProtocolClient.Protocol.BIDI && engine.equals("chromium")) {
            throw new PortholeException.InvalidRequest(ErrorCode.UNSUPPORTED_ON_ENGINE, "a chromium sandbox speaks CDP,"
                    + " not WebDriver BiDi: connect to /browser-sandboxes/" + id + "/cdp");
        }
        return new Target(computer, protocol);
    }

    private Target authorize(ServerRequest req, String endpoint) {
        var surface = req.path().path().startsWith("/computers/") ? "computers" : "browser-sandboxes";
        var token = req.query().first("token").asOptional();
        return authorize(surface, req.path().pathParameters().get("id"), endpoint, req.headers(), token);
    }

    private void notUpgraded(ServerRequest req, ServerResponse res) {
        var path = req.path().path();
        var endpoint = path.substring(path.lastIndexOf('/', path.length() - 2) + 1).replace("/", "");
        authorize(req, endpoint);
        throw new PortholeException(ErrorCode.UPGRADE_REQUIRED, "this is a WebSocket endpoint: connect with a"
                + " WebSocket client (Upgrade: websocket, Sec-WebSocket-Version: 13)");
    }

    /** Like Chrome's {@code /json/version}, with a {@code webSocketDebuggerUrl} that points back here. */
    private void version(ServerRequest req, ServerResponse res) throws Exception {
        var target = authorize(req, "cdp");
        var answer = new CompletableFuture<JsonNode>();
        JsonNode v;
        try (var use = computers.hold(target.computer(), "connection")) {
            var client = target.computer().browser().connectClient(ProtocolClient.Protocol.CDP, message -> {
                try {
                    var node = Http.JSON.readTree(message);
                    if (node.path("id").asInt() == 1) answer.complete(node.path("result"));
                } catch (java.io.IOException ignored) {
                    // not ours
                }
            }, () -> answer.completeExceptionally(new IllegalStateException("the browser closed the connection")));
            try {
                client.send("{\"id\":1,\"method\":\"Browser.getVersion\"}");
                v = answer.get(10, TimeUnit.SECONDS);
            } finally {
                client.close();
            }
        }
        var id = target.computer().id();
        var surface = req.path().path().startsWith("/computers/") ? "/computers/" : "/browser-sandboxes/";
        var body = new LinkedHashMap<String, Object>();
        body.put("Browser", v.path("product").asText());
        body.put("Protocol-Version", v.path("protocolVersion").asText("1.3"));
        body.put("User-Agent", v.path("userAgent").asText());
        body.put("V8-Version", v.path("jsVersion").asText());
        body.put("WebKit-Version", v.path("revision").asText());
        body.put("webSocketDebuggerUrl", baseUrl.get().replaceFirst("^http", "ws") + surface + id + "/cdp?token="
                + tokens.tokenFor(id));
        Http.ok(res, body);
    }

    /**
     * One client's connection: messages both ways, activity counted, attach and detach recorded. The computer is
     * woken when the client connects and kept out of standby until it leaves.
     */
    private final class Relay implements WsHandler {
        private final Target target;
        private volatile ProtocolClient client;
        private volatile Computers.Use use;

        Relay(Target target) {
            this.target = target;
        }

        @Override
        public void onOpen(WsSession session) {
            var protocol = target.protocol().name().toLowerCase(java.util.Locale.ROOT);
            var id = target.computer().id();
            try {
                use = computers.hold(target.computer(), "connection");
                client = target.computer().browser().connectClient(target.protocol(), session::send,
                        () -> session.close(1000, "the browser closed the connection"));
                computers.event(id, ReplayEvent.CONNECTION, "attached", Map.of("protocol", protocol));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.INFO, "a {0} client of {1} could not connect: {2}", protocol, id, e.getMessage());
                release();
                session.close(1011, String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void onMessage(String text) {
            var c = client;
            if (c == null) return;
            computers.touch(target.computer());
            c.send(text);
        }

        @Override
        public void onClose() {
            var c = client;
            if (c == null) {
                release();
                return;
            }
            c.close();
            release();
            computers.event(target.computer().id(), ReplayEvent.CONNECTION, "detached",
                    Map.of("protocol", target.protocol().name().toLowerCase(java.util.Locale.ROOT)));
        }

        /** Lets the computer go into standby again (once the client has gone); counts as activity. */
        private void release() {
            var u = use;
            if (u != null) u.close();
        }
    }
}
