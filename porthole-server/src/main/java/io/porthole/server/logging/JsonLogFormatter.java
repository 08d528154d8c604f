package io.porthole.server.logging;

import io.porthole.core.LogContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One JSON object a line, for log shippers: {@code ts} (ISO-8601, UTC, milliseconds), {@code level} (ERROR, WARN,
 * INFO, DEBUG, TRACE), {@code logger}, {@code message}, {@code thread}; {@code computer_id} and {@code tenant} when
 * the line is about a computer ({@link LogContext}, read on the logging thread, so the handler must format there,
 * as the JDK's console handler does); {@code exception} (type, message and stack trace as one string) when the
 * record carries one. Every string passes through {@link Redaction} and is escaped to ASCII: quotes, backslashes,
 * control characters, and everything past U+007F as {@code \\uXXXX} (a character outside the BMP as its two
 * surrogates; a lone surrogate as U+FFFD), so a line is valid JSON whatever a message holds and whatever the
 * console's encoding. Thread-safe.
 */
public final class JsonLogFormatter extends Formatter {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Redaction redaction;

    public JsonLogFormatter(Redaction redaction) {
        this.redaction = redaction;
    }

    @Override
    public String format(LogRecord r) {
        var out = new StringBuilder(256);
        out.append('{');
        field(out, "ts", TS.format(r.getInstant()));
        out.append(',');
        field(out, "level", level(r.getLevel()));
        out.append(',');
        field(out, "logger", r.getLoggerName() == null ? "" : r.getLoggerName());
        out.append(',');
        field(out, "message", redaction.apply(formatMessage(r)));
        out.append(',');
        field(out, "thread", thread(r));
        LogContext.current().ifPresent(s -> {
            out.append(',');
            field(out, "computer_id", s.computerId());
            s.tenant().ifPresent(t -> {
                out.append(',');
                field(out, "tenant", t);
            });
        });
        if (r.getThrown() != null) {
            var trace = new StringWriter();
            try (var w = new PrintWriter(trace)) {
                r.getThrown().printStackTrace(w);
            }
            out.append(',');
            field(out, "exception", redaction.apply(trace.toString().stripTrailing()));
        }
        return out.append("}\n").toString();
    }

    /** Levels as log shippers name them. */
    static String level(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) return "ERROR";
        if (v >= Level.WARNING.intValue()) return "WARN";
        if (v >= Level.INFO.intValue()) return "INFO";
        if (v >= Level.FINE.intValue()) return "DEBUG";
        return "TRACE";
    }

    /** The logging thread's name when it is the record's (it is, with a synchronous handler), else its id. */
    private static String thread(LogRecord r) {
        var t = Thread.currentThread();
        if (t.threadId() != r.getLongThreadID()) return "#" + r.getLongThreadID();
        var name = t.getName();
        if (!name.isEmpty()) return name;
        return (t.isVirtual() ? "virtual-" : "thread-") + t.threadId();
    }

    private static void field(StringBuilder out, String name, String value) {
        string(out, name);
        out.append(':');
        string(out, value);
    }

    /** {@code s} as a JSON string of ASCII characters only. */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        out.append(c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        unicode(out, c);
                        unicode(out, s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicode(out, '\ufffd');
                    } else {
                        unicode(out, c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }
}
