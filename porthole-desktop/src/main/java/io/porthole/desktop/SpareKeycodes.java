package io.porthole.desktop;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The keycodes that had no keysym, which the typist gives the characters the keyboard map lacks, and when each was
 * last used. A keycode is given a new keysym only once {@code settle} has passed since the key events that used it
 * were processed by the X server: the window they went to may not have read them yet, and a window that reads the
 * change of map first types the new character. The least recently used keycode goes first. Not thread-safe.
 */
final class SpareKeycodes {
    /** Sleeps for the given nanoseconds. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long settleNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    /** Keycode to the clock when it was last used, or Long.MIN_VALUE if never, in the order of the keycodes. */
    private final Map<Integer, Long> lastUsed = new LinkedHashMap<>();

    SpareKeycodes(long settleNanos, LongSupplier clock, Sleeper sleeper) {
        this.settleNanos = settleNanos;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Makes {@code keycodes} the spare ones, keeping what is known of those that were spare before. */
    void reset(Collection<Integer> keycodes) {
        lastUsed.keySet().retainAll(Set.copyOf(keycodes));
        for (int k : keycodes) lastUsed.putIfAbsent(k, Long.MIN_VALUE);
    }

    boolean isSpare(int keycode) {
        return lastUsed.containsKey(keycode);
    }

    Set<Integer> keycodes() {
        return Set.copyOf(lastUsed.keySet());
    }

    /** How many spare keycodes are not in {@code pinned}. */
    int available(Set<Integer> pinned) {
        return (int) lastUsed.keySet().stream().filter(k -> !pinned.contains(k)).count();
    }

    /**
     * The least recently used spare keycode not in {@code pinned}, once it has settled (waiting at most the settle
     * time), or -1 if every one is pinned.
     */
    int take(Set<Integer> pinned) throws InterruptedException {
        int best = -1;
        long bestUsed = Long.MAX_VALUE;
        for (var e : lastUsed.entrySet()) {
            if (!pinned.contains(e.getKey()) && e.getValue() < bestUsed) {
                best = e.getKey();
                bestUsed = e.getValue();
            }
        }
        if (best < 0) return -1;
        if (bestUsed != Long.MIN_VALUE) {
            long wait = bestUsed + settleNanos - clock.getAsLong();
            if (wait > 0) sleeper.sleep(Math.min(wait, settleNanos));
        }
        return best;
    }

    /** Records that the key events using {@code keycodes} have been processed by the server just now. */
    void used(Collection<Integer> keycodes) {
        long now = clock.getAsLong();
        for (int k : keycodes) lastUsed.computeIfPresent(k, (key, old) -> now);
    }
}
