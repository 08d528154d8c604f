package io.porthole.testing;

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
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} promises, as tests: a test class of each implementation extends this and says how
 * to make a store and what it holds. Stores made by one test share their backing place (a directory, a bucket and
 * prefix), fresh for each test.
 */
public abstract class BlobStoreContract {
    /** The store of the test, with no grace period. */
    protected BlobStore blobs;

    /** A store on the test's backing place with this grace period and clock. */
    protected abstract BlobStore store(Duration grace, Clock clock);

    /** Everything the backing place holds, blobs and anything a put keeps meanwhile (temporary files), by name. */
    protected abstract List<String> leftovers() throws IOException;

    /** How many rounds the race of a put and a collection runs. */
    protected int raceRounds() {
        return 300;
    }

    @BeforeEach
    void openContractStore() {
        blobs = store(Duration.ZERO, Clock.systemUTC());
    }

    protected static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    protected static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static byte[] random(int size, long seed) {
        var bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected byte[] read(BlobStore store, String sha) throws IOException {
        try (var in = store.open(sha).orElseThrow()) {
            return in.readAllBytes();
        }
    }

    // --- put, open, size, delete ---

    @Test
    void aPutBlobIsNamedByItsSha256AndReadsBack() throws Exception {
        var content = utf8("hello, blob");
        var sha = blobs.put(content);
        assertEquals(sha256(content), sha);
        assertTrue(BlobStore.isSha256(sha));
        assertArrayEquals(content, read(blobs, sha));
        assertEquals(OptionalLong.of(content.length), blobs.size(sha));
        assertEquals(1, leftovers().size(), leftovers().toString());
    }

    @Test
    void theEmptyBlobIsABlob() throws Exception {
        var sha = blobs.put(new byte[0]);
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", sha);
        assertArrayEquals(new byte[0], read(blobs, sha));
        assertEquals(OptionalLong.of(0), blobs.size(sha));
        assertEquals(sha, blobs.put(new ByteArrayInputStream(new byte[0]), 0));
    }

    @Test
    void aLargeStreamIsStoredWhole() throws Exception {
        var content = random(3 * 1024 * 1024 + 17, 1);
        var sha = blobs.put(new ByteArrayInputStream(content), content.length);
        assertEquals(sha256(content), sha);
        assertArrayEquals(content, read(blobs, sha));
        assertEquals(OptionalLong.of(content.length), blobs.size(sha));
    }

    @Test
    void equalContentIsStoredOnce() throws Exception {
        var a = blobs.put(utf8("same"));
        var b = blobs.put(new ByteArrayInputStream(utf8("same")), 100);
        var c = blobs.put(utf8("other"));
        assertEquals(a, b);
        assertFalse(a.equals(c));
        assertEquals(2, leftovers().size(), leftovers().toString());
        assertArrayEquals(utf8("same"), read(blobs, a));
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
        assertArrayEquals(utf8("short-lived"), read(blobs, sha));
    }

    @Test
    void anotherStoreOnTheSamePlaceSeesTheBlobs() throws Exception {
        var sha = blobs.put(utf8("persisted"));
        var again = store(Duration.ofHours(1), Clock.systemUTC());
        assertArrayEquals(utf8("persisted"), read(again, sha));
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
        assertEquals(List.of(), leftovers());
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
                Arrays.fill(b, off, off + len, (byte) 'x');
                counted[0] += len;
                return len;
            }
        };
        var e = assertThrows(PortholeException.InvalidRequest.class, () -> blobs.put(endless, 1_000_000));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertEquals(1_000_001, counted[0]);
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aZeroLimitAcceptsOnlyNothing() throws Exception {
        assertThrows(PortholeException.InvalidRequest.class, () -> blobs.put(new ByteArrayInputStream(new byte[1]), 0));
        assertEquals(List.of(), leftovers());
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
        assertEquals(List.of(), leftovers());
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
        assertArrayEquals(utf8("target"), read(blobs, real), "nothing was deleted");
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
        assertEquals(List.of(), leftovers());
    }

    @Test
    void garbageCollectionSparesBlobsWithinTheGracePeriod() throws Exception {
        var now = Instant.now();
        var clock = new TestClock(now);
        var store = store(Duration.ofHours(1), clock);
        var young = store.put(utf8("just put, its record not yet committed"));
        assertEquals(0, store.collectGarbage(Set.of()));
        assertTrue(store.size(young).isPresent());
        clock.set(now.plus(Duration.ofHours(2)));
        assertEquals(1, store.collectGarbage(Set.of()));
        assertTrue(store.size(young).isEmpty());
    }

    @Test
    void puttingExistingContentAgainMakesItYoungForGarbageCollection() throws Exception {
        var now = Instant.now();
        var clock = new TestClock(now);
        var store = store(Duration.ofHours(1), clock);
        var sha = store.put(utf8("old content"));
        var other = store.put(utf8("old content, not put again"));
        clock.set(now.plus(Duration.ofDays(3)));
        assertEquals(sha, store.put(utf8("old content")));
        assertEquals(1, store.collectGarbage(Set.of()), "the second put was for a record about to reference it");
        assertTrue(store.size(sha).isPresent());
        assertTrue(store.size(other).isEmpty());
    }

    // --- concurrency ---

    @Test
    void aPutThatFindsOldContentIsNeverUndoneByAConcurrentCollection() throws Exception {
        var store = store(Duration.ofHours(1), Clock.systemUTC());
        // puts by a clock a day behind: what it puts again is past the grace period, garbage unless put again
        var yesterday = store(Duration.ofHours(1), Clock.offset(Clock.systemUTC(), Duration.ofDays(-1)));
        var content = utf8("content that was garbage a moment ago");
        var sha = sha256(content);
        try (var pool = Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < raceRounds(); round++) {
                store.put(content);
                yesterday.put(content);
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
                assertEquals(sha, put.get(30, TimeUnit.SECONDS));
                collect.get(30, TimeUnit.SECONDS);
                assertTrue(store.size(sha).isPresent(), "round " + round + ": put returned, then its blob went");
            }
        }
        yesterday.put(content);
        assertEquals(1, store.collectGarbage(Set.of()), "what the clock a day behind put last is old");
    }

    @Test
    void concurrentPutsOfTheSameContentAllSucceedWithOneCopy() throws Exception {
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
            for (var f : futures) assertEquals(expected, f.get(120, TimeUnit.SECONDS));
        }
        assertArrayEquals(content, read(blobs, expected));
        assertEquals(1 + threads * 20, leftovers().size(), "one copy per distinct content, no temporary files left");
    }
}
