package io.porthole.server.logging;

import java.util.Locale;

/** How log lines are written ({@code PORTHOLE_LOG_FORMAT}): plain text, or one JSON object a line (ADR 0034). */
public enum LogFormat {
    /** {@code 2026-12-07T10:50:14.123Z INFO io.porthole.core.Computers: computer … running (1280x720)}. */
    TEXT,
    /** One JSON object a line for log shippers: {@link JsonLogFormatter}. */
    JSON;

    /**
     * The format {@code value} names, case aside.
     *
     * @throws IllegalArgumentException naming the setting, if it is neither
     */
    public static LogFormat parse(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException(key + " must be text or json, not '" + value + "'");
        };
    }
}
