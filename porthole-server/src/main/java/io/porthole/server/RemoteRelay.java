package io.porthole.server;

import io.helidon.http.Headers;
import io.porthole.server.ws.WsHandler;
import io.porthole.server.ws.WsSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A CDP or BiDi client of a computer another node runs: its connection here is relayed, message by message, to the
 * same endpoint on the owner (ADR 0026), which checks the client's credential as if it had come directly. A refusal
 * there closes the connection here with its reason.
 */
final class RemoteRelay implements WsHandler {
    private static final System.Logger LOG = System.getLogger(RemoteRelay.class.getName());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(RemoteNode.CONNECT_TIMEOUT).build();

    private final URI target;
    private final java.util.Map<String, String> headers;
    private volatile WebSocket upstream;
    private volatile WsSession session;

    /**
     * @param target the owner's endpoint, as ws://…/path?query
     * @param credentials the client's credential headers, passed on as they came
     * @param signed the headers that mark the connection as forwarded by this node
     */
    RemoteRelay(URI target, Headers credentials, java.util.Map<io.helidon.http.HeaderName, String> signed) {
        this.target = target;
        var h = new java.util.LinkedHashMap<String, String>();
        for (var name : new String[] {"Authorization", "X-API-Key"}) {
            credentials.first(io.helidon.http.HeaderNames.create(name)).ifPresent(v -> h.put(name, v));
        }
        signed.forEach((n, v) -> h.put(n.defaultCase(), v));
        this.headers = java.util.Map.copyOf(h);
    }

    @Override
    public void onOpen(WsSession s) {
        this.session = s;
        var builder = HTTP.newWebSocketBuilder().connectTimeout(RemoteNode.CONNECT_TIMEOUT);
        headers.forEach(builder::header);
        try {
            upstream = builder.buildAsync(target, new Listener()).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            var cause = e.getCause();
            String why;
            if (cause instanceof WebSocketHandshakeException h) {
                var body = h.getResponse().body();
                why = "the node that runs this computer refused the connection (" + h.getResponse().statusCode() + ")"
                        + (body instanceof String text && !text.isBlank() ? ": " + message(text) : "");
            } else {
                why = "the node that runs this computer does not answer";
            }
            LOG.log(System.Logger.Level.INFO, "a relayed connection to {0} failed: {1}", target.getPath(), String.valueOf(cause));
            s.close(1011, why);
        } catch (TimeoutException e) {
            s.close(1011, "the node that runs this computer did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close(1011, "interrupted");
        }
    }

    /** The message of a JSON error body, or the body, short. */
    private static String message(String body) {
        try {
            var node = Http.JSON.readTree(body);
            if (node.hasNonNull("message")) return node.get("message").asText();
        } catch (java.io.IOException ignored) {
            // not JSON
        }
        return body.length() > 100 ? body.substring(0, 100) : body;
    }

    @Override
    public void onMessage(String text) {
        var ws = upstream;
        if (ws == null) return;
        try {
            // one at a time, in order: the next message waits for this one to be handed on
            ws.sendText(text, true).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            session.close(1011, "the connection to the node that runs this computer broke");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onClose() {
        var ws = upstream;
        if (ws != null && !ws.isOutputClosed()) ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
        if (ws != null) ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                var whole = partial.toString();
                partial.setLength(0);
                session.send(whole);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            boolean sendable = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code < 5000);
            session.close(sendable ? code : 1011, reason == null ? "" : reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            session.close(1011, "the connection to the node that runs this computer broke");
        }
    }
}
