package io.porthole.sdk.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Path segments, percent-encoded so that an id can never change the route it is put into. */
final class Paths {
    private Paths() {
    }

    static String seg(String s) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException("an id must not be empty");
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
