package io.porthole.core.action;

import io.porthole.core.PortholeException;
import java.util.Locale;

public enum MouseButton {
    LEFT, RIGHT, MIDDLE, BACK, FORWARD;

    /** Reads the CUA and SDK spellings: left, right, middle/wheel, back, forward. */
    public static MouseButton parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "left", "primary" -> LEFT;
            case "right", "secondary" -> RIGHT;
            case "middle", "wheel", "center" -> MIDDLE;
            case "back" -> BACK;
            case "forward" -> FORWARD;
            default -> throw new PortholeException.InvalidRequest(
                    "button '" + name + "' is not one of left, right, middle (wheel), back, forward");
        };
    }
}
