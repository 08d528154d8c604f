package io.porthole.blob.s3;

import io.porthole.core.blob.BlobStore;
import io.porthole.core.blob.ExpiringBlobs;
import io.porthole.core.blob.HashingCopy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@link BlobStore} in an S3-compatible bucket, shared by every node that names the same bucket and prefix:
 * blob {@code s} is the object {@code <prefix>blobs/<s>}. A put of a stream spools it to a private temporary file
 * while hashing it (so memory holds one buffer, and a stream over the limit is refused before anything is sent),
 * then sends that file with its length in one PUT; S3 makes an object visible whole or not at all, and durable
 * when the PUT is answered. Content that is there already is not sent again: a server-side copy onto itself
 * renews its time. Thread-safe.
 *
 * <p>Each object carries the time of its last put by the putting node's clock (metadata
 * {@code porthole-put-at}); garbage collection spares a blob put within the grace period (it asks each object not
 * kept for its time: collection is rare, and the listing's time is S3's, not the put's). Within one process a put never races a collection of the content it put (as in the local
 * store); across nodes the grace period is the guard, so collect garbage on one node at a time.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    /** The default grace period of garbage collection, as the local store's. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final String SPOOL_PREFIX = "put-";

    private final S3Objects objects;
    private final String blobs;
    private final Path spool;
    private final Duration grace;
    private final Clock clock;
    private final ReentrantReadWriteLock placing = new ReentrantReadWriteLock();

    /**
     * Connects to the bucket of {@code config} and checks that it exists and takes writes (one small object put
     * and deleted under the prefix).
     *
     * @param spool a directory of this node for streams being spooled (created 0700 if missing)
     * @throws IllegalStateException saying what was tried and why it failed (the endpoint did not answer, the
     *     bucket does not exist, the keys were refused), without the secret
     */
    public static S3BlobStore open(S3Config config, Path spool, Duration grace, Clock clock) {
        var objects = S3Objects.connect(config, clock);
        try {
            objects.check();
            return new S3BlobStore(objects, spool, grace, clock);
        } catch (RuntimeException e) {
            objects.close();
            throw e;
        }
    }

    private S3BlobStore(S3Objects objects, Path spool, Duration grace, Clock clock) {
        this.objects = objects;
        this.blobs = "blobs/";
        this.spool = spool.toAbsolutePath();
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (grace.isNegative()) throw new IllegalArgumentException("grace < 0: " + grace);
        try {
            Files.createDirectories(this.spool, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("the spool directory " + this.spool + " is not a directory", e);
        } catch (IOException e) {
            throw new IllegalStateException("the spool directory " + this.spool + " could not be prepared: "
                    + e.getMessage() + "; check that it is writable by this user", e);
        }
        try {
            Files.setPosixFilePermissions(this.spool, DIR_MODE);
        } catch (IOException e) {
            throw new IllegalStateException("the spool directory " + this.spool + " could not be made private: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Entries under {@code <prefix><folder>/<name><suffix>} in the same bucket, sharing this store's connection:
     * {@link #collectGarbage} never looks there.
     */
    public ExpiringBlobs expiring(String folder, String suffix) {
        return new S3ExpiringBlobs(objects, ExpiringBlobs.requireName(folder) + "/", suffix);
    }

    /** Where the blobs are, for messages. */
    public String where() {
        return objects.where();
    }

    private String key(String sha256) {
        return blobs + BlobStore.requireSha256(sha256);
    }

    @Override
    public String put(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        var sha = HashingCopy.sha256(bytes);
        place(sha, () -> RequestBody.fromBytes(bytes), bytes.length);
        return sha;
    }

    @Override
    public String put(InputStream in, long maxBytes) {
        Objects.requireNonNull(in, "in");
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0: " + maxBytes);
        Path temp = null;
        try {
            temp = Files.createTempFile(spool, SPOOL_PREFIX, ".part", PosixFilePermissions.asFileAttribute(FILE_MODE));
            String sha;
            try (var out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                sha = HashingCopy.copy(in, maxBytes, out);
            }
            var file = temp;
            place(sha, () -> RequestBody.fromFile(file), Files.size(temp));
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + where() + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // garbage collection removes it later
                }
            }
        }
    }

    /** Makes the blob there and young: renews content that is there, else sends it. */
    private void place(String sha, java.util.function.Supplier<RequestBody> body, long length) {
        var key = key(sha);
        // Placing and a collection's look-then-delete of one object exclude each other (in this process), so a
        // put that found its content there already never returns while a collection removes that content.
        placing.readLock().lock();
        try {
            if (!objects.renew(key)) objects.put(key, body.get(), length);
        } finally {
            placing.readLock().unlock();
        }
    }

    @Override
    public Optional<InputStream> open(String sha256) {
        return objects.open(key(sha256));
    }

    @Override
    public OptionalLong size(String sha256) {
        return objects.head(key(sha256)).map(h -> OptionalLong.of(h.size())).orElse(OptionalLong.empty());
    }

    @Override
    public boolean delete(String sha256) {
        var key = key(sha256);
        return objects.head(key).isPresent() && objects.delete(key);
    }

    @Override
    public int collectGarbage(Set<String> keep) {
        Objects.requireNonNull(keep, "keep");
        var cutoff = clock.instant().minus(grace);
        int deleted = 0;
        for (S3Object o : objects.list(blobs)) {
            var name = o.key().substring(objects.prefix().length() + blobs.length());
            if (!BlobStore.isSha256(name) || keep.contains(name)) continue;
            placing.writeLock().lock();
            try {
                if (grace.isZero()) {
                    if (objects.delete(blobs + name)) deleted++;
                } else {
                    var head = objects.head(blobs + name);
                    if (head.isPresent() && head.get().written().isBefore(cutoff) && objects.delete(blobs + name)) {
                        deleted++;
                    }
                }
            } finally {
                placing.writeLock().unlock();
            }
        }
        sweepSpool(cutoff);
        return deleted;
    }

    /** Spool files of puts that died with their process. */
    private void sweepSpool(Instant cutoff) {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(spool, SPOOL_PREFIX + "*")) {
            for (var part : parts) {
                try {
                    if (grace.isZero() || Files.getLastModifiedTime(part).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(part);
                    }
                } catch (NoSuchFileException ignored) {
                    // its put ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + where() + ": garbage collection of " + spool + ": "
                    + e.getMessage(), e);
        }
    }

    /** For tests: every object key under this store's prefix (blobs and other entries). */
    java.util.List<String> keys() {
        var out = new java.util.ArrayList<String>();
        for (var o : objects.list("")) out.add(o.key());
        return out;
    }

    @Override
    public void close() {
        objects.close();
    }
}
