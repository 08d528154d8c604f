package io.porthole.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a command prints on stdout: aligned tables for people (the default), the server's JSON as it came for scripts
 * ({@code --json}, one document, pretty-printed). Not thread-safe; one per command run.
 */
final class Output {
    private final PrintWriter out;
    private final boolean json;

    Output(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    PrintWriter writer() {
        return out;
    }

    /** One column: its header and how a row's JSON becomes its cell. */
    record Column(String header, Function<JsonNode, String> cell) {
        static Column field(String header, String... path) {
            return new Column(header, n -> text(n, path));
        }
    }

    /** The text at a path of fields, or "-" when it is absent or null. */
    static String text(JsonNode n, String... path) {
        var v = n;
        for (var p : path) v = v.path(p);
        return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? "-" : v.asText();
    }

    /** A list: the JSON array as it came, or a table with a header line. */
    void table(JsonNode items, List<Column> columns) {
        if (json) {
            print(items);
            return;
        }
        var rows = new ArrayList<List<String>>();
        rows.add(columns.stream().map(Column::header).toList());
        for (var item : items) rows.add(columns.stream().map(c -> clean(c.cell().apply(item))).toList());
        aligned(rows);
    }

    /** One object: the JSON as it came, or "field  value" lines in the order given. */
    void object(JsonNode node, List<Column> fields) {
        if (json) {
            print(node);
            return;
        }
        var rows = new ArrayList<List<String>>();
        for (var f : fields) rows.add(List.of(f.header(), clean(f.cell().apply(node))));
        aligned(rows);
    }

    /** A one-line message for people, or the JSON for scripts. */
    void done(JsonNode node, String message) {
        if (json) print(node);
        else out.println(message);
        out.flush();
    }

    void print(JsonNode node) {
        try {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** One JSON document on one line (for streams: NDJSON). */
    void line(JsonNode node) {
        out.println(node.toString());
        out.flush();
    }

    private void aligned(List<List<String>> rows) {
        int n = rows.stream().mapToInt(List::size).max().orElse(0);
        var widths = new int[n];
        for (var r : rows) for (int i = 0; i < r.size(); i++) widths[i] = Math.max(widths[i], r.get(i).length());
        for (var r : rows) {
            var line = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                line.append(r.get(i));
                if (i < r.size() - 1) line.append(" ".repeat(widths[i] - r.get(i).length() + 2));
            }
            out.println(line.toString().stripTrailing());
        }
        out.flush();
    }

    /** A cell on one line: no control characters from the server reach the terminal. */
    private static String clean(String s) {
        var b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString();
    }
}
