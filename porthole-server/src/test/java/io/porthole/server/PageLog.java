package io.porthole.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Reads the event log the fixture page input.html keeps in its {@code <pre id="log">}, through the html action. */
final class PageLog {
    private static final Pattern LOG = Pattern.compile("<pre id=\"log\">(.*?)</pre>", Pattern.DOTALL);

    private PageLog() {}

    static List<JsonNode> read(TestServer t, String id) {
        var html = t.action(id, "html", "{}").path("result").path("html_content").asText();
        var m = LOG.matcher(html);
        var out = new ArrayList<JsonNode>();
        if (!m.find()) return out;
        for (var line : m.group(1).split("\n")) {
            if (line.isBlank()) continue;
            try {
                out.add(TestServer.JSON.readTree(line.replace("&quot;", "\"").replace("&amp;", "&")
                        .replace("&lt;", "<").replace("&gt;", ">")));
            } catch (java.io.IOException e) {
                throw new AssertionError("bad log line " + line, e);
            }
        }
        return out;
    }

    static List<JsonNode> ofType(List<JsonNode> log, String type) {
        return log.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }

    static List<JsonNode> where(List<JsonNode> log, Predicate<JsonNode> p) {
        return log.stream().filter(p).toList();
    }
}
