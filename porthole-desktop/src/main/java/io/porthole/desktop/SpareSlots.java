package io.porthole.desktop;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The places the typist gives the characters the keyboard map lacks: the two levels (without and with Shift) of
 * each keycode that had no keysym, as slots {@code keycode * 2 + level}, and when each was last used. A slot is
 * given a new keysym only once {@code settle} has passed since the key events that used it were processed by the X
 * server: the window they went to may not have read them yet, and a window that reads the change of map first
 * types the new character. Changing one level of a keycode leaves what the other types as it was, so each slot
 * settles on its own. Never-used slots go first, both levels of a keycode together (one change of the map, so one
 * MappingNotify to every client instead of two: the window manager re-grabs its keys for each, and holds a click
 * it has grabbed until it has), then the least recently used. Not thread-safe.
 */
final class SpareSlots {
    /** Sleeps for the given nanoseconds. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final long settleNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    /** Slot to the clock when it was last used, or Long.MIN_VALUE if never, in the order slots are taken. */
    private final Map<Integer, Long> lastUsed = new LinkedHashMap<>();

    SpareSlots(long settleNanos, LongSupplier clock, Sleeper sleeper) {
        this.settleNanos = settleNanos;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    static int slot(int keycode, int level) {
        return keycode * 2 + level;
    }

    static int keycode(int slot) {
        return slot / 2;
    }

    static int level(int slot) {
        return slot % 2;
    }

    /**
     * Makes the slots of {@code keycodes} the spare ones ({@code withShift}: both levels; else the first only),
     * keeping what is known of those that were spare before. Slots not known before count as used just now if their
     * keycode is in {@code given} (characters an earlier typist gave them may still be unread).
     */
    void reset(Collection<Integer> keycodes, boolean withShift, Set<Integer> given) {
        var slots = new ArrayList<Integer>();
        for (int k : keycodes) {
            slots.add(slot(k, 0));
            if (withShift) slots.add(slot(k, 1));
        }
        var old = Map.copyOf(lastUsed);
        long now = clock.getAsLong();
        lastUsed.clear();
        for (int s : slots) lastUsed.put(s, old.getOrDefault(s, given.contains(keycode(s)) ? now : Long.MIN_VALUE));
    }

    boolean isSpare(int slot) {
        return lastUsed.containsKey(slot);
    }

    boolean isSpareKeycode(int keycode) {
        return lastUsed.containsKey(slot(keycode, 0)) || lastUsed.containsKey(slot(keycode, 1));
    }

    /** How many spare slots are not in {@code pinned}. */
    int available(Set<Integer> pinned) {
        return (int) lastUsed.keySet().stream().filter(k -> !pinned.contains(k)).count();
    }

    /**
     * The least recently used spare slot not in {@code pinned}, once it has settled (waiting at most the settle
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

    /** Records that the key events using {@code slots} have been processed by the server just now. */
    void used(Collection<Integer> slots) {
        long now = clock.getAsLong();
        for (int s : slots) lastUsed.computeIfPresent(s, (key, old) -> now);
    }
}
