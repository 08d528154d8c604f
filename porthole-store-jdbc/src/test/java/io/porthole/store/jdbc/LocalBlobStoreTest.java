package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.blob.BlobStore;
import io.porthole.testing.BlobStoreContract;
import io.porthole.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract on local files, and what is particular to files: layout, modes, temporary files. */
class LocalBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;

    private Path dir() {
        return root.resolve("blobs");
    }

    @Override
    protected BlobStore store(Duration grace, Clock clock) {
        return new LocalBlobStore(dir(), grace, clock);
    }

    /** Every regular file under the store's directory, temporary ones included. */
    @Override
    protected List<String> leftovers() throws IOException {
        try (Stream<Path> walk = Files.walk(dir())) {
            return walk.filter(Files::isRegularFile).map(p -> dir().relativize(p).toString()).toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aBlobIsTheFileNamedByItsShaUnderItsFirstTwoDigits() throws Exception {
        var sha = blobs.put(utf8("hello, blob"));
        assertEquals(List.of(sha.substring(0, 2) + "/" + sha), leftovers(), "<dir>/<first two>/<sha>");
    }

    // --- permissions ---

    @Test
    void directoriesAre0700AndFiles0600() throws Exception {
        var sha = blobs.put(utf8("private"));
        var dir = dir();
        assertEquals("rwx------", mode(dir));
        assertEquals("rwx------", mode(dir.resolve("tmp")));
        assertEquals("rwx------", mode(dir.resolve(sha.substring(0, 2))));
        assertEquals("rw-------", mode(dir.resolve(sha.substring(0, 2)).resolve(sha)));
    }

    @Test
    void anExistingOpenDirectoryIsMadePrivate() throws Exception {
        var open = root.resolve("open");
        Files.createDirectories(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        new LocalBlobStore(open);
        assertEquals("rwx------", mode(open));
    }

    @Test
    void aFileInTheWayIsReportedWithThePath() throws Exception {
        var file = root.resolve("not-a-dir");
        Files.writeString(file, "x");
        var e = assertThrows(IllegalStateException.class, () -> new LocalBlobStore(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    // --- garbage collection of files ---

    @Test
    void garbageCollectionLeavesFilesThatAreNotBlobs() throws Exception {
        var a = blobs.put(utf8("a"));
        var dir = dir();
        var shard = dir.resolve(a.substring(0, 2));
        Files.writeString(dir.resolve("README"), "mine");
        Files.writeString(shard.resolve("notes.txt"), "mine too");
        var misplaced = "1".repeat(64);
        Files.writeString(shard.resolve(misplaced), "not under its own prefix");
        assertEquals(1, blobs.collectGarbage(Set.of()));
        assertTrue(Files.exists(dir.resolve("README")));
        assertTrue(Files.exists(shard.resolve("notes.txt")));
        assertTrue(Files.exists(shard.resolve(misplaced)));
    }

    @Test
    void anOldFileModificationTimeIsRenewedByAPutOfTheSameContent() throws Exception {
        var now = Instant.now();
        var store = new LocalBlobStore(dir(), Duration.ofHours(1), new TestClock(now));
        var sha = store.put(utf8("old content"));
        var file = dir().resolve(sha.substring(0, 2)).resolve(sha);
        Files.setLastModifiedTime(file, FileTime.from(now.minus(Duration.ofDays(3))));
        assertEquals(sha, store.put(utf8("old content")));
        assertEquals(0, store.collectGarbage(Set.of()), "the second put was for a record about to reference it");
        assertTrue(store.size(sha).isPresent());
    }

    @Test
    void garbageCollectionRemovesStaleTemporaryFiles() throws Exception {
        var now = Instant.now();
        var store = new LocalBlobStore(dir(), Duration.ofHours(1), new TestClock(now));
        var stale = dir().resolve("tmp").resolve("put-dead.part");
        var fresh = dir().resolve("tmp").resolve("put-live.part");
        Files.writeString(stale, "left by a process that died");
        Files.writeString(fresh, "being written");
        Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofHours(5))));
        assertEquals(0, store.collectGarbage(Set.of()), "temporary files are not blobs");
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }
}
