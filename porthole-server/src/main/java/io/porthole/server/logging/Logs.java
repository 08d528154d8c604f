package io.porthole.server.logging;

import java.util.Collection;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sets up the process's log output (java.util.logging, where System.Logger and SLF4J go): the handlers of the root
 * logger (the JDK's console handler, writing to stderr, unless an operator configured others) get the format asked
 * for, and every line is redacted. Called once by {@code porthole} at start, before the server logs.
 */
public final class Logs {
    private Logs() {}

    /**
     * @param format text or JSON
     * @param secrets the values this server was configured with that must never be logged (masked by value; shorter
     *     than {@value Redaction#MIN_SECRET_LENGTH} characters are left to the shape rules)
     */
    public static void configure(LogFormat format, Collection<String> secrets) {
        var redaction = new Redaction(secrets);
        for (Handler h : Logger.getLogger("").getHandlers()) {
            var current = h.getFormatter();
            if (current instanceof RedactingFormatter || current instanceof JsonLogFormatter) continue;
            h.setFormatter(switch (format) {
                case JSON -> new JsonLogFormatter(redaction);
                case TEXT -> new RedactingFormatter(current == null ? new SimpleFormatter() : current, redaction);
            });
        }
    }
}
