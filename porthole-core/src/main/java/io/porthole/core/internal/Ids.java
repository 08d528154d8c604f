package io.porthole.core.internal;

import java.security.SecureRandom;
import java.util.Base64;

/** Random identifiers and secrets, URL-safe. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {}

    /** {@code prefix_} followed by 24 random lower-case letters and digits (about 124 bits). */
    public static String id(String prefix) {
        var sb = new StringBuilder(prefix).append('_');
        for (int i = 0; i < 24; i++) sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        return sb.toString();
    }

    /** {@code bytes} random bytes, base64url without padding: for secrets and unguessable URLs. */
    public static String secret(int bytes) {
        var b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
