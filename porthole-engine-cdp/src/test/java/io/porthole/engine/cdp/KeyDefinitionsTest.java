package io.porthole.engine.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.action.Keys;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyDefinitionsTest {

    private static KeyDefinitions.KeyDef def(String canonical) {
        return KeyDefinitions.find(canonical).orElseThrow(() -> new AssertionError("no definition for '" + canonical + "'"));
    }

    @Test
    void enterTypesACarriageReturnWithKeyCode13() {
        assertEquals(new KeyDefinitions.KeyDef("Enter", "Enter", 13, "\r", 0), def("Enter"));
    }

    @Test
    void upperAndLowerCaseLettersShareTheirPhysicalKey() {
        assertEquals(new KeyDefinitions.KeyDef("A", "KeyA", 65, "A", 0), def("A"));
        assertEquals(new KeyDefinitions.KeyDef("a", "KeyA", 65, "a", 0), def("a"));
        assertEquals(new KeyDefinitions.KeyDef("z", "KeyZ", 90, "z", 0), def("z"));
    }

    @Test
    void shiftedDigitsAreOnTheirDigitKey() {
        assertEquals(new KeyDefinitions.KeyDef("!", "Digit1", 49, "!", 0), def("!"));
        assertEquals(new KeyDefinitions.KeyDef("1", "Digit1", 49, "1", 0), def("1"));
        assertEquals("Digit0", def(")").code());
        assertEquals("Digit0", def("0").code());
        assertEquals("Digit2", def("@").code());
        assertEquals("Digit9", def("(").code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
            "+|Equal|187", "=|Equal|187", "-|Minus|189", "_|Minus|189", "?|Slash|191", "/|Slash|191",
            "\"|Quote|222", "'|Quote|222", "`|Backquote|192", "~|Backquote|192", "\\|Backslash|220",
            "{|BracketLeft|219", "]|BracketRight|221", ":|Semicolon|186", "<|Comma|188", ">|Period|190"})
    void punctuationIsOnItsUsKeyboardKey(String key, String code, int keyCode) {
        var d = def(key);
        assertEquals(code, d.code());
        assertEquals(keyCode, d.keyCode());
        assertEquals(key, d.text());
    }

    @Test
    void spaceTypesASpace() {
        assertEquals(new KeyDefinitions.KeyDef(" ", "Space", 32, " ", 0), def(" "));
    }

    @Test
    void modifiersAreLeftHandKeysThatTypeNothing() {
        assertEquals(new KeyDefinitions.KeyDef("Shift", "ShiftLeft", 16, "", 1), def("Shift"));
        assertEquals(new KeyDefinitions.KeyDef("Control", "ControlLeft", 17, "", 1), def("Control"));
        assertEquals(new KeyDefinitions.KeyDef("Alt", "AltLeft", 18, "", 1), def("Alt"));
        assertEquals(new KeyDefinitions.KeyDef("Meta", "MetaLeft", 91, "", 1), def("Meta"));
    }

    @ParameterizedTest
    @CsvSource({"Tab, 9", "Backspace, 8", "Delete, 46", "Escape, 27", "ArrowLeft, 37", "ArrowUp, 38",
            "ArrowRight, 39", "ArrowDown, 40", "Home, 36", "End, 35", "PageUp, 33", "PageDown, 34", "Insert, 45",
            "CapsLock, 20", "F1, 112", "F12, 123", "F24, 135"})
    void namedKeysHaveTheirWindowsKeyCodeAndTypeNothing(String key, int keyCode) {
        var d = def(key);
        assertEquals(key, d.key());
        assertEquals(key, d.code());
        assertEquals(keyCode, d.keyCode());
        assertEquals("", d.text());
        assertEquals(0, d.location());
    }

    @Test
    void everyPrintableAsciiCharacterHasAKeyThatTypesIt() {
        for (char c = 0x20; c < 0x7f; c++) {
            var s = String.valueOf(c);
            assertEquals(s, def(s).text(), "text of '" + s + "'");
            assertEquals(s, def(s).key(), "key of '" + s + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"é", "€", "😀", "ß", "Enter ", "enter", "ctrl", "F25"})
    void charactersAndNamesOffTheUsKeyboardHaveNoKey(String canonical) {
        assertEquals(Optional.empty(), KeyDefinitions.find(canonical));
    }

    @Test
    void everyCanonicalNameFromKeysCanBePressed() {
        var names = List.of("shift", "ctrl", "alt", "cmd", "enter", "esc", "tab", "backspace", "delete", "space",
                "up", "down", "left", "right", "home", "end", "pgup", "pgdn", "insert", "capslock", "plus", "minus");
        for (var n : names) assertTrue(KeyDefinitions.find(Keys.canonical(n)).isPresent(), n);
        for (int i = 1; i <= 24; i++) assertTrue(KeyDefinitions.find(Keys.canonical("f" + i)).isPresent(), "f" + i);
    }

    @Test
    void modifierBitsFollowCdp() {
        assertEquals(1, KeyDefinitions.modifierBit("Alt"));
        assertEquals(2, KeyDefinitions.modifierBit("Control"));
        assertEquals(4, KeyDefinitions.modifierBit("Meta"));
        assertEquals(8, KeyDefinitions.modifierBit("Shift"));
        assertEquals(KeyDefinitions.ALT | KeyDefinitions.CTRL | KeyDefinitions.META | KeyDefinitions.SHIFT, 15);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Enter", "a", "A", " ", "ctrl", "shift", "CapsLock"})
    void otherKeysHaveNoModifierBit(String key) {
        assertEquals(0, KeyDefinitions.modifierBit(key));
    }
}
