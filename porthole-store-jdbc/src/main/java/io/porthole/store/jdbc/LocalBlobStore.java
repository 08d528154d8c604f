package io.porthole.store.jdbc;

import io.porthole.core.blob.BlobStore;
import io.porthole.core.blob.HashingCopy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
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
import java.util.regex.Pattern;

/**
 * The {@link BlobStore} on the local file system: blob {@code s} is the file {@code <dir>/<s[0..2]>/<s>}.
 * A put writes to a temporary file under {@code <dir>/tmp} while hashing, forces it to disk, then renames it
 * into place atomically and forces the directory, so a blob is either whole or absent, and durable once
 * {@code put} returns. Content that is there already is not written twice (the new copy is dropped, the old
 * one's modification time refreshed). Directories are 0700, files 0600. Thread-safe: concurrent puts of
 * equal content all succeed with one file (also from several processes sharing the directory), and within
 * this process a put never races garbage collection of the content it put.
 *
 * <p>Garbage collection spares blobs (and temporary files) modified within the grace period (none when it is
 * zero), so that a blob
 * put just before its record is committed is not collected by a run that read the references a moment
 * earlier. A put of content that exists refreshes its time for the same reason.
 */
public final class LocalBlobStore implements BlobStore {
    /** The default grace period of garbage collection. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    private static final Pattern SHARD = Pattern.compile("[0-9a-f]{2}");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;
    private final Path tmp;
    private final Duration grace;
    private final Clock clock;
    private final ReentrantReadWriteLock placing = new ReentrantReadWriteLock();

    /** A store in {@code dir} (created if missing) with the {@link #DEFAULT_GRACE default grace period}. */
    public LocalBlobStore(Path dir) {
        this(dir, DEFAULT_GRACE, Clock.systemUTC());
    }

    public LocalBlobStore(Path dir, Duration grace, Clock clock) {
        this.dir = dir.toAbsolutePath();
        this.tmp = this.dir.resolve("tmp");
        this.grace = Objects.requireNonNull(grace, "grace");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (grace.isNegative()) throw new IllegalArgumentException("grace < 0: " + grace);
        try {
            privateDirectory(this.dir);
            privateDirectory(tmp);
        } catch (IOException e) {
            throw new IllegalStateException("the blob directory " + this.dir + " could not be prepared: "
                    + e.getMessage() + "; check that it is writable by this user", e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Creates {@code d} if missing; either way leaves it 0700. */
    private static void privateDirectory(Path d) throws IOException {
        try {
            Files.createDirectories(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(d)) throw e;
        }
        Files.setPosixFilePermissions(d, DIR_MODE);
    }

    private Path path(String sha256) {
        BlobStore.requireSha256(sha256);
        return dir.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public String put(byte[] bytes) {
        return put(new ByteArrayInputStream(Objects.requireNonNull(bytes, "bytes")), bytes.length);
    }

    @Override
    public String put(InputStream in, long maxBytes) {
        Objects.requireNonNull(in, "in");
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0: " + maxBytes);
        Path temp = null;
        try {
            temp = Files.createTempFile(tmp, "put-", ".part", PosixFilePermissions.asFileAttribute(FILE_MODE));
            String sha;
            try (var out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                sha = HashingCopy.copy(in, maxBytes, out);
                out.force(true);
            }
            var target = path(sha);
            var shard = target.getParent();
            if (!Files.isDirectory(shard)) {
                privateDirectory(shard);
                force(dir);
            }
            // Placing the blob and a collection's look-then-delete of one file exclude each other, so a put
            // that found its content there already never returns while a collection removes that content.
            placing.readLock().lock();
            try {
                if (Files.exists(target) && touch(target)) {
                    // Equal content is there already, and now young again for garbage collection: keep it.
                    Files.delete(temp);
                } else {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                    force(shard);
                }
                temp = null;
            } finally {
                placing.readLock().unlock();
            }
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + dir + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Garbage collection removes it later.
                }
            }
        }
    }

    /** Sets the file's modification time to now; false if it is gone. */
    private boolean touch(Path target) throws IOException {
        try {
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Forces a directory's entries to disk (Linux allows fsync on a directory opened for reading). */
    private static void force(Path directory) {
        try (var ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename itself is still atomic.
        }
    }

    @Override
    public Optional<InputStream> open(String sha256) {
        var p = path(sha256);
        try {
            return Optional.of(Files.newInputStream(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OptionalLong size(String sha256) {
        var p = path(sha256);
        try {
            return OptionalLong.of(Files.size(p));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(String sha256) {
        var p = path(sha256);
        try {
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int collectGarbage(Set<String> keep) {
        Objects.requireNonNull(keep, "keep");
        var cutoff = clock.instant().minus(grace);
        int deleted = 0;
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(dir,
                p -> SHARD.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))) {
            for (var shard : shards) {
                var prefix = shard.getFileName().toString();
                try (DirectoryStream<Path> blobs = Files.newDirectoryStream(shard)) {
                    for (var blob : blobs) {
                        var name = blob.getFileName().toString();
                        if (!BlobStore.isSha256(name) || !name.startsWith(prefix) || keep.contains(name)) continue;
                        placing.writeLock().lock();
                        try {
                            if (olderThan(blob, cutoff) && Files.deleteIfExists(blob)) deleted++;
                        } finally {
                            placing.writeLock().unlock();
                        }
                    }
                }
            }
            // Temporary files of puts that died with their process.
            try (DirectoryStream<Path> parts = Files.newDirectoryStream(tmp)) {
                for (var part : parts) {
                    if (olderThan(part, cutoff)) Files.deleteIfExists(part);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + dir + ": garbage collection: " + e.getMessage(), e);
        }
        return deleted;
    }

    private boolean olderThan(Path p, Instant cutoff) throws IOException {
        if (grace.isZero()) return true;
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(cutoff);
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
