package io.porthole.core.store;

import io.porthole.core.blob.BlobStore;
import java.time.Instant;
import java.util.Objects;

/**
 * Saved browser state that a later computer restores: the encrypted state is the blob {@code sha256} of
 * {@code size} bytes in the {@link BlobStore}. Times are kept to the millisecond.
 */
public record EnvironmentRecord(String id, String tenantId, String engine, String sha256, long size,
                                Instant createdAt, Instant updatedAt) {
    public EnvironmentRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        BlobStore.requireSha256(sha256);
    }
}
