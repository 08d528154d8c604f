package io.porthole.blob.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.blob.BlobStore;
import io.porthole.testing.BlobStoreContract;
import io.porthole.testing.S3Fixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract against a real S3-compatible server (s3proxy on loopback), and S3's own failures. */
class S3BlobStoreTest extends BlobStoreContract {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static S3Fixture s3;

    @TempDir
    Path spool;
    private String prefix;
    private final List<S3BlobStore> opened = new ArrayList<>();

    @BeforeAll
    static void startS3() {
        s3 = S3Fixture.start();
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) s3.close();
    }

    @BeforeEach
    void freshPrefix() {
        // each test has its own part of the bucket; the contract's store is made after this
        if (prefix == null) prefix = "test-" + TESTS.incrementAndGet() + "/";
    }

    @AfterEach
    void closeStores() {
        opened.forEach(S3BlobStore::close);
    }

    private S3Config config(String prefix) {
        return new S3Config(Optional.of(s3.endpoint()), s3.region(), s3.bucket(), prefix, s3.accessKeyId(),
                s3.secretAccessKey());
    }

    private S3BlobStore open(Duration grace, Clock clock) {
        if (prefix == null) prefix = "test-" + TESTS.incrementAndGet() + "/";
        var store = S3BlobStore.open(config(prefix), spool, grace, clock);
        opened.add(store);
        return store;
    }

    @Override
    protected BlobStore store(Duration grace, Clock clock) {
        return open(grace, clock);
    }

    /** The objects under the test's prefix, and the files in the spool. */
    @Override
    protected List<String> leftovers() throws IOException {
        var out = new ArrayList<>(open(Duration.ZERO, Clock.systemUTC()).keys());
        try (Stream<Path> files = Files.list(spool)) {
            files.forEach(f -> out.add("spool: " + f.getFileName()));
        }
        return out;
    }

    @Override
    protected int raceRounds() {
        return 60;
    }

    @Test
    void aBlobIsTheObjectBlobsSlashItsShaUnderThePrefix() throws Exception {
        var sha = blobs.put(utf8("hello, bucket"));
        assertEquals(List.of(prefix + "blobs/" + sha), leftovers());
    }

    @Test
    void garbageCollectionLeavesWhatIsNotABlob() throws Exception {
        var store = open(Duration.ZERO, Clock.systemUTC());
        var screenshots = store.expiring("screenshots", ".png");
        screenshots.put("live-token", new byte[] {1});
        var sha = store.put(utf8("garbage"));
        assertEquals(1, store.collectGarbage(Set.of()));
        assertTrue(store.size(sha).isEmpty());
        assertTrue(screenshots.get("live-token").isPresent(), "a screenshot is no blob to collect");
    }

    @Test
    void storesWithOtherPrefixesDoNotSeeEachOther() throws Exception {
        var sha = blobs.put(utf8("mine"));
        var other = S3BlobStore.open(config("elsewhere"), spool, Duration.ZERO, Clock.systemUTC());
        opened.add(other);
        assertTrue(other.size(sha).isEmpty());
        assertEquals(0, other.collectGarbage(Set.of()));
        assertTrue(blobs.size(sha).isPresent());
    }

    // --- what start says when S3 cannot be used ---

    @Test
    void aMissingBucketIsNamedAtStart() {
        var config = new S3Config(Optional.of(s3.endpoint()), s3.region(), "no-such-bucket", "", s3.accessKeyId(),
                s3.secretAccessKey());
        var e = assertThrows(IllegalStateException.class, () -> S3BlobStore.open(config, spool, Duration.ZERO, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("'no-such-bucket'") && e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains(s3.endpoint().toString()), e.getMessage());
        assertFalse(e.getMessage().contains(s3.secretAccessKey()), e.getMessage());
    }

    @Test
    void refusedCredentialsAreSaidWithoutTheSecret() {
        var wrong = "wrong-secret-" + s3.secretAccessKey().substring(0, 6);
        var config = new S3Config(Optional.of(s3.endpoint()), s3.region(), s3.bucket(), "", s3.accessKeyId(), wrong);
        var e = assertThrows(IllegalStateException.class, () -> S3BlobStore.open(config, spool, Duration.ZERO, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("credentials were refused"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), e.getMessage());
        assertFalse(e.getMessage().contains(s3.secretAccessKey()), e.getMessage());
        var trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        assertFalse(trace.toString().contains(wrong), "the secret is nowhere in the causes either");
    }

    @Test
    void anEndpointThatDoesNotAnswerIsSaid() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var endpoint = URI.create("http://127.0.0.1:" + port);
        var config = new S3Config(Optional.of(endpoint), s3.region(), s3.bucket(), "", s3.accessKeyId(), s3.secretAccessKey());
        var e = assertThrows(IllegalStateException.class, () -> S3BlobStore.open(config, spool, Duration.ZERO, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("did not answer") && e.getMessage().contains(endpoint.toString()), e.getMessage());
    }

    @Test
    void theConfigurationNeverPrintsTheSecret() {
        var config = config("p");
        assertFalse(config.toString().contains(s3.secretAccessKey()), config.toString());
        assertEquals("p/", config.prefix());
        assertEquals("", config("/").prefix());
        assertThrows(IllegalArgumentException.class, () -> config("a//b"));
        assertThrows(IllegalArgumentException.class, () -> new S3Config(Optional.of(URI.create("ftp://x")), "us-east-1",
                "bucket", "", "id", "secret"));
        assertThrows(IllegalArgumentException.class, () -> new S3Config(Optional.of(URI.create("http://id:secret@x")),
                "us-east-1", "bucket", "", "id", "secret"));
        assertThrows(IllegalArgumentException.class, () -> new S3Config(Optional.empty(), "us-east-1", "Bad_Bucket", "",
                "id", "secret"));
        assertThrows(IllegalArgumentException.class, () -> new S3Config(Optional.empty(), "us-east-1", "bucket", "",
                "id", ""));
    }
}
