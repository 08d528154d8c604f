package io.porthole.core.blob;

import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Seam: content-addressed bytes (artifacts, saved browser state). A blob is named by the SHA-256 of its
 * content, as 64 lowercase hex digits; equal content is stored once. A blob is durable when {@code put}
 * returns, so a record that references it may be committed next. Implementations are thread-safe, and
 * refuse any name that is not a SHA-256 in that form with an {@link IllegalArgumentException}.
 *
 * <p>Records (artifacts, environments) reference blobs; nothing counts references. Unreferenced blobs go
 * in {@link #collectGarbage}, given the set every record references ({@code Store.referencedBlobs()}).
 */
public interface BlobStore {

    /**
     * Stores what {@code in} yields up to its end and returns its SHA-256. Reads at most {@code maxBytes} + 1
     * bytes: more than {@code maxBytes} is refused with {@code PortholeException.InvalidRequest} (code
     * {@code PAYLOAD_TOO_LARGE}), and nothing of it is left behind. Does not close {@code in}.
     */
    String put(InputStream in, long maxBytes);

    /** Stores {@code bytes} and returns their SHA-256. */
    String put(byte[] bytes);

    /** The blob's bytes, or empty if there is no such blob. The caller closes the stream. */
    Optional<InputStream> open(String sha256);

    /** The blob's size in bytes, or empty if there is no such blob. */
    OptionalLong size(String sha256);

    /** Removes the blob; false if there was none. */
    boolean delete(String sha256);

    /**
     * Deletes every blob whose name is not in {@code keep} and returns how many went. An implementation may
     * spare blobs written (or put again) within a grace period, so that a blob put just before its record is
     * committed, and so missing from a {@code keep} taken a moment earlier, survives; it says so.
     */
    int collectGarbage(Set<String> keep);

    /** Whether {@code s} is a blob name: a SHA-256 as 64 lowercase hex digits. */
    static boolean isSha256(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    /** Throws {@link IllegalArgumentException} unless {@code s} is a blob name; returns it. */
    static String requireSha256(String s) {
        if (!isSha256(s)) {
            throw new IllegalArgumentException("not a blob name (64 lowercase hex digits of a SHA-256): "
                    + (s == null ? "null" : "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\""));
        }
        return s;
    }

    /** Internal: the form of a blob name. */
    Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
}
