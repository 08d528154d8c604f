package io.porthole.core.store;

import java.time.Instant;

/**
 * An API key as stored: never the key itself, only its SHA-256 ({@code keyHash}) and a short
 * {@code prefix} for people to recognise it. {@code revokedAt} is null while the key is valid.
 */
public record ApiKeyRecord(String id, String tenantId, String name, String prefix, String keyHash, boolean admin,
                           Instant createdAt, Instant revokedAt) {
    public boolean revoked() {
        return revokedAt != null;
    }
}
