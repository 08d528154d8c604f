package io.porthole.server.logging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence between a secret and the log: every line, in either format, passes through
 * {@link #apply} before it is written. It masks the values the server was configured with (API key, database
 * password, proxy password, S3 and cluster secrets) wherever they appear, and the known shapes of secrets wherever
 * they came from: the password of a URL's user info ({@code http://user:pass@host}), {@code Bearer}/{@code Basic}
 * credentials and {@code Authorization}-like headers, secret-named query parameters and {@code key=value} pairs
 * ({@code ?token=}, {@code password=}), secret-named JSON fields, and Porthole's own API keys ({@code ph_…}), access
 * tokens ({@code pat_…}) and viewer-link tokens ({@code pv_…}). The code that logs should still not log secrets;
 * this catches what slips through.
 * Immutable and thread-safe.
 */
public final class Redaction {
    /** What a masked secret reads as. */
    public static final String MASK = "***";
    /** Configured values shorter than this are not masked by value (masking "abc" would mangle ordinary words). */
    static final int MIN_SECRET_LENGTH = 8;

    private static final String SECRET_NAMES = "password|passwd|pwd|pass|secret|token|access_token|accesstoken"
            + "|api_key|apikey|api-key|auth|jwt|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token"
            + "|client_secret|proxy_password|proxypassword";

    private static final List<Rule> SHAPES = List.of(
            // scheme://user:password@host (the user kept); the last '@' before the host, as a password may hold one
            new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)([^\\s/?#:@\"'<>]*):([^\\s/?#\"'<>]*)@"),
                    m -> m.group(1) + m.group(2) + ":" + MASK + "@"),
            // scheme://credential@host, a user info without a password (a proxy's API key as the user name)
            new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)([^\\s/?#:@\"'<>*]+)@"),
                    m -> m.group(1) + MASK + "@"),
            // Authorization: Bearer …, Proxy-Authorization: Basic …, X-API-Key: …, as a header or a JSON/map field
            new Rule(Pattern.compile("(?i)\\b((?:proxy-)?authorization|x-api-key|cookie|set-cookie)([\"']?+\\s*+[:=]\\s*+[\"']?+)"
                    // not a placeholder ($KEY, ${TOKEN}) that names no value
                    + "(?!(?:(?:bearer|basic)\\s+)?[$])([^\"'\\r\\n,}\\]]+)"), m -> m.group(1) + m.group(2) + MASK),
            new Rule(Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=\\-]{4,}"), m -> m.group(1) + " " + MASK),
            // "password": "…" and the like in JSON
            new Rule(Pattern.compile("(?i)(\"(?:" + SECRET_NAMES + ")\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\""),
                    m -> m.group(1) + MASK + "\""),
            // ?token=…, &password=…, password=… in a connection string or a message
            new Rule(Pattern.compile("(?i)(?<=^|[?&;\\s,(\"'])(" + SECRET_NAMES + ")=([^&\\s\"'#,;)]+)"),
                    m -> m.group(1) + "=" + MASK),
            // Porthole's API keys, access tokens and viewer-link tokens, wherever they appear
            new Rule(Pattern.compile("\\b(ph|pat|pv)_[A-Za-z0-9_\\-]{16,}"), m -> m.group(1) + "_" + MASK));

    private final List<String> secrets;

    private record Rule(Pattern pattern, java.util.function.Function<Matcher, String> replacement) {
        String apply(String s) {
            var m = pattern.matcher(s);
            if (!m.find()) return s;
            var out = new StringBuilder(s.length());
            do {
                m.appendReplacement(out, Matcher.quoteReplacement(replacement.apply(m)));
            } while (m.find());
            m.appendTail(out);
            return out.toString();
        }
    }

    /** Masks the known shapes, and each of {@code secrets} at least {@value #MIN_SECRET_LENGTH} characters long. */
    public Redaction(Collection<String> secrets) {
        var list = new ArrayList<String>();
        for (var s : secrets) {
            if (s != null && s.length() >= MIN_SECRET_LENGTH && !list.contains(s)) list.add(s);
        }
        // the longest first, so that a secret holding another is masked whole
        list.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(list);
    }

    /** Masks the known shapes only. */
    public static Redaction shapesOnly() {
        return new Redaction(List.of());
    }

    /** {@code text} with every secret it holds masked. */
    public String apply(String text) {
        if (text == null || text.isEmpty()) return text;
        var out = text;
        for (var secret : secrets) {
            if (out.contains(secret)) out = out.replace(secret, MASK);
        }
        for (var rule : SHAPES) out = rule.apply(out);
        return out;
    }
}
