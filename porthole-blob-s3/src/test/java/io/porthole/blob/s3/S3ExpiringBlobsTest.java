package io.porthole.blob.s3;

import io.porthole.core.blob.ExpiringBlobs;
import io.porthole.testing.ExpiringBlobsContract;
import io.porthole.testing.S3Fixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class S3ExpiringBlobsTest extends ExpiringBlobsContract {
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

    @AfterEach
    void closeStores() {
        opened.forEach(S3BlobStore::close);
    }

    @Override
    protected ExpiringBlobs entries() {
        if (prefix == null) prefix = "test-" + TESTS.incrementAndGet();
        var store = S3BlobStore.open(new S3Config(Optional.of(s3.endpoint()), s3.region(), s3.bucket(), prefix,
                s3.accessKeyId(), s3.secretAccessKey()), spool, Duration.ZERO, Clock.systemUTC());
        opened.add(store);
        return store.expiring("screenshots", ".png");
    }
}
