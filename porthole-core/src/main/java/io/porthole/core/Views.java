package io.porthole.core;

import io.porthole.api.ComputerResponse;
import io.porthole.api.ComputerStatusResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Maps stored computers to their wire shapes. */
public final class Views {
    private Views() {}

    public static ComputerResponse computer(ComputerRecord r) {
        return computer(r, null, null, null);
    }

    /**
     * @param viewers how many watch it, for a live computer (null otherwise)
     * @param control who holds control of it (see {@link Takeover#view}), null when nobody does
     * @param standbySince for a live computer, since when it is in standby ({@link Computer#standbySince}); null
     *     otherwise
     */
    public static ComputerResponse computer(ComputerRecord r, Integer viewers, Map<String, Object> control,
                                            Optional<Instant> standbySince) {
        var endpoints = new LinkedHashMap<String, String>();
        var base = "/computers/" + r.id();
        endpoints.put("cdp", base + "/cdp");
        endpoints.put("ws", base + "/ws");
        endpoints.put("events", base + "/events");
        endpoints.put("screencast", base + "/screencast");
        return new ComputerResponse(r.id(), r.kind(), r.status().wireName(), Times.format(r.createdAt()),
                Times.format(r.lastActivityAt()), Times.format(r.expiresAt()),
                r.status().isLive() ? r.idleExpiresAt().map(Times::format).orElse(null) : null,
                r.maxLifetimeSeconds(), r.inactivityTimeoutSeconds(), r.idleTimeoutEnabled(), r.idleTimeoutEnabled(),
                r.persistent(), new ComputerResponse.DisplayInfo(r.width(), r.height(), r.scale()),
                Times.format(r.terminatedAt()), r.terminationReason(), endpoints, r.engine(), viewers, control,
                standbySince == null ? null : standbySince.isPresent(),
                standbySince == null ? null : standbySince.map(Times::format).orElse(null),
                r.identity().map(IdentityJson::info).orElse(null));
    }

    public static ComputerStatusResponse status(ComputerRecord r) {
        return status(r, java.util.Optional.empty());
    }

    public static ComputerStatusResponse status(ComputerRecord r, java.util.Optional<io.porthole.core.sandbox.Egress.Stats> egress) {
        return new ComputerStatusResponse(r.id(), r.status().wireName(), Times.format(r.createdAt()),
                Times.format(r.lastActivityAt()), Times.format(r.expiresAt()),
                r.status().isLive() ? r.idleExpiresAt().map(Times::format).orElse(null) : null,
                r.maxLifetimeSeconds(), r.inactivityTimeoutSeconds(), r.idleTimeoutEnabled(), r.idleTimeoutEnabled(),
                r.terminationReason(), egress.map(e -> new ComputerStatusResponse.EgressInfo(e.bytesSent(),
                        e.bytesReceived(), e.connections(), e.refused())).orElse(null));
    }
}
