package io.porthole.core.action;

/**
 * The ranges every action's fields must be in and the budget of one request, in one place (the README's "Action
 * limits" lists them). {@link ActionParser} holds each action to the ranges and each batch to the budget, so both
 * API surfaces, batches and RPC lines are held to them alike, before anything runs.
 *
 * <p>Why these numbers: a coordinate outside float range is never answered by Chromium, whose input for that
 * page then stays stuck until it navigates; a coordinate past 32767 wraps around on X11 (its coordinates are 16
 * bits). The budget keeps one request well inside the SDKs' 60 s timeout, after which they send it again and
 * the input is replayed: measured on this project's 2-core test host, Chromium types about 5.5 ms a character,
 * Firefox 3; a desktop 0.2 ms, but a character its keyboard map lacks takes one of 38 spare key levels, each
 * reused only after resting 1 s, so a text of many different such characters goes at about 38 of them a second
 * (ADR 0015); a drag costs about 95 ms a point on Chromium; a desktop wheel click 13 ms (with xdotool; less now).
 */
public final class ActionLimits {
    /** Largest {@code x} or {@code y}, in screenshot pixels (the widest screenshot is 7680 CSS px × 4 = 30720). */
    public static final double MAX_COORDINATE = 32_767;
    /** Largest {@code dx} or {@code dy} of one scroll, either way, in CSS pixels: 100 wheel clicks on a desktop. */
    public static final double MAX_SCROLL_DELTA = 10_000;
    /** Pixels of scrolling one wheel click stands for, as a desktop turns a delta into clicks. */
    public static final int WHEEL_CLICK_PIXELS = 100;
    /** Wheel clicks of one request, both axes of every scroll together (about 2.6 s on a desktop). */
    public static final int MAX_WHEEL_CLICKS = 200;
    /**
     * Characters one request may type, counted by {@link #typingCost}: 4000 took 11.6 s on Chromium and 7.5 s on
     * Firefox on a quiet host (about twice that loaded); on a desktop, 1000 different characters off its keyboard
     * map take about 26 s.
     */
    public static final int MAX_TYPED_CHARACTERS = 4_000;
    /** What a character a keyboard map lacks counts for: a desktop types it on a spare key, which must rest after. */
    public static final int SLOW_CHARACTER_COST = 4;
    /** Points of the drag paths of one request (about 5 s on Chromium). */
    public static final int MAX_PATH_POINTS = 50;
    /** Keys of one chord; real chords have at most four. */
    public static final int MAX_CHORD_KEYS = 10;
    /** Longest {@code wait} one action may ask for; longer would outlive the SDKs' 60 s request timeout. */
    public static final long MAX_WAIT_MILLIS = 55_000;
    /** The waits of one batch together: the rest of the batch needs time too. */
    public static final long MAX_BATCH_WAIT_MILLIS = 30_000;
    /** Actions of one batch. */
    public static final int MAX_BATCH_ACTIONS = 100;
    /** Largest viewport width or height, in CSS pixels. */
    public static final int MAX_VIEWPORT = 7680;

    private ActionLimits() {}

    /**
     * What typing {@code text} counts against {@link #MAX_TYPED_CHARACTERS}: 1 a character on a US keyboard
     * (printable ASCII, newline, tab), {@link #SLOW_CHARACTER_COST} for any other.
     */
    public static long typingCost(String text) {
        return text.codePoints().mapToLong(cp -> (cp >= 0x20 && cp < 0x7f) || cp == '\n' || cp == '\t' ? 1
                : SLOW_CHARACTER_COST).sum();
    }

    /** The wheel clicks a scroll of {@code delta} pixels on one axis is (at least one, unless it is 0). */
    public static long wheelClicks(double delta) {
        return delta == 0 ? 0 : Math.max(1, Math.round(Math.abs(delta) / WHEEL_CLICK_PIXELS));
    }
}
