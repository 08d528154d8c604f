package io.porthole.core;

import io.porthole.core.browser.Identity;
import java.time.Instant;
import java.util.Optional;

/**
 * A computer as the store keeps it. Immutable; the {@code with…} methods return changed copies.
 * {@code terminatedAt}, {@code terminationReason}, {@code environmentId} and {@code templateId} may be null;
 * {@code metadataJson} is the client's free string map as a JSON object ({@code {}} when none). {@code nodeId}
 * names the node that runs it (null in records from before nodes were kept). {@code identityJson} is the identity
 * its browser was launched with, as {@link IdentityJson} writes it (null for a desktop and older records).
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
        String nodeId,
        String identityJson) {

    /** A record without an identity (a desktop's, or one from before identities were kept). */
    public ComputerRecord(String id, String tenantId, String kind, String engine, ComputerStatus status,
                          Instant createdAt, Instant lastActivityAt, long maxLifetimeSeconds,
                          long inactivityTimeoutSeconds, boolean idleTimeoutEnabled, boolean persistent, int width,
                          int height, double scale, String environmentId, Instant terminatedAt,
                          String terminationReason, String templateId, String metadataJson, String nodeId) {
        this(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId, null);
    }

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
                terminatedAt, terminationReason, templateId, metadataJson, null, null);
    }

    /** A record without a launch template or metadata. */
    public ComputerRecord(String id, String tenantId, String kind, String engine, ComputerStatus status,
                          Instant createdAt, Instant lastActivityAt, long maxLifetimeSeconds,
                          long inactivityTimeoutSeconds, boolean idleTimeoutEnabled, boolean persistent, int width,
                          int height, double scale, String environmentId, Instant terminatedAt,
                          String terminationReason) {
        this(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, null, "{}", null, null);
    }

    /** The identity its browser was launched with (ADR 0037); empty for a desktop and records from before. */
    public Optional<Identity> identity() {
        return IdentityJson.read(identityJson);
    }

    /** What its request asked of its identity ({@link IdentityRequest#NONE} when nothing, or nothing is kept). */
    public IdentityRequest identityRequested() {
        return IdentityJson.requested(identityJson, width, height);
    }

    /** The same record with {@code identity} (null: none), resolved from {@code requested}. */
    public ComputerRecord withIdentity(Identity identity, IdentityRequest requested) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId,
                identity == null ? null : IdentityJson.write(identity, requested));
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
                terminatedAt, terminationReason, templateId, metadataJson, nodeId, identityJson);
    }

    public ComputerRecord withActivity(Instant at) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, at, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId, identityJson);
    }

    public ComputerRecord withViewport(int w, int h, double s) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, w, h, s, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, nodeId, identityJson);
    }

    public ComputerRecord ended(ComputerStatus s, Instant at, String reason) {
        return new ComputerRecord(id, tenantId, kind, engine, s, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                at, reason, templateId, metadataJson, nodeId, identityJson);
    }

    /** The same record, owned by the node {@code node}: the one that runs it (null: from before nodes were kept). */
    public ComputerRecord onNode(String node) {
        return new ComputerRecord(id, tenantId, kind, engine, status, createdAt, lastActivityAt, maxLifetimeSeconds,
                inactivityTimeoutSeconds, idleTimeoutEnabled, persistent, width, height, scale, environmentId,
                terminatedAt, terminationReason, templateId, metadataJson, node, identityJson);
    }
}
