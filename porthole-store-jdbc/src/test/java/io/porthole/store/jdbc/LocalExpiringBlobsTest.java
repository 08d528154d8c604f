package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.blob.ExpiringBlobs;
import io.porthole.testing.ExpiringBlobsContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalExpiringBlobsTest extends ExpiringBlobsContract {
    @TempDir
    Path dir;

    @Override
    protected ExpiringBlobs entries() {
        return new LocalExpiringBlobs(dir, ".png");
    }

    @Test
    void anEntryIsTheFileOfItsNameAndSuffix() throws Exception {
        entries.put("abc", new byte[] {1, 2});
        assertTrue(Files.isRegularFile(dir.resolve("abc.png")));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void theSweepRemovesOldTemporaryFilesAndLeavesOtherFiles() throws Exception {
        var stale = dir.resolve(".tmp-123.png");
        var other = dir.resolve("notes.txt");
        Files.writeString(stale, "left by a put that died");
        Files.writeString(other, "not an entry");
        var old = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(other, old);
        assertEquals(0, entries.sweep(Instant.now().minus(Duration.ofHours(1))), "temporary files are not entries");
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(other));
    }
}
