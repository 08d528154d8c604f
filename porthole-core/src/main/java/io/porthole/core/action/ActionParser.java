package io.porthole.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException.InvalidRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one parser of actions. Reads a JSON action object (the {@code action} of {@code /execute}, an element
 * of {@code /batch}, or the body of a dedicated route with its {@code type} implied) into an
 * {@link ActionRequest}, and a batch into its requests. Unknown fields are ignored, {@code null} means absent,
 * numbers may be floats. Every field is held to its range and every batch to the request budget of
 * {@link ActionLimits}, so what is parsed can finish within the budget and never sends a driver a value it
 * cannot take. Stateless and thread-safe.
 */
public final class ActionParser {
    /** {@code wait} without {@code ms} (the model-output shape). */
    public static final long DEFAULT_WAIT_MILLIS = 1_000;

    /**
     * A batch as parsed: the requests up to the first element that does not parse, and that element's error
     * (which the batch answers at its index, after running the ones before it).
     */
    public record Batch(List<ActionRequest> requests, Optional<InvalidRequest> invalid) {}

    /** Parses {@code node} whose {@code type} field names the action. */
    public ActionRequest parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidRequest(ErrorCode.INVALID_JSON, "an action must be a JSON object with a 'type'");
        }
        var type = optString(node, "type").orElseThrow(() ->
                new InvalidRequest("the action has no 'type' (for example {\"type\":\"click\",\"x\":10,\"y\":20})"));
        return parse(type, node);
    }

    /**
     * Parses the elements of a batch in order, up to the first that does not parse, and holds them together to
     * the request budget.
     *
     * @throws InvalidRequest if the batch as a whole is over the budget (too many actions, too much to type,
     *     drag or scroll, too long a wait): nothing of it may run
     */
    public Batch parseBatch(JsonNode actions) {
        if (actions.size() > ActionLimits.MAX_BATCH_ACTIONS) {
            throw new InvalidRequest("'actions' has " + actions.size() + " actions; a batch may have at most "
                    + ActionLimits.MAX_BATCH_ACTIONS + " (send several batches)");
        }
        var budget = new Budget();
        var requests = new ArrayList<ActionRequest>();
        for (int i = 0; i < actions.size(); i++) {
            ActionRequest request;
            try {
                request = parse(actions.get(i));
            } catch (InvalidRequest e) {
                return new Batch(List.copyOf(requests), Optional.of(new InvalidRequest(e.code(),
                        "action " + i + ": " + e.getMessage())));
            }
            budget.charge(i, request.action());
            requests.add(request);
        }
        return new Batch(List.copyOf(requests), Optional.empty());
    }

    /** Parses {@code node} as an action of {@code type}, whatever its own {@code type} field says. */
    public ActionRequest parse(String type, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new InvalidRequest(ErrorCode.INVALID_JSON, "the body must be a JSON object");
        }
        var action = parseAction(type.trim().toLowerCase(Locale.ROOT).replace('-', '_'), node);
        return new ActionRequest(action, optString(node, "tab_id"), optBool(node, "include_context").orElse(false),
                optString(node, "request_id"));
    }

    private Action parseAction(String type, JsonNode n) {
        return switch (type) {
            case "click", "left_click" -> {
                var button = optString(n, "button").map(MouseButton::parse).orElse(MouseButton.LEFT);
                yield new Action.Click(optPoint(n), button, 1);
            }
            case "double_click", "doubleclick", "dblclick" -> new Action.Click(optPoint(n), MouseButton.LEFT, 2);
            case "triple_click", "tripleclick" -> new Action.Click(optPoint(n), MouseButton.LEFT, 3);
            case "right_click", "rightclick", "context_click" -> new Action.Click(optPoint(n), MouseButton.RIGHT, 1);
            case "middle_click" -> new Action.Click(optPoint(n), MouseButton.MIDDLE, 1);
            case "move", "mouse_move", "hover" -> new Action.MouseMove(requirePoint(n, "", type));
            case "mouse_down" -> new Action.MouseDown(optPoint(n), button(n));
            case "mouse_up" -> new Action.MouseUp(optPoint(n), button(n));
            case "drag", "left_click_drag" -> new Action.Drag(dragPath(n));
            case "type", "type_text" -> new Action.TypeText(requireText(n), optPoint(n));
            case "point_and_type" -> new Action.TypeText(requireText(n), Optional.of(requirePoint(n, "", type)));
            case "keypress", "key", "hotkey", "key_press", "press" -> new Action.KeyChord(chordKeys(n, type));
            case "key_down", "keydown" -> new Action.KeyDown(singleKey(n, type));
            case "key_up", "keyup" -> new Action.KeyUp(singleKey(n, type));
            case "scroll" -> new Action.Scroll(optPoint(n), scrollDelta(n, "dx", "scroll_x"),
                    scrollDelta(n, "dy", "scroll_y"));
            case "hscroll" -> new Action.Scroll(optPoint(n), scrollDelta(n, "dx", "scroll_x"), 0);
            case "wait", "sleep" -> {
                long ms = optNumber(n, "ms").map(Math::round).orElse(DEFAULT_WAIT_MILLIS);
                if (ms < 0 || ms > ActionLimits.MAX_WAIT_MILLIS) {
                    throw new InvalidRequest("'ms' must be between 0 and " + ActionLimits.MAX_WAIT_MILLIS
                            + " (a longer wait would outlive the client's request timeout; send several)");
                }
                yield new Action.Wait(ms);
            }
            case "navigate", "go_to_url", "goto", "open_url", "open_page" -> new Action.Navigate(Urls.navigable(requireString(n, "url")));
            case "screenshot", "take_screenshot" -> new Action.Screenshot(optBool(n, "base64").orElse(false));
            case "get_html_content", "html", "get_html" ->
                    new Action.GetHtml(optBool(n, "auto_detect_encoding").orElse(false));
            case "set_viewport", "viewport" -> {
                int width = requireInt(n, "width", 100, ActionLimits.MAX_VIEWPORT);
                int height = requireInt(n, "height", 100, ActionLimits.MAX_VIEWPORT);
                double scale = optNumber(n, "scale_factor").orElse(1.0);
                if (!(scale >= 0.25 && scale <= 4)) {
                    throw new InvalidRequest("'scale_factor' must be between 0.25 and 4");
                }
                yield new Action.SetViewport(width, height, scale);
            }
            case "list_tabs", "tabs" -> new Action.ListTabs();
            case "new_tab", "create_tab", "open_tab" -> new Action.NewTab(optString(n, "url").filter(u -> !u.isBlank()).map(Urls::navigable));
            case "switch_tab" -> new Action.SwitchTab(requireString(n, "tab_id"));
            case "close_tab" -> new Action.CloseTab(requireString(n, "tab_id"));
            case "change_proxy", "proxy" -> new Action.ChangeProxy(proxyUrl(optString(n, "proxy_url").orElse("")));
            case "debug" -> {
                JsonNode d = n.has("debug") && n.get("debug").isObject() ? n.get("debug") : n;
                var command = optString(d, "command").orElseThrow(() -> new InvalidRequest("'command' is required"));
                long timeout = optNumber(d, "timeout_seconds").map(Math::round).orElse(120L);
                int max = optNumber(d, "max_output_length").map(v -> (int) Math.min(Integer.MAX_VALUE, Math.round(v)))
                        .orElse(65536);
                yield new Action.Debug(command, timeout, max);
            }
            default -> throw new InvalidRequest(ErrorCode.UNKNOWN_ACTION, "unknown action type '" + type
                    + "'; known types include click, double_click, triple_click, right_click, move, mouse_down,"
                    + " mouse_up, drag, type, point_and_type, keypress, key_down, key_up, scroll, hscroll, wait,"
                    + " navigate, screenshot, get_html_content, set_viewport, list_tabs, new_tab, switch_tab,"
                    + " close_tab, change_proxy, debug");
        };
    }

    /** An upstream proxy URL ({@code http://[user:pass@]host:port}); blank means none. */
    public static Optional<java.net.URI> proxyUrl(String url) {
        if (url.isBlank()) return Optional.empty();
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("'proxy_url' is not a valid URL");
        }
        var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("socks5") && !scheme.equals("socks5h")) {
            throw new InvalidRequest("'proxy_url' must be http:// or socks5://[user:password@]host:port; '" + scheme
                    + "' proxies are not supported");
        }
        if (uri.getHost() == null || uri.getPort() <= 0) {
            throw new InvalidRequest("'proxy_url' needs a host and a port, e.g. http://proxy.example:3128");
        }
        return Optional.of(uri);
    }

    private static MouseButton button(JsonNode n) {
        return optString(n, "button").map(MouseButton::parse).orElse(MouseButton.LEFT);
    }

    private static List<Point> dragPath(JsonNode n) {
        var pathNode = present(n, "path");
        if (pathNode != null) {
            if (!pathNode.isArray()) throw new InvalidRequest("'path' must be an array of {x, y} points");
            if (pathNode.size() > ActionLimits.MAX_PATH_POINTS) {
                throw new InvalidRequest("'path' has " + pathNode.size() + " points; a drag may have at most "
                        + ActionLimits.MAX_PATH_POINTS + " (a hand-like drag moves through each, which takes time)");
            }
            var path = new ArrayList<Point>();
            for (int i = 0; i < pathNode.size(); i++) {
                var p = pathNode.get(i);
                if (!p.isObject()) throw new InvalidRequest("'path' must be an array of {x, y} points");
                path.add(requirePoint(p, "path[" + i + "].", "path point " + i));
            }
            if (path.size() < 2) throw new InvalidRequest("'path' needs at least two points");
            return path;
        }
        if (present(n, "x1") != null || present(n, "x2") != null) {
            return List.of(point(n, "x1", "y1"), point(n, "x2", "y2"));
        }
        if (present(n, "end_x") != null) {
            return List.of(point(n, "x", "y"), point(n, "end_x", "end_y"));
        }
        throw new InvalidRequest("drag needs x1, y1, x2, y2 (or a 'path' of points)");
    }

    private static List<String> chordKeys(JsonNode n, String type) {
        var keysNode = present(n, "keys");
        var names = new ArrayList<String>();
        if (keysNode != null) {
            if (keysNode.isTextual()) {
                names.addAll(Keys.splitChord(keysNode.asText()));
            } else if (keysNode.isArray()) {
                for (var k : keysNode) {
                    if (!k.isTextual()) throw new InvalidRequest("'keys' must be an array of key names");
                    var s = k.asText();
                    names.addAll(s.length() > 1 && s.contains("+") ? Keys.splitChord(s) : List.of(s));
                }
            } else {
                throw new InvalidRequest("'keys' must be an array of key names");
            }
        } else if (present(n, "key") != null) {
            names.addAll(Keys.splitChord(requireString(n, "key")));
        } else if (present(n, "text") != null) {
            names.addAll(Keys.splitChord(requireString(n, "text")));
        }
        if (names.isEmpty()) throw new InvalidRequest(type + " needs 'keys', for example [\"Control\", \"c\"]");
        if (names.size() > ActionLimits.MAX_CHORD_KEYS) {
            throw new InvalidRequest("'keys' has " + names.size() + " keys; a chord (pressed together) may have at most "
                    + ActionLimits.MAX_CHORD_KEYS + "; type text with a type action");
        }
        return names.stream().map(Keys::canonical).toList();
    }

    private static String singleKey(JsonNode n, String type) {
        if (present(n, "key") != null) return Keys.canonical(requireString(n, "key"));
        var keys = present(n, "keys");
        if (keys != null && keys.isArray() && !keys.isEmpty() && keys.get(0).isTextual()) {
            return Keys.canonical(keys.get(0).asText());
        }
        if (keys != null && keys.isTextual()) return Keys.canonical(keys.asText());
        throw new InvalidRequest(type + " needs 'key', for example {\"key\": \"Shift\"}");
    }

    private static String requireText(JsonNode n) {
        var t = present(n, "text");
        if (t == null) throw new InvalidRequest("'text' is required");
        if (!t.isTextual()) throw new InvalidRequest("'text' must be a string");
        var text = t.asText();
        long cost = ActionLimits.typingCost(text);
        if (cost > ActionLimits.MAX_TYPED_CHARACTERS) throw tooMuchText("it counts " + cost);
        return text;
    }

    private static InvalidRequest tooMuchText(String what) {
        return new InvalidRequest("'text' is too long to type in one request (" + what + "): at most "
                + ActionLimits.MAX_TYPED_CHARACTERS + " characters, each outside printable ASCII counting "
                + ActionLimits.SLOW_CHARACTER_COST + "; send the rest in another request");
    }

    private static Point point(JsonNode n, String xName, String yName) {
        var x = optNumber(n, xName).orElseThrow(() -> new InvalidRequest("'" + xName + "' is required"));
        var y = optNumber(n, yName).orElseThrow(() -> new InvalidRequest("'" + yName + "' is required"));
        return checked(xName, yName, x, y);
    }

    /** The point {x, y} of {@code n}; {@code prefix} goes before the field names in errors ({@code path[2].}). */
    private static Point requirePoint(JsonNode n, String prefix, String what) {
        var x = optNumber(n, "x");
        var y = optNumber(n, "y");
        if (x.isEmpty() || y.isEmpty()) throw new InvalidRequest(what + " needs 'x' and 'y'");
        return checked(prefix + "x", prefix + "y", x.get(), y.get());
    }

    private static Optional<Point> optPoint(JsonNode n) {
        var x = optNumber(n, "x");
        var y = optNumber(n, "y");
        if (x.isPresent() != y.isPresent()) throw new InvalidRequest("give both 'x' and 'y', or neither");
        return x.map(xv -> checked("x", "y", xv, y.get()));
    }

    private static Point checked(String xName, String yName, double x, double y) {
        return new Point(coordinate(xName, x), coordinate(yName, y));
    }

    private static double coordinate(String name, double v) {
        if (!(v >= 0 && v <= ActionLimits.MAX_COORDINATE)) {
            throw new InvalidRequest("'" + name + "' must be a number from 0 to " + (long) ActionLimits.MAX_COORDINATE
                    + " (screenshot pixels)");
        }
        return v;
    }

    /** {@code dx} or {@code dy} (or its alias), 0 when absent, within the scroll range. */
    private static double scrollDelta(JsonNode n, String name, String alias) {
        var field = present(n, name) != null || present(n, alias) == null ? name : alias;
        double v = optNumber(n, field).orElse(0.0);
        if (!(Math.abs(v) <= ActionLimits.MAX_SCROLL_DELTA)) {
            long max = (long) ActionLimits.MAX_SCROLL_DELTA;
            throw new InvalidRequest("'" + field + "' must be a number from -" + max + " to " + max + " (pixels; "
                    + max + " is " + ActionLimits.wheelClicks(max) + " wheel clicks on a desktop); scroll again for more");
        }
        return v;
    }

    /**
     * What the actions of one batch add up to, against the request budget; each action alone is within it
     * already, except a {@code wait} (55 s alone, 30 s for all of a batch's). Not thread-safe: one per batch.
     */
    private static final class Budget {
        private long typed;
        private long points;
        private long wheelClicks;
        private long waited;

        void charge(int index, Action action) {
            switch (action) {
                case Action.TypeText t -> {
                    typed += ActionLimits.typingCost(t.text());
                    if (typed > ActionLimits.MAX_TYPED_CHARACTERS) {
                        throw over(index, tooMuchText("the batch's texts count " + typed + " by this one"));
                    }
                }
                case Action.Drag d -> {
                    points += d.path().size();
                    if (points > ActionLimits.MAX_PATH_POINTS) {
                        throw over(index, new InvalidRequest("'path': the batch's drags add up to " + points
                                + " points by this one; at most " + ActionLimits.MAX_PATH_POINTS + " in one request"));
                    }
                }
                case Action.Scroll s -> {
                    wheelClicks += ActionLimits.wheelClicks(s.dx()) + ActionLimits.wheelClicks(s.dy());
                    if (wheelClicks > ActionLimits.MAX_WHEEL_CLICKS) {
                        throw over(index, new InvalidRequest("'dx' and 'dy': the batch's scrolls add up to " + wheelClicks
                                + " wheel clicks of " + ActionLimits.WHEEL_CLICK_PIXELS + " px by this one; at most "
                                + ActionLimits.MAX_WHEEL_CLICKS + " in one request"));
                    }
                }
                case Action.Wait w -> {
                    waited += w.millis();
                    if (waited > ActionLimits.MAX_BATCH_WAIT_MILLIS) {
                        throw over(index, new InvalidRequest("'ms': the batch's waits add up to " + waited
                                + " ms by this one; at most " + ActionLimits.MAX_BATCH_WAIT_MILLIS + " in one batch, so"
                                + " that it answers within the client's timeout (one wait alone, with /execute, may be "
                                + ActionLimits.MAX_WAIT_MILLIS + ")"));
                    }
                }
                default -> { }
            }
        }

        private static InvalidRequest over(int index, InvalidRequest e) {
            return new InvalidRequest(e.code(), "action " + index + ": " + e.getMessage()
                    + " (nothing of the batch ran)");
        }
    }

    private static int requireInt(JsonNode n, String name, int min, int max) {
        var v = optNumber(n, name).orElseThrow(() -> new InvalidRequest("'" + name + "' is required"));
        if (v != Math.rint(v) || v < min || v > max) {
            throw new InvalidRequest("'" + name + "' must be a whole number between " + min + " and " + max);
        }
        return (int) (double) v;
    }

    // --- field readers shared with the other parsers: null is absent, types are checked ---

    /** The field's value, or null when it is absent or JSON null. */
    public static JsonNode present(JsonNode n, String name) {
        var v = n.get(name);
        return v == null || v.isNull() || v.isMissingNode() ? null : v;
    }

    public static Optional<String> optString(JsonNode n, String name) {
        var v = present(n, name);
        if (v == null) return Optional.empty();
        if (!v.isTextual()) throw new InvalidRequest("'" + name + "' must be a string");
        return Optional.of(v.asText());
    }

    public static String requireString(JsonNode n, String name) {
        var s = optString(n, name).orElseThrow(() -> new InvalidRequest("'" + name + "' is required"));
        if (s.isBlank()) throw new InvalidRequest("'" + name + "' must not be empty");
        return s;
    }

    public static Optional<Double> optNumber(JsonNode n, String name) {
        var v = present(n, name);
        if (v == null) return Optional.empty();
        if (!v.isNumber()) throw new InvalidRequest("'" + name + "' must be a number");
        return Optional.of(v.asDouble());
    }

    public static Optional<Boolean> optBool(JsonNode n, String name) {
        var v = present(n, name);
        if (v == null) return Optional.empty();
        if (v.getNodeType() != JsonNodeType.BOOLEAN) throw new InvalidRequest("'" + name + "' must be true or false");
        return Optional.of(v.asBoolean());
    }
}
