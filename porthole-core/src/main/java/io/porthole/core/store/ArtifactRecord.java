package io.porthole.core.store;

import io.porthole.core.blob.BlobStore;
import java.time.Instant;
import java.util.Objects;

/**
 * An artifact as stored: its bytes are the blob {@code sha256} in the {@link BlobStore}; {@code type} is one
 * of screenshot, pdf, trace, video, har. {@code name} may be null. Times are kept to the millisecond.
 */
public record ArtifactRecord(String id, String computerId, String tenantId, String type, String contentType,
                             String name, long size, String sha256, Instant createdAt) {
    public ArtifactRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(computerId, "computerId");
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(createdAt, "createdAt");
        if (size < 0) throw new IllegalArgumentException("size < 0: " + size);
        BlobStore.requireSha256(sha256);
    }
}
