package io.porthole.server.logging;

import java.util.Collection;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sets up the process's log output (java.util.logging, where System.Logger and SLF4J go): the handlers of the root
 * logger (the JDK's console handler, writing to stderr, unless an operator configured others) get the format asked
 * for, and every line is redacted. Called once by {@code porthole} at start, before the server logs.
 */
public final class Logs {
    /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    private static final Logger PORTHOLE = Logger.getLogger("io.porthole");

    private Logs() {}

    /**
     * @param format text or JSON
     * @param level the least level of Porthole's own loggers ({@code io.porthole.*}) that is written; empty: as
     *     java.util.logging is configured
     * @param secrets the values this server was configured with that must never be logged (masked by value; shorter
     *     than {@value Redaction#MIN_SECRET_LENGTH} characters are left to the shape rules)
     */
    public static void configure(LogFormat format, Optional<Level> level, Collection<String> secrets) {
        var redaction = new Redaction(secrets);
        level.ifPresent(PORTHOLE::setLevel);
        for (Handler h : Logger.getLogger("").getHandlers()) {
            // the console handler lets INFO and above through: lower it to what was asked for
            level.filter(l -> h.getLevel().intValue() > l.intValue()).ifPresent(h::setLevel);
            var current = h.getFormatter();
            if (current instanceof RedactingFormatter || current instanceof JsonLogFormatter) continue;
            h.setFormatter(switch (format) {
                case JSON -> new JsonLogFormatter(redaction);
                case TEXT -> new RedactingFormatter(current == null ? new SimpleFormatter() : current, redaction);
            });
        }
    }
}
