package io.porthole.sdk;

import java.nio.file.Path;
import java.util.List;

/**
 * The artifacts of a sandbox ({@code /browser-sandboxes/{id}/artifacts}): bytes kept by the server with a record.
 * Implementations are thread-safe.
 */
public interface Artifacts {

    /**
     * The artifact records.
     *
     * @return the records
     */
    List<Artifact> list();

    /**
     * Stores bytes the client captured ({@code POST /artifacts}).
     *
     * @param type {@code screenshot}, {@code pdf}, {@code trace}, {@code video} or {@code har}
     * @param contentType the bytes' content type
     * @param name a file name, or null
     * @param data the bytes
     * @return the stored record
     */
    Artifact upload(String type, String contentType, String name, byte[] data);

    /**
     * Has the server capture a PNG of the main tab and store it ({@code POST /artifacts/screenshot}).
     *
     * @return the stored record
     */
    Artifact screenshot();

    /**
     * Has the server print the main tab to PDF and store it ({@code POST /artifacts/pdf}); Chromium only.
     *
     * @return the stored record
     * @throws BadRequestException with code {@code unsupported_on_engine} on Firefox
     */
    Artifact pdf();

    /**
     * An artifact's bytes.
     *
     * @param artifactId the artifact's id
     * @return the bytes
     */
    byte[] bytes(String artifactId);

    /**
     * Downloads an artifact's bytes to a file, replacing it, streaming rather than buffering.
     *
     * @param artifactId the artifact's id
     * @param target the file to write
     * @return {@code target}
     */
    Path download(String artifactId, Path target);
}
