package io.porthole.blob.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few S3 calls the blob stores make, on one client, with keys relative to the configured prefix, and failures
 * turned into {@link UncheckedIOException}s that say where and why but carry no secret. Thread-safe (the client is).
 */
final class S3Objects implements AutoCloseable {
    /** User metadata: when the object was last put, in epoch milliseconds by the putting node's clock. */
    static final String PUT_AT = "porthole-put-at";

    private final S3Client client;
    private final S3Config config;
    private final Clock clock;

    private S3Objects(S3Client client, S3Config config, Clock clock) {
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    static S3Objects connect(S3Config config, Clock clock) {
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(config.region()))
                // bucket in the path: works with every S3-compatible server and needs no DNS per bucket
                .forcePathStyle(true)
                // checksums only where S3 requires them: many S3-compatible servers refuse the newer trailers
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())));
        config.endpoint().ifPresent(builder::endpointOverride);
        return new S3Objects(builder.build(), config, clock);
    }

    String where() {
        return config.where();
    }

    String prefix() {
        return config.prefix();
    }

    /**
     * Checks that the bucket is there and takes a write and a delete; throws {@link IllegalStateException} saying
     * what was tried and why it failed.
     */
    void check() {
        var tried = "S3 blobs in " + where() + ": ";
        try {
            client.headBucket(b -> b.bucket(config.bucket()));
        } catch (SdkException e) {
            throw new IllegalStateException(tried + "looking for the bucket failed: " + startProblem(e), e);
        }
        var probe = key("probes/" + HexFormat.of().formatHex(randomBytes()));
        try {
            client.putObject(r -> r.bucket(config.bucket()).key(probe).contentLength(2L), RequestBody.fromBytes(new byte[] {'o', 'k'}));
        } catch (SdkException e) {
            throw new IllegalStateException(tried + "the bucket is there but writing a test object under "
                    + config.prefix() + "probes/ failed: " + startProblem(e), e);
        }
        try {
            client.deleteObject(r -> r.bucket(config.bucket()).key(probe));
        } catch (SdkException e) {
            throw new IllegalStateException(tried + "the bucket takes writes but deleting a test object under "
                    + config.prefix() + "probes/ failed: " + startProblem(e), e);
        }
    }

    private static byte[] randomBytes() {
        var b = new byte[16];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** Why a call at start failed, in the terms of what to fix. */
    private String startProblem(SdkException e) {
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            var detail = detail(s3);
            if (status == 404) return "the bucket does not exist (" + detail + "); create it, or name another";
            if (status == 401 || status == 403) {
                return "the credentials were refused (" + detail + "); check the access key id and the secret, and that"
                        + " they may read, write and delete in this bucket";
            }
            if (status == 301 || status == 400 && detail.contains("region")) {
                return "the bucket is in another region (" + detail + "); set the region the bucket is in";
            }
            return "the service answered " + detail;
        }
        var cause = rootCause(e);
        if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
            return "the endpoint did not answer (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                    + "); check the endpoint URL and that the service is running";
        }
        return message(e);
    }

    private static Throwable rootCause(Throwable e) {
        var t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    private static String detail(S3Exception e) {
        var d = e.awsErrorDetails();
        var code = d == null ? null : d.errorCode();
        var msg = d == null ? null : d.errorMessage();
        return "HTTP " + e.statusCode() + (code == null ? "" : " " + code) + (msg == null ? "" : ": " + msg);
    }

    /** A failure's description: the service's answer, or the client's problem with its root cause. */
    private static String message(SdkException e) {
        if (e instanceof S3Exception s3) return detail(s3);
        var root = rootCause(e);
        return root == e ? String.valueOf(e.getMessage())
                : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private UncheckedIOException failure(String what, SdkException e) {
        return new UncheckedIOException(new IOException("S3 " + where() + ": " + what + ": " + message(e), e));
    }

    private static boolean notFound(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 404;
    }

    private String key(String relative) {
        return config.prefix() + relative;
    }

    /** Puts an object, stamped with this node's time. */
    void put(String relative, RequestBody body, long length) {
        try {
            client.putObject(r -> r.bucket(config.bucket()).key(key(relative)).contentLength(length)
                    .contentType("application/octet-stream")
                    .metadata(Map.of(PUT_AT, Long.toString(clock.millis()))), body);
        } catch (SdkException e) {
            throw failure("put " + relative, e);
        }
    }

    /** Renews an object's put time by a copy onto itself; false if there is no such object. */
    boolean renew(String relative) {
        var key = key(relative);
        try {
            client.copyObject(r -> r.sourceBucket(config.bucket()).sourceKey(key)
                    .destinationBucket(config.bucket()).destinationKey(key)
                    .metadataDirective(MetadataDirective.REPLACE).contentType("application/octet-stream")
                    .metadata(Map.of(PUT_AT, Long.toString(clock.millis()))));
            return true;
        } catch (SdkException e) {
            if (notFound(e)) return false;
            throw failure("renew " + relative, e);
        }
    }

    /** The object's bytes as a stream the caller closes, or empty. */
    Optional<InputStream> open(String relative) {
        try {
            return Optional.of(client.getObject(r -> r.bucket(config.bucket()).key(key(relative))));
        } catch (SdkException e) {
            if (notFound(e)) return Optional.empty();
            throw failure("get " + relative, e);
        }
    }

    /** The object's bytes and when it was put, or empty. */
    Optional<Read> read(String relative) {
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(r -> r.bucket(config.bucket()).key(key(relative)))) {
            var bytes = in.readAllBytes();
            var res = in.response();
            return Optional.of(new Read(bytes, written(res.lastModified(), res.metadata())));
        } catch (SdkException e) {
            if (notFound(e)) return Optional.empty();
            throw failure("get " + relative, e);
        } catch (IOException e) {
            throw new UncheckedIOException("S3 " + where() + ": get " + relative + ": " + e.getMessage(), e);
        }
    }

    /** What {@link #head} tells. */
    record Head(long size, Instant written) {
    }

    /** What {@link #read} returns. */
    record Read(byte[] bytes, Instant written) {
    }

    /** The object's size and time, or empty. */
    Optional<Head> head(String relative) {
        try {
            var res = client.headObject(r -> r.bucket(config.bucket()).key(key(relative)));
            return Optional.of(new Head(res.contentLength(), written(res.lastModified(), res.metadata())));
        } catch (SdkException e) {
            if (notFound(e)) return Optional.empty();
            throw failure("head " + relative, e);
        }
    }

    /** The put time the object carries, by the putting node's clock; S3's modification time if it has none. */
    private static Instant written(Instant lastModified, Map<String, String> metadata) {
        var stamp = metadata.get(PUT_AT);
        if (stamp != null) {
            try {
                return Instant.ofEpochMilli(Long.parseLong(stamp));
            } catch (NumberFormatException ignored) {
                // not ours: S3's time stands
            }
        }
        return lastModified == null ? Instant.EPOCH : lastModified;
    }

    /** Deletes an object (S3 does not say whether there was one); true once it is gone. */
    boolean delete(String relative) {
        try {
            client.deleteObject(r -> r.bucket(config.bucket()).key(key(relative)));
            return true;
        } catch (SdkException e) {
            if (notFound(e)) return false;
            throw failure("delete " + relative, e);
        }
    }

    /** Every object whose key starts with the prefix and {@code relative}, page by page as iterated. */
    Iterable<S3Object> list(String relative) {
        var pages = client.listObjectsV2Paginator(r -> r.bucket(config.bucket()).prefix(key(relative)));
        return () -> {
            var it = pages.contents().iterator();
            return new java.util.Iterator<>() {
                @Override
                public boolean hasNext() {
                    try {
                        return it.hasNext();
                    } catch (SdkException e) {
                        throw failure("list " + relative, e);
                    }
                }

                @Override
                public S3Object next() {
                    try {
                        return it.next();
                    } catch (SdkException e) {
                        throw failure("list " + relative, e);
                    }
                }
            };
        };
    }

    @Override
    public void close() {
        client.close();
    }
}
