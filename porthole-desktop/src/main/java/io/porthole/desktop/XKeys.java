package io.porthole.desktop;

import java.util.Map;

/** Canonical key names (DOM {@code KeyboardEvent.key} values) and characters to X keysyms. */
final class XKeys {
    static final int SHIFT_L = 0xffe1;
    static final int ISO_LEVEL3_SHIFT = 0xfe03;
    private static final int RETURN = 0xff0d;
    private static final int TAB = 0xff09;
    private static final int BACKSPACE = 0xff08;
    private static final int ESCAPE = 0xff1b;
    private static final int DELETE = 0xffff;
    private static final int F1 = 0xffbe;

    private static final Map<String, Integer> NAMED = Map.ofEntries(
            Map.entry("Shift", SHIFT_L), Map.entry("Control", 0xffe3), Map.entry("Alt", 0xffe9),
            Map.entry("Meta", 0xffeb), // Super_L
            Map.entry("Enter", RETURN), Map.entry("Escape", ESCAPE), Map.entry("Tab", TAB),
            Map.entry("Backspace", BACKSPACE), Map.entry("Delete", DELETE),
            Map.entry("ArrowUp", 0xff52), Map.entry("ArrowDown", 0xff54), Map.entry("ArrowLeft", 0xff51),
            Map.entry("ArrowRight", 0xff53), Map.entry("Home", 0xff50), Map.entry("End", 0xff57),
            Map.entry("PageUp", 0xff55), Map.entry("PageDown", 0xff56), Map.entry("Insert", 0xff63),
            Map.entry("CapsLock", 0xffe5));

    private XKeys() {}

    /**
     * The keysym of a canonical key name: a named key, {@code F1}-{@code F24}, or a single character.
     *
     * @throws IllegalArgumentException for a name that is none of those (the parser lets none through)
     */
    static int keysym(String canonical) {
        var named = NAMED.get(canonical);
        if (named != null) return named;
        if (canonical.matches("F([1-9]|1[0-9]|2[0-4])")) return F1 + Integer.parseInt(canonical.substring(1)) - 1;
        if (canonical.codePointCount(0, canonical.length()) == 1) return ofCodePoint(canonical.codePointAt(0));
        throw new IllegalArgumentException("no X key for '" + canonical + "'");
    }

    /**
     * The keysym that types {@code codePoint}: Latin-1 characters are their own keysyms, every other character is
     * {@code 0x01000000 + codePoint} (X's Unicode keysyms), and the control characters a text holds are their keys
     * (newline and carriage return are Return).
     */
    static int ofCodePoint(int codePoint) {
        return switch (codePoint) {
            case '\n', '\r' -> RETURN;
            case '\t' -> TAB;
            case '\b' -> BACKSPACE;
            case 0x1b -> ESCAPE;
            case 0x7f -> DELETE;
            default -> (codePoint >= 0x20 && codePoint < 0x7f) || (codePoint >= 0xa0 && codePoint <= 0xff)
                    ? codePoint : 0x01000000 + codePoint;
        };
    }
}
