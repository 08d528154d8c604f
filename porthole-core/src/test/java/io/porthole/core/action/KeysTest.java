package io.porthole.core.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "ctrl|Control", "CONTROL|Control", "Control|Control", "Ctrl|Control", "ctl|Control", "ControlLeft|Control",
            "shift|Shift", "SHIFT|Shift", "Shift|Shift", "rshift|Shift",
            "alt|Alt", "option|Alt", "opt|Alt", "AltGr|Alt",
            "cmd|Meta", "command|Meta", "super|Meta", "win|Meta", "windows|Meta", "meta|Meta", "Meta|Meta",
            "return|Enter", "enter|Enter", "ENTER|Enter", "kp_enter|Enter",
            "esc|Escape", "Escape|Escape",
            "tab|Tab", "backspace|Backspace", "bksp|Backspace", "del|Delete", "delete|Delete",
            "up|ArrowUp", "arrowup|ArrowUp", "ArrowUp|ArrowUp", "arrow_up|ArrowUp",
            "down|ArrowDown", "left|ArrowLeft", "right|ArrowRight",
            "home|Home", "end|End", "pgup|PageUp", "pageup|PageUp", "pgdn|PageDown", "PageDown|PageDown",
            "page_down|PageDown", "ins|Insert", "caps|CapsLock",
            "plus|+", "minus|-",
            "f1|F1", "f12|F12", "F12|F12", "f24|F24"})
    void aliasesAreCaseInsensitiveAndCanonical(String given, String canonical) {
        assertEquals(canonical, Keys.canonical(given));
    }

    @ParameterizedTest
    @ValueSource(strings = {"space", "Space", "SPACE", "spacebar", "space_bar"})
    void spaceIsTheSpaceCharacter(String given) {
        assertEquals(" ", Keys.canonical(given));
    }

    @Test
    void surroundingWhitespaceAroundANameIsIgnored() {
        assertEquals("Enter", Keys.canonical(" Enter "));
        assertEquals("Control", Keys.canonical("ctrl "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "A", "z", "0", "9", "+", "-", "!", "/", " ", "é", "ß", "😀"})
    void singleCharactersAreKeptAsTheyAre(String given) {
        assertEquals(given, Keys.canonical(given));
    }

    @Test
    void anAstralCharacterIsOneCharacterEvenThoughItIsTwoUtf16Units() {
        var grinning = "😀";
        assertEquals(2, grinning.length());
        assertEquals(grinning, Keys.canonical(grinning));
    }

    @ParameterizedTest
    @ValueSource(strings = {"banana", "ctrlx", "f25", "f0", "ab", "ctrl+c", "Hyper"})
    void unknownMultiCharacterNamesAreRejected(String given) {
        var e = assertThrows(InvalidRequest.class, () -> Keys.canonical(given));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(given), e.getMessage());
    }

    @Test
    void anEmptyOrMissingNameIsRejected() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(InvalidRequest.class, () -> Keys.canonical("")).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(InvalidRequest.class, () -> Keys.canonical(null)).code());
    }

    @Test
    void modifiersAreTheFourCanonicalOnes() {
        for (var m : List.of("Shift", "Control", "Alt", "Meta")) assertTrue(Keys.isModifier(m), m);
        for (var k : List.of("ctrl", "Enter", "a", " ", "CapsLock")) assertFalse(Keys.isModifier(k), k);
    }

    @Test
    void splitChordSplitsOnPlus() {
        assertEquals(List.of("ctrl", "c"), Keys.splitChord("ctrl+c"));
        assertEquals(List.of("ctrl", "shift", "t"), Keys.splitChord("ctrl+shift+t"));
    }

    @Test
    void splitChordReadsADoublePlusAsThePlusKey() {
        assertEquals(List.of("ctrl", "+"), Keys.splitChord("ctrl++"));
        assertEquals(List.of("ctrl", "shift", "+"), Keys.splitChord("ctrl+shift++"));
    }

    @Test
    void aLonePlusIsThePlusKey() {
        assertEquals(List.of("+"), Keys.splitChord("+"));
    }

    @Test
    void aChordWithoutPlusIsOneKey() {
        assertEquals(List.of("Enter"), Keys.splitChord("Enter"));
        assertEquals(List.of("a"), Keys.splitChord("a"));
    }

    @Test
    void splitChordKeepsTheCaseOfEachName() {
        assertEquals(List.of("CTRL", "C"), Keys.splitChord("CTRL+C"));
    }

    @Test
    void aSplitChordCanonicalisesKeyByKey() {
        assertEquals(List.of("Control", "Alt", "Delete"),
                Keys.splitChord("Ctrl+Alt+Del").stream().map(Keys::canonical).toList());
    }

    /*
     * canonical() trims a name before looking up an alias (so "ctrl " and " Enter " are accepted), but the
     * single-character check runs on the untrimmed string first, so " c" (two code points) falls through to
     * the alias table, is trimmed to "c", is not found there, and is rejected. A model-style chord written with
     * spaces, "ctrl + c", therefore fails on its second key only.
     */
    @Test
    void spacesAroundPlusInAChordAreIgnoredForEveryKey() {
        assertEquals(List.of("Control", "c"), Keys.splitChord("ctrl + c").stream().map(Keys::canonical).toList());
    }
}
