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
 * {@link ActionRequest}. Unknown fields are ignored, {@code null} means absent, numbers may be floats.
 * Stateless and thread-safe.
 */
public final class ActionParser {
    /** Longest {@code wait} one action may ask for; longer would outlive the SDKs' 60 s request timeout. */
    public static final long MAX_WAIT_MILLIS = 55_000;
    /** {@code wait} without {@code ms} (the model-output shape). */
    public static final long DEFAULT_WAIT_MILLIS = 1_000;
    public static final int MAX_VIEWPORT = 7680;

    /** Parses {@code node} whose {@code type} field names the action. */
    public ActionRequest parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new InvalidRequest(ErrorCode.INVALID_JSON, "an action must be a JSON object with a 'type'");
        }
        var type = optString(node, "type").orElseThrow(() ->
                new InvalidRequest("the action has no 'type' (for example {\"type\":\"click\",\"x\":10,\"y\":20})"));
        return parse(type, node);
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
            case "move", "mouse_move", "hover" -> new Action.MouseMove(requirePoint(n, type));
            case "mouse_down" -> new Action.MouseDown(optPoint(n), button(n));
            case "mouse_up" -> new Action.MouseUp(optPoint(n), button(n));
            case "drag", "left_click_drag" -> new Action.Drag(dragPath(n));
            case "type", "type_text" -> new Action.TypeText(requireText(n), optPoint(n));
            case "point_and_type" -> new Action.TypeText(requireText(n), Optional.of(requirePoint(n, type)));
            case "keypress", "key", "hotkey", "key_press", "press" -> new Action.KeyChord(chordKeys(n, type));
            case "key_down", "keydown" -> new Action.KeyDown(singleKey(n, type));
            case "key_up", "keyup" -> new Action.KeyUp(singleKey(n, type));
            case "scroll" -> {
                double dx = optNumber(n, "dx").or(() -> optNumber(n, "scroll_x")).orElse(0.0);
                double dy = optNumber(n, "dy").or(() -> optNumber(n, "scroll_y")).orElse(0.0);
                yield new Action.Scroll(optPoint(n), dx, dy);
            }
            case "hscroll" -> {
                double dx = optNumber(n, "dx").or(() -> optNumber(n, "scroll_x")).orElse(0.0);
                yield new Action.Scroll(optPoint(n), dx, 0);
            }
            case "wait", "sleep" -> {
                long ms = optNumber(n, "ms").map(Math::round).orElse(DEFAULT_WAIT_MILLIS);
                if (ms < 0 || ms > MAX_WAIT_MILLIS) {
                    throw new InvalidRequest("'ms' must be between 0 and " + MAX_WAIT_MILLIS
                            + " (a longer wait would outlive the client's request timeout; send several)");
                }
                yield new Action.Wait(ms);
            }
            case "navigate", "go_to_url", "goto", "open_url", "open_page" -> new Action.Navigate(Urls.navigable(requireString(n, "url")));
            case "screenshot", "take_screenshot" -> new Action.Screenshot(optBool(n, "base64").orElse(false));
            case "get_html_content", "html", "get_html" ->
                    new Action.GetHtml(optBool(n, "auto_detect_encoding").orElse(false));
            case "set_viewport", "viewport" -> {
                int width = requireInt(n, "width", 100, MAX_VIEWPORT);
                int height = requireInt(n, "height", 100, MAX_VIEWPORT);
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
            var path = new ArrayList<Point>();
            for (var p : pathNode) {
                if (!p.isObject()) throw new InvalidRequest("'path' must be an array of {x, y} points");
                path.add(requirePoint(p, "path point"));
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
        return t.asText();
    }

    private static Point point(JsonNode n, String xName, String yName) {
        var x = optNumber(n, xName).orElseThrow(() -> new InvalidRequest("'" + xName + "' is required"));
        var y = optNumber(n, yName).orElseThrow(() -> new InvalidRequest("'" + yName + "' is required"));
        return checked(xName, yName, x, y);
    }

    private static Point requirePoint(JsonNode n, String what) {
        return optPoint(n).orElseThrow(() -> new InvalidRequest(what + " needs 'x' and 'y'"));
    }

    private static Optional<Point> optPoint(JsonNode n) {
        var x = optNumber(n, "x");
        var y = optNumber(n, "y");
        if (x.isPresent() != y.isPresent()) throw new InvalidRequest("give both 'x' and 'y', or neither");
        return x.map(xv -> checked("x", "y", xv, y.get()));
    }

    private static Point checked(String xName, String yName, double x, double y) {
        if (!Double.isFinite(x) || x < 0) throw new InvalidRequest("'" + xName + "' must be a number >= 0");
        if (!Double.isFinite(y) || y < 0) throw new InvalidRequest("'" + yName + "' must be a number >= 0");
        return new Point(x, y);
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
