package io.porthole.server.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.porthole.core.internal.WebSocketClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The RFC 6455 opening handshake on Helidon's HTTP/1.1 connection: a request the endpoints accept gets a
 * {@code 101} and becomes a {@link WsConnection}; anything else goes on to the HTTP routes.
 */
final class WsUpgrader implements Http1Upgrader {
    private static final io.helidon.http.HeaderName KEY = HeaderNames.create("Sec-WebSocket-Key");
    private static final io.helidon.http.HeaderName VERSION = HeaderNames.create("Sec-WebSocket-Version");

    private final List<WsEndpoint> endpoints;

    WsUpgrader(List<WsEndpoint> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String supportedProtocol() {
        return "websocket";
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        if (prologue.method() != Method.GET) return null;
        var key = headers.first(KEY).orElse("");
        if (key.isBlank() || !headers.first(VERSION).orElse("").equals("13")) return null;
        if (!headers.first(HeaderNames.UPGRADE).orElse("").toLowerCase(Locale.ROOT).contains("websocket")) return null;
        for (var endpoint : endpoints) {
            var handler = endpoint.accept(prologue, headers);
            if (handler.isPresent()) {
                var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + WebSocketClient.expectedAccept(key.trim()) + "\r\n\r\n";
                ctx.dataWriter().writeNow(BufferData.create(response.getBytes(StandardCharsets.US_ASCII)));
                return new WsConnection(ctx, handler.get());
            }
        }
        return null;
    }
}
