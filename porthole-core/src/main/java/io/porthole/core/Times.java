package io.porthole.core;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Wire timestamps: RFC 3339 in UTC with milliseconds. */
public final class Times {
    private Times() {}

    public static String format(Instant t) {
        return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }
}
