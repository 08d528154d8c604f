package io.porthole.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A viewer link as stored: a way into one computer's live view without an API key. Never the token itself, only
 * its SHA-256 ({@code tokenHash}) and a short {@code prefix} for people to recognise it. {@code mode} is
 * {@code read_only} or {@code control}. {@code revokedAt} is null until it is revoked.
 */
public record ViewerLinkRecord(String id, String computerId, String tenantId, String mode, String prefix,
                               String tokenHash, Instant createdAt, Instant expiresAt, Instant revokedAt) {
    public static final String READ_ONLY = "read_only";
    public static final String CONTROL = "control";

    public ViewerLinkRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(computerId, "computerId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Whether it opens its computer at {@code now}: not revoked and not expired. */
    public boolean activeAt(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }

    public boolean allowsControl() {
        return CONTROL.equals(mode);
    }
}
