package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /computers/{id}/status} and {@code POST /keepalive}: current TTLs and last activity. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ComputerStatusResponse(
        String id,
        String status,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("last_activity_at") String lastActivityAt,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("idle_expires_at") String idleExpiresAt,
        @JsonProperty("max_lifetime_seconds") long maxLifetimeSeconds,
        @JsonProperty("inactivity_timeout_seconds") long inactivityTimeoutSeconds,
        @JsonProperty("idle_timeout_enabled") boolean idleTimeoutEnabled,
        @JsonProperty("auto_kill") boolean autoKill,
        @JsonProperty("termination_reason") String terminationReason,
        EgressInfo egress) {

    /** What went through the computer's egress proxy (running computers only). */
    public record EgressInfo(@JsonProperty("bytes_sent") long bytesSent,
                             @JsonProperty("bytes_received") long bytesReceived,
                             long connections,
                             long refused) {}
}
