package io.porthole.core;

import io.porthole.api.ErrorCode;
import io.porthole.core.blob.BlobStore;
import io.porthole.core.internal.Ids;
import io.porthole.core.store.ArtifactRecord;
import io.porthole.core.store.ReplayEvent;
import io.porthole.core.store.Store;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Bytes a client keeps with a computer (screenshots, PDFs, traces, videos, HARs): stored content-addressed
 * in the blob store, described by a record, announced by a replay event, all before the upload is answered.
 * They outlive the computer. Thread-safe.
 */
public final class Artifacts {
    public static final Set<String> TYPES = Set.of("screenshot", "pdf", "trace", "video", "har");

    private final Store store;
    private final BlobStore blobs;
    private final Computers computers;
    private final Clock clock;
    private final long maxBytes;

    public Artifacts(Store store, BlobStore blobs, Computers computers, Clock clock, long maxBytes) {
        this.store = store;
        this.blobs = blobs;
        this.computers = computers;
        this.clock = clock;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Stores {@code bytes} for the tenant's computer (live or ended) and returns the record. */
    public ArtifactRecord put(String tenantId, String computerId, String type, String contentType, String name,
                              byte[] bytes) {
        computers.get(tenantId, computerId);
        var t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!TYPES.contains(t)) {
            throw new PortholeException.InvalidRequest("'type' must be one of " + String.join(", ",
                    TYPES.stream().sorted().toList()) + ", not '" + type + "'");
        }
        // it goes back as a response header: printable ASCII only (a control character there fails every download)
        if (contentType == null || !contentType.matches("[\\w.+-]+/[\\w.+-]+( *;[ -~]*)?") || contentType.length() > 200) {
            throw new PortholeException.InvalidRequest("'contentType' must be a media type such as image/png or"
                    + " text/plain; charset=utf-8, in printable ASCII");
        }
        if (name != null && (name.length() > 255 || name.chars().anyMatch(c -> c < 0x20 || c == '/' || c == '\\' || c == '"'))) {
            throw new PortholeException.InvalidRequest("'name' must be a file name of at most 255 characters, without"
                    + " slashes, quotes or control characters");
        }
        if (bytes.length > maxBytes) {
            throw new PortholeException.InvalidRequest(ErrorCode.PAYLOAD_TOO_LARGE, "an artifact may be at most "
                    + maxBytes + " bytes (PORTHOLE_MAX_ARTIFACT_BYTES)");
        }
        var sha = blobs.put(bytes);
        var record = new ArtifactRecord(Ids.id("art"), computerId, tenantId, t, contentType, name, bytes.length, sha,
                clock.instant());
        store.insertArtifact(record);
        computers.event(computerId, ReplayEvent.ARTIFACT, "stored", Map.of("artifactId", record.id(), "type", t,
                "size", bytes.length));
        return record;
    }

    public List<ArtifactRecord> list(String tenantId, String computerId) {
        computers.get(tenantId, computerId);
        return store.listArtifacts(computerId).stream().filter(a -> a.tenantId().equals(tenantId)).toList();
    }

    public ArtifactRecord find(String tenantId, String computerId, String artifactId) {
        computers.get(tenantId, computerId);
        return store.findArtifact(computerId, artifactId).filter(a -> a.tenantId().equals(tenantId))
                .orElseThrow(() -> new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no artifact '" + artifactId + "'"));
    }

    public InputStream open(ArtifactRecord a) {
        return blobs.open(a.sha256()).orElseThrow(() -> new PortholeException(ErrorCode.INTERNAL,
                "the bytes of artifact " + a.id() + " are missing from the blob store"));
    }
}
