package io.porthole.core.action;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An action as the Computers API writes a {@code ComputerAction} ({@code type} and its fields, snake_case), for
 * the live events: the same shape whichever route, alias or surface it came from. A proxy's password is never
 * written.
 */
public final class ActionJson {
    private ActionJson() {}

    public static Map<String, Object> of(ActionRequest request) {
        var m = of(request.action());
        request.tabId().ifPresent(t -> m.put("tab_id", t));
        if (request.includeContext()) m.put("include_context", true);
        return m;
    }

    public static Map<String, Object> of(Action action) {
        var m = new LinkedHashMap<String, Object>();
        m.put("type", action.name());
        switch (action) {
            case Action.Click a -> {
                point(m, a.at());
                if (a.button() != MouseButton.LEFT && a.button() != MouseButton.RIGHT) m.put("button", a.button().name().toLowerCase(java.util.Locale.ROOT));
            }
            case Action.MouseMove a -> point(m, Optional.of(a.to()));
            case Action.MouseDown a -> {
                point(m, a.at());
                m.put("button", a.button().name().toLowerCase(java.util.Locale.ROOT));
            }
            case Action.MouseUp a -> {
                point(m, a.at());
                m.put("button", a.button().name().toLowerCase(java.util.Locale.ROOT));
            }
            case Action.Drag a -> m.put("path", path(a.path()));
            case Action.TypeText a -> {
                m.put("text", a.text());
                point(m, a.clickFirst());
            }
            case Action.KeyChord a -> m.put("keys", a.keys());
            case Action.KeyDown a -> m.put("key", a.key());
            case Action.KeyUp a -> m.put("key", a.key());
            case Action.Scroll a -> {
                point(m, a.at());
                m.put("dx", a.dx());
                m.put("dy", a.dy());
            }
            case Action.Wait a -> m.put("ms", a.millis());
            case Action.Navigate a -> m.put("url", a.url());
            case Action.Screenshot a -> m.put("base64", a.base64());
            case Action.GetHtml a -> m.put("auto_detect_encoding", a.autoDetectEncoding());
            case Action.SetViewport a -> {
                m.put("width", a.width());
                m.put("height", a.height());
                m.put("scale_factor", a.scaleFactor());
            }
            case Action.ListTabs a -> { }
            case Action.NewTab a -> a.url().ifPresent(u -> m.put("url", u));
            case Action.SwitchTab a -> m.put("tab_id", a.tabId());
            case Action.CloseTab a -> m.put("tab_id", a.tabId());
            case Action.ChangeProxy a -> m.put("proxy_url", a.proxy().map(ActionJson::withoutPassword).orElse(null));
            case Action.Debug a -> m.put("debug", Map.of("command", a.command(), "timeout_seconds", a.timeoutSeconds(),
                    "max_output_length", a.maxOutputLength()));
        }
        return m;
    }

    private static void point(Map<String, Object> m, Optional<Point> p) {
        p.ifPresent(at -> {
            m.put("x", at.x());
            m.put("y", at.y());
        });
    }

    private static List<Map<String, Double>> path(List<Point> points) {
        return points.stream().map(p -> Map.of("x", p.x(), "y", p.y())).toList();
    }

    /** {@code scheme://host:port}, with the user name but never the password. */
    public static String withoutPassword(java.net.URI u) {
        return u.getScheme() + "://" + (u.getUserInfo() != null ? u.getUserInfo().split(":", 2)[0] + ":***@" : "")
                + u.getHost() + ":" + u.getPort();
    }
}
