package io.porthole.store.jdbc;

import io.porthole.core.blob.ExpiringBlobs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ExpiringBlobs} on the local file system: entry {@code n} is the file {@code <dir>/<n><suffix>}, written
 * to a temporary file first and renamed into place, so a reader sees it whole or not at all; its modification time
 * is when it was put. One node only: others do not see this directory. Thread-safe.
 */
public final class LocalExpiringBlobs implements ExpiringBlobs {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path dir;
    private final String suffix;

    /** Entries in {@code dir} (created if missing), each file named by the entry and {@code suffix} (e.g. ".png"). */
    public LocalExpiringBlobs(Path dir, String suffix) {
        this.dir = dir.toAbsolutePath();
        this.suffix = Objects.requireNonNull(suffix, "suffix");
        if (!suffix.isEmpty() && !(suffix.charAt(0) == '.' && ExpiringBlobs.isName(suffix.substring(1)))) {
            throw new IllegalArgumentException("suffix must be empty or a dot and a name: " + suffix);
        }
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new UncheckedIOException("the directory " + this.dir + " could not be created: " + e.getMessage(), e);
        }
    }

    private Path path(String name) {
        return dir.resolve(ExpiringBlobs.requireName(name) + suffix);
    }

    @Override
    public void put(String name, byte[] bytes) {
        var file = path(name);
        Objects.requireNonNull(bytes, "bytes");
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, TEMP_PREFIX, suffix);
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + name + " could not be stored: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the sweep removes it later
                }
            }
        }
    }

    @Override
    public Optional<Entry> get(String name) {
        var file = path(name);
        try {
            var written = Files.getLastModifiedTime(file).toInstant();
            return Optional.of(new Entry(Files.readAllBytes(file), written));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + name + " could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(String name) {
        try {
            return Files.deleteIfExists(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + name + " could not be deleted: " + e.getMessage(), e);
        }
    }

    @Override
    public int sweep(Instant cutoff) {
        int swept = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (var f : files) {
                var fileName = f.getFileName().toString();
                boolean temp = fileName.startsWith(TEMP_PREFIX);
                boolean entry = fileName.endsWith(suffix)
                        && ExpiringBlobs.isName(fileName.substring(0, fileName.length() - suffix.length()));
                if (!temp && !entry) continue;
                try {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff) && Files.deleteIfExists(f) && entry) {
                        swept++;
                    }
                } catch (NoSuchFileException ignored) {
                    // removed concurrently
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": sweep: " + e.getMessage(), e);
        }
        return swept;
    }
}
