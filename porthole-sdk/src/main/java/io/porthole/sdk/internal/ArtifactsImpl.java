package io.porthole.sdk.internal;

import io.porthole.sdk.ApiConnectionException;
import io.porthole.sdk.Artifact;
import io.porthole.sdk.Artifacts;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.internal.Transport.Repeat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@link Artifacts} over {@code /browser-sandboxes/{id}/artifacts}. Thread-safe. */
final class ArtifactsImpl implements Artifacts {
    private final Transport transport;
    private final RequestOptions options;
    private final String path;

    ArtifactsImpl(Transport transport, RequestOptions options, String sandboxPath) {
        this.transport = transport;
        this.options = options;
        this.path = sandboxPath + "/artifacts";
    }

    @Override
    public List<Artifact> list() {
        return Json.items(transport.json("GET", path, null, Repeat.SAFE, options).get("items")).stream()
                .map(Json::artifact).toList();
    }

    @Override
    public Artifact upload(String type, String contentType, String name, byte[] data) {
        var body = new LinkedHashMap<String, Object>();
        body.put("type", Objects.requireNonNull(type, "type"));
        body.put("contentType", Objects.requireNonNull(contentType, "contentType"));
        if (name != null) body.put("name", name);
        body.put("data", Base64.getEncoder().encodeToString(data));
        return Json.artifact(transport.json("POST", path, body, Repeat.UNSAFE, options));
    }

    @Override
    public Artifact screenshot() {
        return Json.artifact(transport.json("POST", path + "/screenshot", Map.of(), Repeat.UNSAFE, options));
    }

    @Override
    public Artifact pdf() {
        return Json.artifact(transport.json("POST", path + "/pdf", Map.of(), Repeat.UNSAFE, options));
    }

    @Override
    public byte[] bytes(String artifactId) {
        var res = transport.send("GET", path + "/" + Paths.seg(artifactId), null, "*/*", Repeat.SAFE, options);
        try (var in = res.body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ApiConnectionException("reading artifact " + artifactId + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Path download(String artifactId, Path target) {
        var res = transport.send("GET", path + "/" + Paths.seg(artifactId), null, "*/*", Repeat.SAFE, options);
        try (var in = res.body()) {
            // written beside the target and moved into place, so that a broken download leaves no half file
            var parent = target.toAbsolutePath().getParent();
            var part = Files.createTempFile(parent, ".porthole-", ".part");
            try {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(part);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("downloading artifact " + artifactId + " to " + target + " failed", e);
        }
    }
}
