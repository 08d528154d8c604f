package io.porthole.core.action;

import io.porthole.core.PortholeException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a computer may be navigated to: web pages only ({@code http}, {@code https}, {@code data},
 * {@code about:blank}). Never the host's files ({@code file:}), the browser's own pages ({@code chrome:}) or
 * script URLs. A bare host such as {@code example.com} or {@code localhost:8080} gets {@code https://}.
 */
public final class Urls {
    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");
    private static final Pattern HOST_PORT = Pattern.compile("^[^/:?#]+:\\d+([/?#].*)?$");

    private Urls() {}

    public static String navigable(String url) {
        var u = url.strip();
        if (u.equalsIgnoreCase("about:blank")) return "about:blank";
        var m = SCHEME.matcher(u);
        if (!m.find() || HOST_PORT.matcher(u).matches()) {
            u = "https://" + u;
            m = SCHEME.matcher(u);
            m.find();
        }
        var scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("data")) {
            throw new PortholeException.InvalidRequest("only http, https and data URLs can be opened, not '" + scheme + ":'");
        }
        if (!scheme.equals("data")) {
            // the host is checked the way Chromium reads it, not java.net.URI's stricter grammar: names with
            // '_' (docker-compose services) and international names are fine; spaces are escaped by the browser
            var rest = u.substring(m.end());
            if (!rest.startsWith("//")) throw new PortholeException.InvalidRequest("'" + url + "' has no host");
            var authority = rest.substring(2).split("[/?#]", 2)[0];
            var host = authority.substring(authority.lastIndexOf('@') + 1);
            if (host.isEmpty() || host.startsWith(":") || host.chars().anyMatch(Character::isWhitespace)) {
                throw new PortholeException.InvalidRequest("'" + url + "' has no host");
            }
        }
        return u;
    }
}
