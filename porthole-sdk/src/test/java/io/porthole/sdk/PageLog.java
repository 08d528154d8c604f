package io.porthole.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The input fixture page's log (one JSON object a line in {@code #log}), read through the html action. */
final class PageLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PageLog() {
    }

    static List<JsonNode> of(String html) {
        int start = html.indexOf("<pre id=\"log\">");
        int end = html.indexOf("</pre>", start);
        var out = new ArrayList<JsonNode>();
        if (start < 0 || end < 0) return out;
        var body = html.substring(start + "<pre id=\"log\">".length(), end)
                .replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        for (var line : body.split("\n")) {
            if (line.isBlank()) continue;
            try {
                out.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static List<JsonNode> ofType(String html, String type) {
        return of(html).stream().filter(n -> n.path("type").asText().equals(type)).toList();
    }
}
