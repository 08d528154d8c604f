package io.porthole.blob.s3;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the blobs go in an S3-compatible store, and the keys to it.
 *
 * @param endpoint the service's URL (e.g. {@code http://minio:9000}); empty means AWS S3 of {@code region}
 * @param region the region requests are signed for ({@code us-east-1} for most S3-compatible servers)
 * @param bucket the bucket, which must exist
 * @param prefix what every key starts with: empty, or ending in {@code /} (one is added if missing)
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret; never in {@link #toString()}, a log line or an error message
 */
public record S3Config(Optional<URI> endpoint, String region, String bucket, String prefix, String accessKeyId,
                       String secretAccessKey) {
    public S3Config {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        endpoint.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("the S3 endpoint must be an http:// or https:// URL with a host, not '"
                        + u + "'");
            }
            if (u.getUserInfo() != null) {
                throw new IllegalArgumentException("the S3 endpoint must not carry credentials; give the keys on their own");
            }
        });
        if (region.isBlank()) throw new IllegalArgumentException("the S3 region must not be empty");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name (3 to 63 of a-z 0-9 . -)");
        }
        prefix = normalPrefix(Objects.requireNonNull(prefix, "prefix"));
        if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("the S3 access key id and secret access key must both be given");
        }
    }

    private static String normalPrefix(String p) {
        var s = p.strip();
        while (s.startsWith("/")) s = s.substring(1);
        if (s.isEmpty()) return "";
        if (s.contains("//") || s.contains("\\") || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("the S3 key prefix must be a plain path like 'porthole/', not '" + p + "'");
        }
        return s.endsWith("/") ? s : s + "/";
    }

    /** Where, for messages: the endpoint (or AWS and the region), the bucket and the prefix; never a key. */
    public String where() {
        return "bucket '" + bucket + "'" + (prefix.isEmpty() ? "" : " (prefix '" + prefix + "')") + " at "
                + endpoint.map(URI::toString).orElse("AWS S3 in " + region);
    }

    @Override
    public String toString() {
        return "S3Config[" + where() + ", region " + region + ", access key id " + accessKeyId + ", secret hidden]";
    }
}
