package io.porthole.core;

import java.util.Locale;

/**
 * Lifecycle of a computer: {@code starting → running ⇄ paused → terminated}, or {@code failed}. The
 * browser-sandboxes API calls {@code terminated} {@code closed}.
 */
public enum ComputerStatus {
    STARTING, RUNNING, PAUSED, TERMINATED, FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isLive() {
        return this == STARTING || this == RUNNING || this == PAUSED;
    }

    public static ComputerStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
