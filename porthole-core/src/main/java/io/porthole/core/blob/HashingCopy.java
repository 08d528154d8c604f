package io.porthole.core.blob;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one copy loop of the {@link BlobStore} implementations: bytes from a stream to a channel, hashed on the way,
 * with the size limit of {@link BlobStore#put(InputStream, long)}. Stateless.
 */
public final class HashingCopy {
    private static final int CHUNK = 64 * 1024;

    private HashingCopy() {
    }

    /**
     * Copies {@code in} to its end into {@code out} and returns the SHA-256 of what went, as a blob name. Reads at
     * most {@code maxBytes} + 1 bytes: the one more is what tells "too large", refused with
     * {@code PortholeException.InvalidRequest} ({@code PAYLOAD_TOO_LARGE}); the caller drops what {@code out}
     * received. Closes neither.
     */
    public static String copy(InputStream in, long maxBytes, WritableByteChannel out) throws IOException {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0: " + maxBytes);
        var digest = sha256();
        var buffer = new byte[CHUNK];
        long total = 0;
        while (true) {
            long remaining = maxBytes - total;
            int want = remaining >= buffer.length ? buffer.length : (int) remaining + 1;
            int n = in.read(buffer, 0, want);
            if (n == -1) break;
            total += n;
            if (total > maxBytes) {
                throw new PortholeException.InvalidRequest(ErrorCode.PAYLOAD_TOO_LARGE,
                        "the content is larger than " + maxBytes + " bytes");
            }
            digest.update(buffer, 0, n);
            var bb = ByteBuffer.wrap(buffer, 0, n);
            while (bb.hasRemaining()) out.write(bb);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The blob name of {@code bytes}: their SHA-256 as 64 lowercase hex digits. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }
}
