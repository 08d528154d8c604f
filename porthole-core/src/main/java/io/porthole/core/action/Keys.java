package io.porthole.core.action;

import io.porthole.core.PortholeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Key names: case-insensitive, with the aliases agents and models send, normalised to the DOM
 * {@code KeyboardEvent.key} value ({@code Control}, {@code Enter}, {@code ArrowUp}, {@code " "}, {@code a}).
 * Engines map these canonical names to their own key codes.
 */
public final class Keys {
    public static final Set<String> MODIFIERS = Set.of("Shift", "Control", "Alt", "Meta");

    private static final Map<String, String> ALIASES = buildAliases();

    private Keys() {}

    private static Map<String, String> buildAliases() {
        var m = new java.util.HashMap<String, String>();
        for (var k : List.of("shift", "lshift", "rshift", "shiftleft", "shiftright")) m.put(k, "Shift");
        for (var k : List.of("ctrl", "control", "ctl", "lctrl", "rctrl", "controlleft", "controlright")) m.put(k, "Control");
        for (var k : List.of("alt", "option", "opt", "lalt", "ralt", "altleft", "altright", "altgr")) m.put(k, "Alt");
        for (var k : List.of("meta", "cmd", "command", "super", "win", "windows", "os", "metaleft", "metaright")) m.put(k, "Meta");
        for (var k : List.of("enter", "return", "kp_enter", "numpadenter")) m.put(k, "Enter");
        for (var k : List.of("escape", "esc")) m.put(k, "Escape");
        m.put("tab", "Tab");
        for (var k : List.of("backspace", "bksp", "back_space")) m.put(k, "Backspace");
        for (var k : List.of("delete", "del")) m.put(k, "Delete");
        for (var k : List.of("space", "spacebar", "space_bar")) m.put(k, " ");
        for (var k : List.of("arrowup", "up", "arrow_up", "uparrow")) m.put(k, "ArrowUp");
        for (var k : List.of("arrowdown", "down", "arrow_down", "downarrow")) m.put(k, "ArrowDown");
        for (var k : List.of("arrowleft", "left", "arrow_left", "leftarrow")) m.put(k, "ArrowLeft");
        for (var k : List.of("arrowright", "right", "arrow_right", "rightarrow")) m.put(k, "ArrowRight");
        m.put("home", "Home");
        m.put("end", "End");
        for (var k : List.of("pageup", "pgup", "page_up", "prior")) m.put(k, "PageUp");
        for (var k : List.of("pagedown", "pgdn", "page_down", "next")) m.put(k, "PageDown");
        for (var k : List.of("insert", "ins")) m.put(k, "Insert");
        for (var k : List.of("capslock", "caps_lock", "caps")) m.put(k, "CapsLock");
        m.put("plus", "+");
        m.put("minus", "-");
        for (int i = 1; i <= 24; i++) m.put("f" + i, "F" + i);
        return Map.copyOf(m);
    }

    /**
     * The canonical name of {@code name}.
     *
     * @throws PortholeException.InvalidRequest if it is neither a known name nor a single character
     */
    public static String canonical(String name) {
        if (name == null || name.isEmpty()) {
            throw new PortholeException.InvalidRequest("a key name must not be empty");
        }
        if (name.codePointCount(0, name.length()) == 1) {
            return name; // any single character, the space included
        }
        var trimmed = name.strip();
        if (trimmed.codePointCount(0, trimmed.length()) == 1) {
            return trimmed; // " c" from "ctrl + c"
        }
        var known = ALIASES.get(trimmed.toLowerCase(Locale.ROOT));
        if (known == null) {
            throw new PortholeException.InvalidRequest("unknown key '" + name
                    + "': use a single character or a name such as Enter, Escape, Tab, Backspace, Delete, Space,"
                    + " ArrowUp, Home, End, PageUp, PageDown, F1-F24, Shift, Control, Alt, Meta");
        }
        return known;
    }

    public static boolean isModifier(String canonical) {
        return MODIFIERS.contains(canonical);
    }

    /**
     * Splits a model-style chord string ({@code "ctrl+c"}, {@code "ctrl++"}) into key names. A lone
     * {@code "+"} is the plus key.
     */
    public static List<String> splitChord(String chord) {
        var out = new ArrayList<String>();
        if (chord.length() <= 1) {
            out.add(chord);
            return out;
        }
        var current = new StringBuilder();
        for (int i = 0; i < chord.length(); i++) {
            char c = chord.charAt(i);
            if (c == '+' && !current.isEmpty()) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.isEmpty()) out.add(current.toString());
        return out;
    }
}
