package io.porthole.core;

import java.time.Instant;
import java.util.Optional;

/**
 * A computer as the store keeps it. Immutable; the {@code with…} methods return changed copies.
 * {@code terminatedAt}, {@code terminationReason} and {@code environmentId} may be null.
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
        String terminationReason) {

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
                terminatedAt, terminationReason);
    }

    public ComputerRecord withActivity(Instant at) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, at, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason);
    }

    public ComputerRecord withViewport(int w, int h, double s) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, w, h, s, environmentId,
                terminatedAt, terminationReason);
    }

    public ComputerRecord ended(ComputerStatus s, Instant at, String reason) {
        return new ComputerRecord(id, tenantId, kind, engine, s, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                at, reason);
    }
}
