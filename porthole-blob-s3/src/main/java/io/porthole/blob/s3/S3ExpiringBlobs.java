package io.porthole.blob.s3;

import io.porthole.core.blob.ExpiringBlobs;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@link ExpiringBlobs} in the bucket of an {@link S3BlobStore}: entry {@code n} is the object
 * {@code <prefix><folder><n><suffix>}, put whole in one PUT, its time the put time it carries (by the putting node's clock). Every node
 * sharing the bucket sees every entry and may sweep. Thread-safe.
 */
final class S3ExpiringBlobs implements ExpiringBlobs {
    private final S3Objects objects;
    private final String folder;
    private final String suffix;

    S3ExpiringBlobs(S3Objects objects, String folder, String suffix) {
        this.objects = objects;
        this.folder = folder;
        this.suffix = Objects.requireNonNull(suffix, "suffix");
        if (!suffix.isEmpty() && !(suffix.charAt(0) == '.' && ExpiringBlobs.isName(suffix.substring(1)))) {
            throw new IllegalArgumentException("suffix must be empty or a dot and a name: " + suffix);
        }
    }

    private String key(String name) {
        return folder + ExpiringBlobs.requireName(name) + suffix;
    }

    @Override
    public void put(String name, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        objects.put(key(name), RequestBody.fromBytes(bytes), bytes.length);
    }

    @Override
    public Optional<Entry> get(String name) {
        return objects.read(key(name)).map(r -> new Entry(r.bytes(), r.written()));
    }

    @Override
    public boolean delete(String name) {
        var key = key(name);
        return objects.head(key).isPresent() && objects.delete(key);
    }

    @Override
    public int sweep(Instant cutoff) {
        int swept = 0;
        int start = objects.prefix().length() + folder.length();
        for (var o : objects.list(folder)) {
            var rest = o.key().substring(start);
            if (!rest.endsWith(suffix) || !ExpiringBlobs.isName(rest.substring(0, rest.length() - suffix.length()))) continue;
            // an object S3 wrote after the cutoff was put after it too, unless the putting node's clock is behind
            // S3's: then it goes at a later sweep. Only the others are asked for their put time.
            if (!o.lastModified().isBefore(cutoff)) continue;
            var relative = folder + rest;
            var head = objects.head(relative);
            if (head.isPresent() && head.get().written().isBefore(cutoff) && objects.delete(relative)) swept++;
        }
        return swept;
    }
}
