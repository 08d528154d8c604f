package io.porthole.core;

import java.time.Instant;
import java.util.Optional;

/**
 * A computer as the store keeps it. Immutable; the {@code with…} methods return changed copies.
 * {@code terminatedAt}, {@code terminationReason}, {@code environmentId} and {@code templateId} may be null;
 * {@code metadataJson} is the client's free string map as a JSON object ({@code {}} when none). {@code nodeId}
 * names the node that runs it (null in records from before nodes were kept).
 */
public record ComputerRecord(
        String id,
        String tenantId,
        String kind,
        String engine,
        ComputerStatus status,
        Instant createdAt,
        Instant lastActivityAt,
        long maxLifetimeSeconds,
        long inactivityTimeoutSeconds,
        boolean idleTimeoutEnabled,
        boolean persistent,
        int width,
        int height,
        double scale,
        String environmentId,
        Instant terminatedAt,
        String terminationReason,
        String templateId,
        String metadataJson,
        String nodeId) {

    public ComputerRecord {
        if (metadataJson == null || metadataJson.isBlank()) metadataJson = "{}";
    }

    /** A record of no node yet ({@link #onNode} names the one that runs it). */
    public ComputerRecord(String id, String tenantId, String kind, String engine, ComputerStatus status,
                          Instant createdAt, Instant lastActivityAt, long maxLifetimeSeconds,
                          long inactivityTimeoutSeconds, boolean idleTimeoutEnabled, boolean persistent, int width,
                          int height, double scale, String environmentId, Instant terminatedAt,
                          String terminationReason, String templateId, String metadataJson) {
        this(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, null);
    }

    /** A record without a launch template or metadata. */
    public ComputerRecord(String id, String tenantId, String kind, String engine, ComputerStatus status,
                          Instant createdAt, Instant lastActivityAt, long maxLifetimeSeconds,
                          long inactivityTimeoutSeconds, boolean idleTimeoutEnabled, boolean persistent, int width,
                          int height, double scale, String environmentId, Instant terminatedAt,
                          String terminationReason) {
        this(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, null, "{}", null);
    }

    public Instant expiresAt() {
        return createdAt.plusSeconds(maxLifetimeSeconds);
    }

    /** When the idle timeout fires, if it is enabled. */
    public Optional<Instant> idleExpiresAt() {
        return idleTimeoutEnabled ? Optional.of(lastActivityAt.plusSeconds(inactivityTimeoutSeconds)) : Optional.empty();
    }

    public ComputerRecord withStatus(ComputerStatus s) {
        return new ComputerRecord(id, tenantId, kind, engine, s, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId);
    }

    public ComputerRecord withActivity(Instant at) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, at, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId);
    }

    public ComputerRecord withViewport(int w, int h, double s) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, w, h, s, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId);
    }

    public ComputerRecord ended(ComputerStatus s, Instant at, String reason) {
        return new ComputerRecord(id, tenantId, kind, engine, s, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                at, reason, templateId, metadataJson, nodeId);
    }

    /** The same record, owned by the node {@code node}: the one that runs it (null: from before nodes were kept). */
    public ComputerRecord onNode(String node) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, node);
    }
}
