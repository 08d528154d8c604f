package io.porthole.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a multi-step operation's time went: each {@link #lap} closes a step that began at the previous lap (or at
 * creation). Logged at DEBUG along the create path, and read back from those records by porthole-bench to print
 * a breakdown. Costs a {@link System#nanoTime} per step. Thread-safe.
 */
public final class Steps {
    /** One step: its name and how long it took, in nanoseconds. */
    public record Step(String name, long nanos) {}

    private final long start = System.nanoTime();
    private long last = start;
    private final List<Step> steps = new ArrayList<>();

    /** Ends the current step, naming it, and starts the next. */
    public synchronized void lap(String name) {
        long now = System.nanoTime();
        steps.add(new Step(name, now - last));
        last = now;
    }

    /** Adds a step measured elsewhere (on another thread, or by a callee), without moving the current one. */
    public synchronized void add(String name, long nanos) {
        steps.add(new Step(name, nanos));
    }

    public synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    /** From creation to the last lap. */
    public synchronized long totalNanos() {
        return last - start;
    }

    @Override
    public synchronized String toString() {
        var out = new StringBuilder();
        for (var s : steps) {
            if (!out.isEmpty()) out.append(", ");
            out.append(s.name()).append(' ').append(String.format(Locale.ROOT, "%.1f", s.nanos() / 1e6)).append(" ms");
        }
        return out.append(String.format(Locale.ROOT, " (%.1f ms)", totalNanos() / 1e6)).toString();
    }
}
