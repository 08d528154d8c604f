package io.porthole.sdk;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One action for {@link Computer#execute} and {@link Computer#batch}: a {@code ComputerAction} of the Computers API,
 * {@code {"type": ..., fields...}}. The factories cover the contract's action types; {@link #of} sends any other.
 *
 * <pre>{@code
 * computer.batch(List.of(Action.click(100, 200), Action.type("hello"), Action.keypress("Enter")));
 * }</pre>
 *
 * <p>Immutable and thread-safe: {@link #with}, {@link #tab} and the like return new actions.
 */
public final class Action {
    private final Map<String, Object> fields;

    private Action(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    /**
     * An action of any type with the given fields (snake_case, as on the wire).
     *
     * @param type the action type, e.g. {@code click}
     * @param fields further fields; JSON-serialisable values
     * @return the action
     */
    public static Action of(String type, Map<String, ?> fields) {
        var m = new LinkedHashMap<String, Object>();
        m.put("type", Objects.requireNonNull(type, "type"));
        m.putAll(fields);
        return new Action(m);
    }

    private static Action of(String type, Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        m.put("type", type);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return new Action(m);
    }

    /**
     * A left click at a point of the screenshot's pixel grid.
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the action
     */
    public static Action click(double x, double y) {
        return of("click", "x", x, "y", y);
    }

    /**
     * A double click.
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the action
     */
    public static Action doubleClick(double x, double y) {
        return of("double_click", "x", x, "y", y);
    }

    /**
     * A right click.
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the action
     */
    public static Action rightClick(double x, double y) {
        return of("right_click", "x", x, "y", y);
    }

    /**
     * Press at one point, move, release at another.
     *
     * @param x1 start, from the left
     * @param y1 start, from the top
     * @param x2 end, from the left
     * @param y2 end, from the top
     * @return the action
     */
    public static Action drag(double x1, double y1, double x2, double y2) {
        return of("drag", "x1", x1, "y1", y1, "x2", x2, "y2", y2);
    }

    /**
     * Text typed into the focused element.
     *
     * @param text the text
     * @return the action
     */
    public static Action type(String text) {
        return of("type", "text", Objects.requireNonNull(text, "text"));
    }

    /**
     * A key chord, e.g. {@code keypress("Control", "a")}.
     *
     * @param keys key names, pressed in order and released in reverse
     * @return the action
     */
    public static Action keypress(String... keys) {
        return of("keypress", "keys", List.of(keys));
    }

    /**
     * A scroll by (dx, dy) with the pointer at (x, y); positive dy scrolls down.
     *
     * @param dx pixels right
     * @param dy pixels down
     * @param x pointer, from the left
     * @param y pointer, from the top
     * @return the action
     */
    public static Action scroll(double dx, double dy, double x, double y) {
        return of("scroll", "dx", dx, "dy", dy, "x", x, "y", y);
    }

    /**
     * A pause on the server.
     *
     * @param duration how long; milliseconds are sent
     * @return the action
     */
    public static Action waitFor(Duration duration) {
        return of("wait", "ms", duration.toMillis());
    }

    /**
     * A navigation of the tab to a URL ({@code go_to_url}).
     *
     * @param url the URL
     * @return the action
     */
    public static Action navigate(String url) {
        return of("go_to_url", "url", Objects.requireNonNull(url, "url"));
    }

    /**
     * A screenshot; its result has {@code screenshot_url}.
     *
     * @return the action
     */
    public static Action screenshot() {
        return of("screenshot");
    }

    /**
     * The page's HTML; its result has {@code html_content}.
     *
     * @return the action
     */
    public static Action html() {
        return of("get_html_content");
    }

    /**
     * A key held down.
     *
     * @param key the key name
     * @return the action
     */
    public static Action keyDown(String key) {
        return of("key_down", "key", Objects.requireNonNull(key, "key"));
    }

    /**
     * A key released.
     *
     * @param key the key name
     * @return the action
     */
    public static Action keyUp(String key) {
        return of("key_up", "key", Objects.requireNonNull(key, "key"));
    }

    /**
     * The left button pressed and held.
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the action
     */
    public static Action mouseDown(double x, double y) {
        return of("mouse_down", "x", x, "y", y);
    }

    /**
     * The left button released.
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the action
     */
    public static Action mouseUp(double x, double y) {
        return of("mouse_up", "x", x, "y", y);
    }

    /**
     * This action with one more field (or a field replaced).
     *
     * @param name the JSON field name
     * @param value a JSON-serialisable value
     * @return a new action
     */
    public Action with(String name, Object value) {
        var m = new LinkedHashMap<>(fields);
        m.put(Objects.requireNonNull(name, "name"), value);
        return new Action(m);
    }

    /**
     * This action aimed at a tab ({@code tab_id}).
     *
     * @param tabId the tab's id
     * @return a new action
     */
    public Action tab(String tabId) {
        return with("tab_id", Objects.requireNonNull(tabId, "tabId"));
    }

    /**
     * This action with a request id that the server echoes and that correlates it in {@link Computer#events()}.
     *
     * @param requestId any string
     * @return a new action
     */
    public Action requestId(String requestId) {
        return with("request_id", Objects.requireNonNull(requestId, "requestId"));
    }

    /**
     * This action asking for the page context (URL, title, sizes, scroll) in its result.
     *
     * @return a new action
     */
    public Action includeContext() {
        return with("include_context", true);
    }

    /**
     * The action's type.
     *
     * @return e.g. {@code click}
     */
    public String type() {
        return (String) fields.get("type");
    }

    /**
     * The action as JSON fields.
     *
     * @return an unmodifiable map, {@code type} first
     */
    public Map<String, Object> toMap() {
        return fields;
    }

    @Override
    public String toString() {
        return "Action" + fields;
    }
}
