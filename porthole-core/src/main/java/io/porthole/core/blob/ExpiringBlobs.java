package io.porthole.core.blob;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Seam: bytes under a name the caller draws (a random token), kept for a while and then swept: the screenshots
 * served at an unguessable URL. Unlike {@link BlobStore} the names are not content hashes and no record in the
 * store refers to them, so {@link BlobStore#collectGarbage} never sees them and {@link #sweep} is their only end.
 * Every node of a cluster that shares the backend sees every entry. Implementations are thread-safe, and refuse any
 * name that is not 1 to 128 of {@code A-Z a-z 0-9 _ -} with an {@link IllegalArgumentException}.
 */
public interface ExpiringBlobs {

    /**
     * Stores {@code bytes} under {@code name}, replacing what was there, and notes the time. Whole or absent to a
     * reader, and readable from every node sharing the backend once this returns.
     *
     * @throws java.io.UncheckedIOException when the backend cannot be written
     */
    void put(String name, byte[] bytes);

    /** The entry's bytes and when it was put, or empty if there is none. */
    Optional<Entry> get(String name);

    /** Removes the entry; false if there was none. */
    boolean delete(String name);

    /**
     * Removes every entry put before {@code cutoff} (and whatever a put that died left behind that long ago) and
     * returns how many entries went. Safe to run on several nodes at once.
     */
    int sweep(Instant cutoff);

    /** What {@link #get} finds: the bytes and the time they were put. */
    record Entry(byte[] bytes, Instant written) {
    }

    /** Whether {@code s} is an entry name: 1 to 128 of {@code A-Z a-z 0-9 _ -}. */
    static boolean isName(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    /** Throws {@link IllegalArgumentException} unless {@code s} is an entry name; returns it. */
    static String requireName(String s) {
        if (!isName(s)) {
            throw new IllegalArgumentException("not an entry name (1 to 128 of A-Z a-z 0-9 _ -): "
                    + (s == null ? "null" : "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\""));
        }
        return s;
    }

    /** Internal: the form of an entry name. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");
}
