package io.porthole.core;

import java.util.Locale;

/** Lifecycle of a computer: {@code starting → running → terminated}, or {@code failed}. */
public enum ComputerStatus {
    STARTING, RUNNING, TERMINATED, FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isLive() {
        return this == STARTING || this == RUNNING;
    }

    public static ComputerStatus fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
