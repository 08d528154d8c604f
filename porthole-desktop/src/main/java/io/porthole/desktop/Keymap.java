package io.porthole.desktop;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The X server's core keyboard map as the typist uses it: for each keysym, the keycode that types it and the
 * modifier keys to hold (Shift for the second column, the ISO_Level3_Shift key, AltGr, for the fifth and sixth),
 * preferring no modifier. Columns 2 and 3 (a second group) are not used: switching groups is not a key to hold.
 * Not thread-safe.
 */
final class Keymap {
    /** A keycode to press, the column of its keysym, and the modifier keycodes to hold around it. */
    record Stroke(int keycode, int column, int[] modifiers) {}

    private static final int[] COLUMNS = {0, 1, 4, 5};

    private final int first;
    private final int per;
    private final int[] keysyms;
    private final int shift;
    private final int level3;
    private final Map<Integer, Stroke> byKeysym = new HashMap<>();

    /**
     * @param modifiers the keycodes of each of the 8 modifiers, as {@link X11Connection#modifierMapping} answers
     */
    Keymap(X11Connection.KeyboardMapping mapping, int[][] modifiers) {
        this.first = mapping.firstKeycode();
        this.per = mapping.perKeycode();
        this.keysyms = mapping.keysyms().clone();
        // a modifier key is one the modifier map holds: Shift's first, and the one of any that types Level3
        this.shift = modifiers.length > 0 && modifiers[0].length > 0 ? modifiers[0][0] : 0;
        int l3 = 0;
        for (var keys : modifiers) {
            for (int k : keys) {
                if (l3 == 0 && keysym(k, 0) == XKeys.ISO_LEVEL3_SHIFT) l3 = k;
            }
        }
        this.level3 = l3;
        index();
    }

    private void index() {
        byKeysym.clear();
        for (int column : COLUMNS) {
            if (column >= per) break;
            var mods = modifiersFor(column);
            if (mods == null) continue;
            for (int k = first; k < first + count(); k++) {
                int sym = keysym(k, column);
                if (sym != 0) byKeysym.putIfAbsent(sym, new Stroke(k, column, mods));
            }
        }
    }

    /** The modifiers a column needs, or null if this map has no key for one of them. */
    private int[] modifiersFor(int column) {
        return switch (column) {
            case 0 -> new int[0];
            case 1 -> shift == 0 ? null : new int[] {shift};
            case 4 -> level3 == 0 ? null : new int[] {level3};
            case 5 -> shift == 0 || level3 == 0 ? null : new int[] {shift, level3};
            default -> null;
        };
    }

    private int count() {
        return per == 0 ? 0 : keysyms.length / per;
    }

    int keysym(int keycode, int column) {
        int i = (keycode - first) * per + column;
        return column < per && i >= 0 && i < keysyms.length ? keysyms[i] : 0;
    }

    /** How to type {@code keysym} with this map, if it can. */
    Optional<Stroke> find(int keysym) {
        return Optional.ofNullable(byKeysym.get(keysym));
    }

    /** The keycodes that have no keysym at all. */
    int[] emptyKeycodes() {
        return IntStream.range(first, first + count())
                .filter(k -> IntStream.range(0, per).allMatch(c -> keysym(k, c) == 0)).toArray();
    }

    /** Whether column 1 can be typed (the map has a Shift key). */
    boolean hasShift() {
        return shift != 0;
    }

    /**
     * The columns to give a spare {@code keycode} whose first two columns (its levels without and with Shift) should
     * hold these keysyms ({@code 0} for none); the other columns have none.
     */
    int[] columns(int level1, int level2) {
        var columns = new int[Math.max(per, 2)];
        columns[0] = level1;
        columns[1] = level2;
        return columns;
    }

    /**
     * Whether {@code keycode}'s first two columns are these, and no other column has a keysym of its own (the
     * server repeats the first group's keysyms in the second group's columns).
     */
    boolean holds(int keycode, int level1, int level2) {
        if (per < 2 || keysym(keycode, 0) != level1 || keysym(keycode, 1) != level2) return false;
        return IntStream.range(2, per).allMatch(c -> {
            int k = keysym(keycode, c);
            return k == 0 || k == level1 || k == level2;
        });
    }

    /** Records that column {@code column} (0 or 1) of {@code keycode} now holds {@code keysym} (this client set it). */
    void assign(int keycode, int column, int keysym) {
        if (per < 2) throw new IllegalStateException("a keyboard map of " + per + " keysyms a keycode");
        if (column != 0 && column != 1) throw new IllegalArgumentException("column " + column);
        int base = (keycode - first) * per;
        for (int c = 2; c < per; c++) keysyms[base + c] = 0;
        keysyms[base + column] = keysym;
        index();
    }
}
