package io.porthole.server.ws;

import io.helidon.webserver.spi.ProtocolConfig;
import java.util.List;

/**
 * Registers our WebSocket endpoints with the HTTP/1.1 listener ({@code WebServer.builder().addProtocol}); the
 * listener finds {@link WsUpgradeProvider} by service loading and hands it this configuration.
 */
public record WsProtocolConfig(List<WsEndpoint> endpoints) implements ProtocolConfig {
    static final String TYPE = "porthole-websocket";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public String type() {
        return TYPE;
    }
}
