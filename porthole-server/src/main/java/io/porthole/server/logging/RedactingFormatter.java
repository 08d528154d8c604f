package io.porthole.server.logging;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The text format: another formatter's lines (the JDK's {@code SimpleFormatter} with the format {@code Main} sets,
 * or one an operator configured) with {@link Redaction} applied to the whole line, stack trace included.
 * Thread-safe if the wrapped formatter is.
 */
public final class RedactingFormatter extends Formatter {
    private final Formatter inner;
    private final Redaction redaction;

    public RedactingFormatter(Formatter inner, Redaction redaction) {
        this.inner = inner;
        this.redaction = redaction;
    }

    @Override
    public String format(LogRecord record) {
        return redaction.apply(inner.format(record));
    }

    @Override
    public String getHead(java.util.logging.Handler h) {
        return inner.getHead(h);
    }

    @Override
    public String getTail(java.util.logging.Handler h) {
        return inner.getTail(h);
    }
}
