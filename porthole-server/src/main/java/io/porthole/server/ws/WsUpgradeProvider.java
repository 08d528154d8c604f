package io.porthole.server.ws;

import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;

/** Service-loaded by Helidon's HTTP/1.1 listener; makes the upgrader for a {@link WsProtocolConfig}. */
public final class WsUpgradeProvider implements Http1UpgradeProvider<WsProtocolConfig> {
    @Override
    public String protocolType() {
        return WsProtocolConfig.TYPE;
    }

    @Override
    public Class<WsProtocolConfig> protocolConfigType() {
        return WsProtocolConfig.class;
    }

    @Override
    public Http1Upgrader create(WsProtocolConfig config, ProtocolConfigs configs) {
        return new WsUpgrader(config.endpoints());
    }
}
