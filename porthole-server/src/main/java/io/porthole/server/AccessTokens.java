package io.porthole.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A computer's access token: lets a client that has only the token (not an API key) reattach to that one
 * computer's protocol endpoints. Derived, not stored: an HMAC of the computer's id under a server secret kept
 * in the data directory (0600), so the same token works after a restart and nothing new is written per
 * computer. Thread-safe.
 */
final class AccessTokens {
    private static final String PREFIX = "pat_";
    private final byte[] secret;

    AccessTokens(Path dataDir) {
        this(loadOrCreate(dataDir.resolve("access-token.secret")));
    }

    /** Tokens under {@code secret} (a cluster's, which every node shares). */
    AccessTokens(byte[] secret) {
        this.secret = secret.clone();
    }

    /** A 32-byte secret kept in {@code file} (0600), made on first use. */
    static byte[] loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) return Files.readAllBytes(file);
            var bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            var tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, bytes, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("the access-token secret " + file + " cannot be read or made", e);
        }
    }

    String tokenFor(String computerId) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            var digest = mac.doFinal(("access-token:" + computerId).getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean matches(String computerId, String token) {
        if (token == null || !token.startsWith(PREFIX)) return false;
        return MessageDigest.isEqual(tokenFor(computerId).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }
}
