package io.porthole.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A computer as the Computers API shows it (create, retrieve, list). Field names follow the Lightcone
 * SDKs; timestamps are RFC 3339 UTC strings. {@code idleExpiresAt} is absent when the idle timeout is off.
 * Beyond the SDKs (which ignore them): {@code engine}; while it runs, {@code viewers} (how many watch its
 * screencast), {@code control} (who has taken control from the console, null when nobody has), {@code standby}
 * (whether its processes are frozen until the next request reaches into it; its status stays {@code running}) and
 * {@code standby_since}; for a browser computer, {@code identity}: who it appears to be (absent for a desktop).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ComputerResponse(
        String id,
        String kind,
        String status,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("last_activity_at") String lastActivityAt,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("idle_expires_at") String idleExpiresAt,
        @JsonProperty("max_lifetime_seconds") long maxLifetimeSeconds,
        @JsonProperty("inactivity_timeout_seconds") long inactivityTimeoutSeconds,
        @JsonProperty("idle_timeout_enabled") boolean idleTimeoutEnabled,
        @JsonProperty("auto_kill") boolean autoKill,
        boolean persistent,
        DisplayInfo display,
        @JsonProperty("terminated_at") String terminatedAt,
        @JsonProperty("termination_reason") String terminationReason,
        Map<String, String> endpoints,
        String engine,
        Integer viewers,
        @JsonInclude(JsonInclude.Include.ALWAYS) Map<String, Object> control,
        Boolean standby,
        @JsonProperty("standby_since") String standbySince,
        IdentityInfo identity) {

    /** Screen size and device scale of the computer. */
    public record DisplayInfo(int width, int height, double scale) {}
}
