package io.porthole.sdk;

import java.time.Instant;
import java.util.Optional;

/**
 * A stored artifact's record.
 *
 * @param id its id
 * @param type {@code screenshot}, {@code pdf}, {@code trace}, {@code video} or {@code har}
 * @param contentType the content type it was stored with
 * @param name its file name, if it has one
 * @param size its size in bytes
 * @param sha256 the hex SHA-256 of its bytes
 * @param createdAt when it was stored
 * @param downloadUrl where its bytes are (authenticated like every route)
 */
public record Artifact(String id, String type, String contentType, Optional<String> name, long size, String sha256,
                       Optional<Instant> createdAt, String downloadUrl) {
}
