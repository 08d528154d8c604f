package io.porthole.desktop;

import java.util.Map;

/** Canonical key names (DOM {@code KeyboardEvent.key} values) to X keysym names, as xdotool takes them. */
final class XKeys {
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("Shift", "shift"), Map.entry("Control", "ctrl"), Map.entry("Alt", "alt"), Map.entry("Meta", "super"),
            Map.entry("Enter", "Return"), Map.entry("Escape", "Escape"), Map.entry("Tab", "Tab"),
            Map.entry("Backspace", "BackSpace"), Map.entry("Delete", "Delete"), Map.entry(" ", "space"),
            Map.entry("ArrowUp", "Up"), Map.entry("ArrowDown", "Down"), Map.entry("ArrowLeft", "Left"),
            Map.entry("ArrowRight", "Right"), Map.entry("Home", "Home"), Map.entry("End", "End"),
            Map.entry("PageUp", "Prior"), Map.entry("PageDown", "Next"), Map.entry("Insert", "Insert"),
            Map.entry("CapsLock", "Caps_Lock"),
            Map.entry("+", "plus"), Map.entry("-", "minus"), Map.entry("=", "equal"), Map.entry("[", "bracketleft"),
            Map.entry("]", "bracketright"), Map.entry("\\", "backslash"), Map.entry(";", "semicolon"),
            Map.entry("'", "apostrophe"), Map.entry(",", "comma"), Map.entry(".", "period"), Map.entry("/", "slash"),
            Map.entry("`", "grave"), Map.entry("~", "asciitilde"), Map.entry("!", "exclam"), Map.entry("@", "at"),
            Map.entry("#", "numbersign"), Map.entry("$", "dollar"), Map.entry("%", "percent"),
            Map.entry("^", "asciicircum"), Map.entry("&", "ampersand"), Map.entry("*", "asterisk"),
            Map.entry("(", "parenleft"), Map.entry(")", "parenright"), Map.entry("_", "underscore"),
            Map.entry("{", "braceleft"), Map.entry("}", "braceright"), Map.entry("|", "bar"), Map.entry(":", "colon"),
            Map.entry("\"", "quotedbl"), Map.entry("<", "less"), Map.entry(">", "greater"), Map.entry("?", "question"));

    private XKeys() {}

    static String keysym(String canonical) {
        var named = NAMED.get(canonical);
        if (named != null) return named;
        if (canonical.matches("F([1-9]|1[0-9]|2[0-4])")) return canonical;
        if (canonical.codePointCount(0, canonical.length()) == 1) {
            int cp = canonical.codePointAt(0);
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) return canonical;
            return String.format("U%04X", cp);
        }
        return canonical;
    }
}
