package io.porthole.core.action;

import java.util.List;
import java.util.Optional;

/**
 * Every action a computer takes, whichever route, alias or model-output shape it arrived as. Parsed once by
 * {@link ActionParser}, carried out once by the dispatcher. Coordinates are screenshot pixels.
 */
public sealed interface Action {

    /** The action's canonical name, as it appears in logs and events. */
    default String name() {
        return switch (this) {
            case Click c -> c.clicks() == 2 ? "double_click" : c.clicks() == 3 ? "triple_click"
                    : c.button() == MouseButton.RIGHT ? "right_click" : "click";
            case MouseMove m -> "move";
            case MouseDown m -> "mouse_down";
            case MouseUp m -> "mouse_up";
            case Drag d -> "drag";
            case TypeText t -> "type";
            case KeyChord k -> "keypress";
            case KeyDown k -> "key_down";
            case KeyUp k -> "key_up";
            case Scroll s -> "scroll";
            case Wait w -> "wait";
            case Navigate n -> "navigate";
            case Screenshot s -> "screenshot";
            case GetHtml h -> "get_html_content";
            case SetViewport v -> "set_viewport";
            case ListTabs l -> "list_tabs";
            case NewTab n -> "new_tab";
            case SwitchTab s -> "switch_tab";
            case CloseTab c -> "close_tab";
            case ChangeProxy c -> "change_proxy";
            case Debug d -> "debug";
        };
    }

    /** Press and release {@code button} {@code clicks} times at {@code at}, or where the pointer is. */
    record Click(Optional<Point> at, MouseButton button, int clicks) implements Action {}

    record MouseMove(Point to) implements Action {}

    record MouseDown(Optional<Point> at, MouseButton button) implements Action {}

    record MouseUp(Optional<Point> at, MouseButton button) implements Action {}

    /** Press at the first point, move through the others, release at the last. At least two points. */
    record Drag(List<Point> path) implements Action {}

    /** Type {@code text} into the focused element, clicking {@code clickFirst} first when given. */
    record TypeText(String text, Optional<Point> clickFirst) implements Action {}

    /** Press the keys together (modifiers first) and release them in reverse. Canonical key names. */
    record KeyChord(List<String> keys) implements Action {}

    record KeyDown(String key) implements Action {}

    record KeyUp(String key) implements Action {}

    /** Scroll by (dx, dy) CSS pixels with the pointer at {@code at}; +dy is down, +dx is right. */
    record Scroll(Optional<Point> at, double dx, double dy) implements Action {}

    record Wait(long millis) implements Action {}

    record Navigate(String url) implements Action {}

    record Screenshot(boolean base64) implements Action {}

    record GetHtml(boolean autoDetectEncoding) implements Action {}

    record SetViewport(int width, int height, double scaleFactor) implements Action {}

    record ListTabs() implements Action {}

    record NewTab(Optional<String> url) implements Action {}

    record SwitchTab(String tabId) implements Action {}

    record CloseTab(String tabId) implements Action {}

    /** Chains the computer's new connections through {@code proxy}, or connects directly when empty. */
    record ChangeProxy(Optional<java.net.URI> proxy) implements Action {}

    record Debug(String command, long timeoutSeconds, int maxOutputLength) implements Action {}
}
