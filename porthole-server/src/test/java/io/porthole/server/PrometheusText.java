package io.porthole.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4, written from its specification (the
 * Prometheus Java client writes the format but does not read it). It refuses what a Prometheus server would:
 * a line that is neither a comment nor a sample, a bad metric or label name, a bad escape, a value that is not
 * a float, a {@code # TYPE} after its metric's samples or twice, a family whose samples are not together, a series
 * given twice, a histogram without its {@code +Inf} bucket or whose buckets decrease or whose {@code +Inf} bucket is
 * not its count, and a body that does not end in a line feed.
 */
final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: its metric name, its labels (sorted by name), its value. */
    record Sample(String name, Map<String, String> labels, double value) {
        String key() {
            return key(name, labels);
        }

        static String key(String name, Map<String, String> labels) {
            var sb = new StringBuilder(name).append('{');
            new TreeMap<>(labels).forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
            return sb.append('}').toString();
        }
    }

    private final Map<String, String> types;
    private final Map<String, Sample> samples;

    private PrometheusText(Map<String, String> types, Map<String, Sample> samples) {
        this.types = types;
        this.samples = samples;
    }

    /** The metric families' types, by family name. */
    Map<String, String> types() {
        return types;
    }

    List<Sample> samples() {
        return List.copyOf(samples.values());
    }

    /** The value of one series, or 0 when it is absent (a counter or a gauge not yet reported). */
    double value(String name, Map<String, String> labels) {
        var s = samples.get(Sample.key(name, labels));
        return s == null ? 0 : s.value();
    }

    boolean has(String name) {
        return samples.values().stream().anyMatch(s -> s.name().equals(name));
    }

    /** The sum over every series of {@code name} whose labels include {@code match}. */
    double sum(String name, Map<String, String> match) {
        return samples.values().stream().filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(match.entrySet())).mapToDouble(Sample::value).sum();
    }

    static PrometheusText parse(String body) {
        if (!body.isEmpty() && !body.endsWith("\n")) throw new IllegalArgumentException("the body must end in a line feed");
        var types = new LinkedHashMap<String, String>();
        var samples = new LinkedHashMap<String, Sample>();
        var finished = new HashSet<String>();
        String current = null;
        int n = 0;
        for (var line : body.split("\n", -1)) {
            n++;
            if (line.isEmpty()) continue;
            try {
                if (line.startsWith("#")) {
                    var parts = line.split(" ", 4);
                    if (parts.length >= 3 && parts[0].equals("#") && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                        var family = parts[2];
                        if (!METRIC_NAME.matcher(family).matches()) throw new IllegalArgumentException("bad name " + family);
                        if (parts[1].equals("TYPE")) {
                            if (parts.length != 4 || !TYPES.contains(parts[3])) throw new IllegalArgumentException("bad type");
                            if (types.containsKey(family)) throw new IllegalArgumentException("a second TYPE for " + family);
                            if (finished.contains(family) || family.equals(current)) {
                                throw new IllegalArgumentException("TYPE of " + family + " after its samples");
                            }
                            types.put(family, parts[3]);
                        } else if (parts.length == 4) {
                            unescape(parts[3], false);
                        }
                    }
                    continue;
                }
                var s = sample(line);
                var family = familyOf(s.name(), types);
                if (!family.equals(current)) {
                    if (current != null) finished.add(current);
                    if (finished.contains(family)) throw new IllegalArgumentException("the samples of " + family + " are not together");
                    current = family;
                }
                if (samples.put(s.key(), s) != null) throw new IllegalArgumentException("the series " + s.key() + " twice");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + n + ": " + e.getMessage() + ": " + line, e);
            }
        }
        checkHistograms(types, samples);
        return new PrometheusText(Map.copyOf(types), samples);
    }

    /** The family a sample belongs to: a histogram's or summary's suffixed series belong to it. */
    private static String familyOf(String name, Map<String, String> types) {
        for (var suffix : List.of("_bucket", "_sum", "_count")) {
            if (name.endsWith(suffix)) {
                var base = name.substring(0, name.length() - suffix.length());
                var type = types.get(base);
                if ("histogram".equals(type) || ("summary".equals(type) && !suffix.equals("_bucket"))) return base;
            }
        }
        return name;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        var name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) throw new IllegalArgumentException("bad metric name '" + name + "'");
        var labels = new LinkedHashMap<String, String>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= line.length()) throw new IllegalArgumentException("unterminated labels");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) throw new IllegalArgumentException("a label without '='");
                var label = line.substring(i, eq);
                if (!LABEL_NAME.matcher(label).matches()) throw new IllegalArgumentException("bad label name '" + label + "'");
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') throw new IllegalArgumentException("unquoted label value");
                int j = eq + 2;
                var raw = new StringBuilder();
                while (true) {
                    if (j >= line.length()) throw new IllegalArgumentException("unterminated label value");
                    char c = line.charAt(j);
                    if (c == '\\') {
                        if (j + 1 >= line.length()) throw new IllegalArgumentException("a lone backslash");
                        raw.append(c).append(line.charAt(j + 1));
                        j += 2;
                        continue;
                    }
                    if (c == '"') break;
                    raw.append(c);
                    j++;
                }
                if (labels.put(label, unescape(raw.toString(), true)) != null) {
                    throw new IllegalArgumentException("the label " + label + " twice");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') i++;
                else if (i >= line.length() || line.charAt(i) != '}') throw new IllegalArgumentException("expected ',' or '}'");
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') throw new IllegalArgumentException("no value");
        var rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2) throw new IllegalArgumentException("expected a value and an optional timestamp");
        double value = number(rest[0]);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad timestamp '" + rest[1] + "'");
            }
        }
        return new Sample(name, labels, value);
    }

    private static double number(String s) {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                    throw new IllegalArgumentException("bad value '" + s + "'");
                }
                return Double.parseDouble(s);
        }
    }

    /** Label values may escape {@code \\}, {@code \"} and {@code \n}; HELP text {@code \\} and {@code \n}. */
    private static String unescape(String s, boolean quote) {
        var sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i + 1 >= s.length()) throw new IllegalArgumentException("a lone backslash");
            char e = s.charAt(++i);
            switch (e) {
                case '\\' -> sb.append('\\');
                case 'n' -> sb.append('\n');
                case '"' -> {
                    if (!quote) throw new IllegalArgumentException("\\\" in HELP text");
                    sb.append('"');
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e);
            }
        }
        return sb.toString();
    }

    private static void checkHistograms(Map<String, String> types, Map<String, Sample> samples) {
        var buckets = new HashMap<String, List<Sample>>();
        for (var s : samples.values()) {
            if (!s.name().endsWith("_bucket") || !"histogram".equals(types.get(s.name().substring(0, s.name().length() - 7)))) continue;
            if (!s.labels().containsKey("le")) throw new IllegalArgumentException(s.key() + " has no 'le'");
            var rest = new LinkedHashMap<>(s.labels());
            rest.remove("le");
            buckets.computeIfAbsent(Sample.key(s.name(), rest), k -> new ArrayList<>()).add(s);
        }
        buckets.forEach((series, list) -> {
            list.sort((a, b) -> Double.compare(number(a.labels().get("le")), number(b.labels().get("le"))));
            double last = -1;
            for (var b : list) {
                if (b.value() < last) throw new IllegalArgumentException(series + ": buckets decrease at le=" + b.labels().get("le"));
                last = b.value();
            }
            var top = list.getLast();
            if (!top.labels().get("le").equals("+Inf")) throw new IllegalArgumentException(series + " has no +Inf bucket");
            var base = top.name().substring(0, top.name().length() - 7);
            var rest = new LinkedHashMap<>(top.labels());
            rest.remove("le");
            var count = samples.get(Sample.key(base + "_count", rest));
            if (count == null || count.value() != top.value()) {
                throw new IllegalArgumentException(series + ": the +Inf bucket is not the count");
            }
        });
    }
}
