package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.blob.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {
    @TempDir
    Path root;
    private Path dir;
    private LocalBlobStore blobs;

    @BeforeEach
    void open() {
        dir = root.resolve("blobs");
        blobs = new LocalBlobStore(dir, Duration.ZERO, Clock.systemUTC());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int size, long seed) {
        var bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private byte[] read(String sha) throws IOException {
        try (var in = blobs.open(sha).orElseThrow()) {
            return in.readAllBytes();
        }
    }

    /** Every regular file under the store's directory, temporary ones included. */
    private List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    // --- put, open, size, delete ---

    @Test
    void aPutBlobIsNamedByItsSha256AndReadsBack() throws Exception {
        var content = utf8("hello, blob");
        var sha = blobs.put(content);
        assertEquals(sha256(content), sha);
        assertTrue(BlobStore.isSha256(sha));
        assertArrayEquals(content, read(sha));
        assertEquals(OptionalLong.of(content.length), blobs.size(sha));
        assertEquals(List.of(dir.resolve(sha.substring(0, 2)).resolve(sha)), files(), "<dir>/<first two>/<sha>");
    }

    @Test
    void theEmptyBlobIsABlob() throws Exception {
        var sha = blobs.put(new byte[0]);
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha);
        assertArrayEquals(new byte[0], read(sha));
        assertEquals(OptionalLong.of(0), blobs.size(sha));
        assertEquals(sha, blobs.put(new ByteArrayInputStream(new byte[0]), 0));
    }

    @Test
    void aLargeStreamIsStoredWhole() throws Exception {
        var content = random(3 * 1024 * 1024 + 17, 1);
        var sha = blobs.put(new ByteArrayInputStream(content), content.length);
        assertEquals(sha256(content), sha);
        assertArrayEquals(content, read(sha));
    }

    @Test
    void equalContentIsStoredOnce() throws Exception {
        var a = blobs.put(utf8("same"));
        var b = blobs.put(new ByteArrayInputStream(utf8("same")), 100);
        var c = blobs.put(utf8("other"));
        assertEquals(a, b);
        assertFalse(a.equals(c));
        assertEquals(2, files().size(), files().toString());
    }

    @Test
    void unknownBlobsAreAbsent() {
        var sha = "0".repeat(64);
        assertEquals(Optional.empty(), blobs.open(sha));
        assertEquals(OptionalLong.empty(), blobs.size(sha));
        assertFalse(blobs.delete(sha));
    }

    @Test
    void aDeletedBlobIsGoneAndCanComeBack() throws Exception {
        var sha = blobs.put(utf8("short-lived"));
        assertTrue(blobs.delete(sha));
        assertFalse(blobs.delete(sha));
        assertEquals(Optional.empty(), blobs.open(sha));
        assertEquals(OptionalLong.empty(), blobs.size(sha));
        assertEquals(sha, blobs.put(utf8("short-lived")));
        assertArrayEquals(utf8("short-lived"), read(sha));
    }

    @Test
    void theStoreSeesBlobsItDidNotWriteItself() throws Exception {
        var sha = blobs.put(utf8("persisted"));
        var again = new LocalBlobStore(dir);
        assertArrayEquals(utf8("persisted"), again.open(sha).orElseThrow().readAllBytes());
    }

    // --- size limit ---

    @Test
    void exactlyMaxBytesIsAccepted() throws Exception {
        var content = random(100_000, 2);
        assertEquals(sha256(content), blobs.put(new ByteArrayInputStream(content), 100_000));
    }

    @Test
    void oneByteOverMaxBytesIsRefusedAndLeavesNothing() throws Exception {
        var content = random(100_001, 3);
        var e = assertThrows(PortholeException.InvalidRequest.class,
                () -> blobs.put(new ByteArrayInputStream(content), 100_000));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("100000"), e.getMessage());
        assertEquals(List.of(), files());
        assertEquals(Optional.empty(), blobs.open(sha256(content)));
    }

    @Test
    void anEndlessStreamIsRefusedAfterReadingOneByteMoreThanAllowed() throws Exception {
        var counted = new long[1];
        var endless = new InputStream() {
            @Override
            public int read() {
                counted[0]++;
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                counted[0] += len;
                return len;
            }
        };
        var e = assertThrows(PortholeException.InvalidRequest.class, () -> blobs.put(endless, 1_000_000));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertEquals(1_000_001, counted[0]);
        assertEquals(List.of(), files());
    }

    @Test
    void aZeroLimitAcceptsOnlyNothing() throws Exception {
        assertThrows(PortholeException.InvalidRequest.class, () -> blobs.put(new ByteArrayInputStream(new byte[1]), 0));
        assertEquals(List.of(), files());
    }

    @Test
    void aHugeLimitDoesNotOverflow() throws Exception {
        var content = utf8("small");
        assertEquals(sha256(content), blobs.put(new ByteArrayInputStream(content), Long.MAX_VALUE));
    }

    @Test
    void aFailingStreamLeavesNothing() throws Exception {
        var failing = new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
                if (sent++ > 1000) throw new IOException("connection reset");
                return 'y';
            }
        };
        var e = assertThrows(UncheckedIOException.class, () -> blobs.put(failing, 1_000_000));
        assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
        assertEquals(List.of(), files());
    }

    // --- names ---

    @Test
    void anythingButALowercaseSha256IsRefusedAsAName() throws Exception {
        var real = blobs.put(utf8("target"));
        var bad = new ArrayList<String>(List.of("", "abc", "0".repeat(63), "0".repeat(65), real.toUpperCase(),
                "../" + real.substring(3), real.substring(0, 2) + "/" + real.substring(3),
                "/" + real.substring(1), "g".repeat(64), real.substring(0, 63) + "\n", " " + real.substring(1),
                ".".repeat(64), "0".repeat(62) + ".."));
        for (var name : bad) {
            assertThrows(IllegalArgumentException.class, () -> blobs.open(name), name);
            assertThrows(IllegalArgumentException.class, () -> blobs.size(name), name);
            assertThrows(IllegalArgumentException.class, () -> blobs.delete(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> blobs.open(null));
        assertArrayEquals(utf8("target"), read(real), "nothing was deleted");
    }

    // --- permissions ---

    @Test
    void directoriesAre0700AndFiles0600() throws Exception {
        var sha = blobs.put(utf8("private"));
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

    // --- garbage collection ---

    @Test
    void garbageCollectionDeletesWhatIsNotKept() throws Exception {
        var a = blobs.put(utf8("a"));
        var b = blobs.put(utf8("b"));
        var c = blobs.put(utf8("c"));
        assertEquals(2, blobs.collectGarbage(Set.of(a, "f".repeat(64))));
        assertTrue(blobs.size(a).isPresent());
        assertTrue(blobs.size(b).isEmpty());
        assertTrue(blobs.size(c).isEmpty());
        assertEquals(0, blobs.collectGarbage(Set.of(a)));
        assertEquals(1, blobs.collectGarbage(Set.of()));
        assertEquals(List.of(), files());
    }

    @Test
    void garbageCollectionLeavesFilesThatAreNotBlobs() throws Exception {
        var a = blobs.put(utf8("a"));
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
    void garbageCollectionSparesBlobsWithinTheGracePeriod() throws Exception {
        var now = Instant.now();
        var clock = new TestClock(now);
        var store = new LocalBlobStore(dir, Duration.ofHours(1), clock);
        var young = store.put(utf8("just put, its record not yet committed"));
        assertEquals(0, store.collectGarbage(Set.of()));
        assertTrue(store.size(young).isPresent());
        clock.now = now.plus(Duration.ofHours(2));
        assertEquals(1, store.collectGarbage(Set.of()));
        assertTrue(store.size(young).isEmpty());
    }

    @Test
    void puttingExistingContentAgainMakesItYoungForGarbageCollection() throws Exception {
        var now = Instant.now();
        var clock = new TestClock(now);
        var store = new LocalBlobStore(dir, Duration.ofHours(1), clock);
        var sha = store.put(utf8("old content"));
        var file = dir.resolve(sha.substring(0, 2)).resolve(sha);
        Files.setLastModifiedTime(file, FileTime.from(now.minus(Duration.ofDays(3))));
        assertEquals(sha, store.put(utf8("old content")));
        assertEquals(0, store.collectGarbage(Set.of()), "the second put was for a record about to reference it");
        assertTrue(store.size(sha).isPresent());
    }

    @Test
    void garbageCollectionRemovesStaleTemporaryFiles() throws Exception {
        var now = Instant.now();
        var store = new LocalBlobStore(dir, Duration.ofHours(1), new TestClock(now));
        var stale = dir.resolve("tmp").resolve("put-dead.part");
        var fresh = dir.resolve("tmp").resolve("put-live.part");
        Files.writeString(stale, "left by a process that died");
        Files.writeString(fresh, "being written");
        Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofHours(5))));
        assertEquals(0, store.collectGarbage(Set.of()), "temporary files are not blobs");
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }

    // --- concurrency ---

    @Test
    void aPutThatFindsOldContentIsNeverUndoneByAConcurrentCollection() throws Exception {
        var now = Instant.now();
        var store = new LocalBlobStore(dir, Duration.ofHours(1), new TestClock(now));
        var content = utf8("content that was garbage a moment ago");
        var sha = sha256(content);
        var file = dir.resolve(sha.substring(0, 2)).resolve(sha);
        try (var pool = Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < 300; round++) {
                store.put(content);
                Files.setLastModifiedTime(file, FileTime.from(now.minus(Duration.ofDays(1))));
                var start = new CountDownLatch(1);
                var put = pool.submit(() -> {
                    start.await();
                    return store.put(content);
                });
                var collect = pool.submit(() -> {
                    start.await();
                    return store.collectGarbage(Set.of());
                });
                start.countDown();
                assertEquals(sha, put.get(10, TimeUnit.SECONDS));
                collect.get(10, TimeUnit.SECONDS);
                assertTrue(store.size(sha).isPresent(), "round " + round + ": put returned, then its blob went");
            }
        }
    }

    @Test
    void concurrentPutsOfTheSameContentAllSucceedWithOneFile() throws Exception {
        var content = random(256 * 1024, 4);
        var expected = sha256(content);
        int threads = 8;
        var start = new CountDownLatch(1);
        var tasks = new ArrayList<Callable<String>>();
        for (int t = 0; t < threads; t++) {
            int n = t;
            tasks.add(() -> {
                start.await();
                var shas = new HashSet<String>();
                for (int i = 0; i < 20; i++) {
                    shas.add(blobs.put(content));
                    shas.add(blobs.put(utf8("thread " + n + " item " + i)));
                }
                return shas.contains(expected) && shas.size() == 21 ? expected : "wrong: " + shas.size();
            });
        }
        try (var pool = Executors.newFixedThreadPool(threads)) {
            var futures = tasks.stream().map(pool::submit).toList();
            start.countDown();
            for (var f : futures) assertEquals(expected, f.get(60, TimeUnit.SECONDS));
        }
        assertArrayEquals(content, read(expected));
        assertEquals(1 + threads * 20, files().size(), "one file per distinct content, no temporary files left");
    }
}
