package io.porthole.engine.cdp;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Canonical key names (see {@code io.porthole.core.action.Keys}) to what CDP's {@code Input.dispatchKeyEvent}
 * needs on a US keyboard: DOM {@code key}, {@code code}, the legacy {@code keyCode}, and the text it types.
 */
final class KeyDefinitions {
    /** One physical key. {@code text} is empty for keys that type nothing. */
    record KeyDef(String key, String code, int keyCode, String text, int location) {}

    static final int ALT = 1;
    static final int CTRL = 2;
    static final int META = 4;
    static final int SHIFT = 8;

    private static final Map<String, KeyDef> KEYS = new HashMap<>();

    static {
        named("Shift", "ShiftLeft", 16, 1);
        named("Control", "ControlLeft", 17, 1);
        named("Alt", "AltLeft", 18, 1);
        named("Meta", "MetaLeft", 91, 1);
        KEYS.put("Enter", new KeyDef("Enter", "Enter", 13, "\r", 0));
        KEYS.put("Tab", new KeyDef("Tab", "Tab", 9, "", 0));
        named("Backspace", "Backspace", 8, 0);
        named("Delete", "Delete", 46, 0);
        named("Escape", "Escape", 27, 0);
        named("ArrowUp", "ArrowUp", 38, 0);
        named("ArrowDown", "ArrowDown", 40, 0);
        named("ArrowLeft", "ArrowLeft", 37, 0);
        named("ArrowRight", "ArrowRight", 39, 0);
        named("Home", "Home", 36, 0);
        named("End", "End", 35, 0);
        named("PageUp", "PageUp", 33, 0);
        named("PageDown", "PageDown", 34, 0);
        named("Insert", "Insert", 45, 0);
        named("CapsLock", "CapsLock", 20, 0);
        for (int i = 1; i <= 24; i++) named("F" + i, "F" + i, 111 + i, 0);
        KEYS.put(" ", new KeyDef(" ", "Space", 32, " ", 0));
        for (char c = 'a'; c <= 'z'; c++) {
            var code = "Key" + Character.toUpperCase(c);
            KEYS.put(String.valueOf(c), new KeyDef(String.valueOf(c), code, Character.toUpperCase(c), String.valueOf(c), 0));
            var upper = String.valueOf(Character.toUpperCase(c));
            KEYS.put(upper, new KeyDef(upper, code, Character.toUpperCase(c), upper, 0));
        }
        var shiftedDigits = ")!@#$%^&*(";
        for (int d = 0; d <= 9; d++) {
            var s = String.valueOf((char) ('0' + d));
            KEYS.put(s, new KeyDef(s, "Digit" + d, 48 + d, s, 0));
            var shifted = String.valueOf(shiftedDigits.charAt(d));
            KEYS.put(shifted, new KeyDef(shifted, "Digit" + d, 48 + d, shifted, 0));
        }
        punct("`", "~", "Backquote", 192);
        punct("-", "_", "Minus", 189);
        punct("=", "+", "Equal", 187);
        punct("[", "{", "BracketLeft", 219);
        punct("]", "}", "BracketRight", 221);
        punct("\\", "|", "Backslash", 220);
        punct(";", ":", "Semicolon", 186);
        punct("'", "\"", "Quote", 222);
        punct(",", "<", "Comma", 188);
        punct(".", ">", "Period", 190);
        punct("/", "?", "Slash", 191);
    }

    private KeyDefinitions() {}

    private static void named(String key, String code, int keyCode, int location) {
        KEYS.put(key, new KeyDef(key, code, keyCode, "", location));
    }

    private static void punct(String plain, String shifted, String code, int keyCode) {
        KEYS.put(plain, new KeyDef(plain, code, keyCode, plain, 0));
        KEYS.put(shifted, new KeyDef(shifted, code, keyCode, shifted, 0));
    }

    /** The key for a canonical name; empty for characters a US keyboard does not have (typed as text). */
    static Optional<KeyDef> find(String canonical) {
        return Optional.ofNullable(KEYS.get(canonical));
    }

    /** The modifier bit of a canonical modifier name, or 0. */
    static int modifierBit(String canonical) {
        return switch (canonical) {
            case "Alt" -> ALT;
            case "Control" -> CTRL;
            case "Meta" -> META;
            case "Shift" -> SHIFT;
            default -> 0;
        };
    }
}
