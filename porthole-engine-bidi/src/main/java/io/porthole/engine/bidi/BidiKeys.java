package io.porthole.engine.bidi;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import java.util.HashMap;
import java.util.Map;

/**
 * Canonical key names (see {@code io.porthole.core.action.Keys}) to WebDriver key values: a single character
 * is itself, a named key is its code point in the WebDriver table (Enter is U+E007, Shift U+E008, …).
 */
final class BidiKeys {
    private static final Map<String, String> NAMED = new HashMap<>();

    static {
        NAMED.put("Backspace", "\uE003");
        NAMED.put("Tab", "\uE004");
        NAMED.put("Enter", "\uE007");
        NAMED.put("Shift", "\uE008");
        NAMED.put("Control", "\uE009");
        NAMED.put("Alt", "\uE00A");
        NAMED.put("Escape", "\uE00C");
        NAMED.put("PageUp", "\uE00E");
        NAMED.put("PageDown", "\uE00F");
        NAMED.put("End", "\uE010");
        NAMED.put("Home", "\uE011");
        NAMED.put("ArrowLeft", "\uE012");
        NAMED.put("ArrowUp", "\uE013");
        NAMED.put("ArrowRight", "\uE014");
        NAMED.put("ArrowDown", "\uE015");
        NAMED.put("Insert", "\uE016");
        NAMED.put("Delete", "\uE017");
        NAMED.put("Meta", "\uE03D");
        for (int i = 1; i <= 12; i++) NAMED.put("F" + i, String.valueOf((char) (0xE031 + i - 1)));
    }

    private BidiKeys() {}

    /**
     * The WebDriver value of a canonical key name.
     *
     * @throws PortholeException.ActionFailed for a named key WebDriver has no value for (F13–F24, CapsLock)
     */
    static String value(String canonical) {
        var named = NAMED.get(canonical);
        if (named != null) return named;
        if (canonical.codePointCount(0, canonical.length()) == 1) return canonical;
        throw new PortholeException.ActionFailed(ErrorCode.INVALID_ARGUMENT,
                "the key '" + canonical + "' cannot be pressed in Firefox (WebDriver has no such key)");
    }

    /** The value for one character of typed text: line breaks are Enter, a tab is Tab. */
    static String forText(String character) {
        return switch (character) {
            case "\n", "\r" -> NAMED.get("Enter");
            case "\t" -> NAMED.get("Tab");
            default -> character;
        };
    }
}
