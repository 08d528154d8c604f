package io.porthole.sdk.internal;

import io.porthole.sdk.Action;
import io.porthole.sdk.ActionFailedException;
import io.porthole.sdk.ActionResult;
import io.porthole.sdk.BadRequestException;
import io.porthole.sdk.BatchResult;
import io.porthole.sdk.Computer;
import io.porthole.sdk.ComputerEvent;
import io.porthole.sdk.ComputerInfo;
import io.porthole.sdk.ComputerStatus;
import io.porthole.sdk.DebugResult;
import io.porthole.sdk.EventStream;
import io.porthole.sdk.ExecEvent;
import io.porthole.sdk.ExecRequest;
import io.porthole.sdk.ExecResult;
import io.porthole.sdk.NotFoundException;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.ScreencastEvent;
import io.porthole.sdk.Screenshot;
import io.porthole.sdk.Tabs;
import io.porthole.sdk.internal.Transport.Repeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Computer} over {@code /computers/{id}}; views made by {@link #inTab} and {@link #withOptions} share its
 * state. Thread-safe.
 */
final class ComputerImpl implements Computer {
    /** What every view of one computer shares. */
    private static final class Shared {
        volatile ComputerInfo info;
        final AtomicBoolean closed = new AtomicBoolean();
    }

    private final Transport transport;
    private final RequestOptions options;
    private final String id;
    private final String path;
    private final String tabId;
    private final Shared shared;

    ComputerImpl(Transport transport, RequestOptions options, String id, ComputerInfo info) {
        this(transport, options, id, null, new Shared());
        shared.info = info;
    }

    private ComputerImpl(Transport transport, RequestOptions options, String id, String tabId, Shared shared) {
        this.transport = transport;
        this.options = options;
        this.id = id;
        this.path = "/computers/" + Paths.seg(id);
        this.tabId = tabId;
        this.shared = shared;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ComputerInfo info() {
        var info = shared.info;
        return info != null ? info : retrieve();
    }

    @Override
    public ComputerInfo retrieve() {
        var info = Json.computer(transport.json("GET", path, null, Repeat.SAFE, options));
        shared.info = info;
        return info;
    }

    @Override
    public ComputerStatus status() {
        return Json.status(transport.json("GET", path + "/status", null, Repeat.SAFE, options));
    }

    @Override
    public ComputerStatus keepalive() {
        return Json.status(transport.json("POST", path + "/keepalive", null, Repeat.SAFE, options));
    }

    @Override
    public Computer inTab(String tab) {
        return new ComputerImpl(transport, options, id, Objects.requireNonNull(tab, "tabId"), shared);
    }

    @Override
    public Computer withOptions(RequestOptions more) {
        return new ComputerImpl(transport, options.merge(more), id, tabId, shared);
    }

    // ---- actions ----

    /** Posts an action route; a result with status error is thrown as {@link ActionFailedException}. */
    private ActionResult act(String route, Map<String, Object> body, Repeat repeat) {
        var result = actRaw(route, body, repeat);
        if (!result.succeeded()) throw new ActionFailedException(result);
        return result;
    }

    private ActionResult actRaw(String route, Map<String, Object> body, Repeat repeat) {
        if (tabId != null && !body.containsKey("tab_id")) body.put("tab_id", tabId);
        return Json.actionResult(transport.json("POST", path + "/" + route, body, repeat, options));
    }

    private static Map<String, Object> body(Object... kv) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Override
    public ActionResult navigate(String url) {
        return act("navigate", body("url", Objects.requireNonNull(url, "url")), Repeat.UNSAFE);
    }

    @Override
    public ActionResult click(double x, double y) {
        return act("click", body("x", x, "y", y), Repeat.UNSAFE);
    }

    @Override
    public ActionResult doubleClick(double x, double y) {
        return act("double-click", body("x", x, "y", y), Repeat.UNSAFE);
    }

    @Override
    public ActionResult rightClick(double x, double y) {
        return act("right-click", body("x", x, "y", y), Repeat.UNSAFE);
    }

    @Override
    public ActionResult drag(double x1, double y1, double x2, double y2) {
        return act("drag", body("x1", x1, "y1", y1, "x2", x2, "y2", y2), Repeat.UNSAFE);
    }

    @Override
    public ActionResult mouseDown(double x, double y) {
        return act("mouse-down", body("x", x, "y", y), Repeat.UNSAFE);
    }

    @Override
    public ActionResult mouseUp(double x, double y) {
        return act("mouse-up", body("x", x, "y", y), Repeat.UNSAFE);
    }

    @Override
    public ActionResult type(String text) {
        return act("type", body("text", Objects.requireNonNull(text, "text")), Repeat.UNSAFE);
    }

    @Override
    public ActionResult hotkey(String... keys) {
        return act("hotkey", body("keys", List.of(keys)), Repeat.UNSAFE);
    }

    @Override
    public ActionResult keyDown(String key) {
        return act("key-down", body("key", Objects.requireNonNull(key, "key")), Repeat.UNSAFE);
    }

    @Override
    public ActionResult keyUp(String key) {
        return act("key-up", body("key", Objects.requireNonNull(key, "key")), Repeat.UNSAFE);
    }

    @Override
    public ActionResult scroll(double dx, double dy, double x, double y) {
        return act("scroll", body("dx", dx, "dy", dy, "x", x, "y", y), Repeat.UNSAFE);
    }

    @Override
    public Screenshot screenshot() {
        var r = act("screenshot", body("base64", true), Repeat.SAFE);
        var b64 = r.string("screenshot_base64").orElseThrow(() ->
                new IllegalStateException("the screenshot answer carried no screenshot_base64: " + r.result().keySet()));
        return new Screenshot(r.string("screenshot_url").orElse(""), Base64.getDecoder().decode(b64));
    }

    @Override
    public String html() {
        return act("html", body(), Repeat.SAFE).string("html_content").orElse("");
    }

    @Override
    public ActionResult viewport(int width, int height, double scaleFactor) {
        // setting the same size twice ends in the same state: safe to repeat
        return act("viewport", body("width", width, "height", height, "scale_factor", scaleFactor), Repeat.SAFE);
    }

    @Override
    public ActionResult changeProxy(String proxyUrl) {
        var b = body();
        if (proxyUrl != null) b.put("proxy_url", proxyUrl);
        return act("change-proxy", b, Repeat.SAFE);
    }

    @Override
    public DebugResult debug(String command) {
        var r = act("debug", body("command", Objects.requireNonNull(command, "command")), Repeat.UNSAFE);
        var exit = r.result().get("exit_code");
        return new DebugResult(r.string("debug_response").orElse(""), r.string("stdout").orElse(""),
                r.string("stderr").orElse(""), exit instanceof Number ? ((Number) exit).intValue() : -1);
    }

    @Override
    public ActionResult wait(Duration duration) {
        return unwrap(execute(Action.waitFor(duration)));
    }

    private static ActionResult unwrap(ActionResult r) {
        if (!r.succeeded()) throw new ActionFailedException(r);
        return r;
    }

    @Override
    public ActionResult execute(Action action) {
        var a = new LinkedHashMap<>(action.toMap());
        if (tabId != null) a.putIfAbsent("tab_id", tabId);
        return Json.actionResult(transport.json("POST", path + "/execute", body("action", a), Repeat.UNSAFE, options));
    }

    @Override
    public BatchResult batch(List<Action> actions) {
        var list = new ArrayList<Map<String, Object>>();
        for (var action : actions) {
            var a = new LinkedHashMap<>(action.toMap());
            if (tabId != null) a.putIfAbsent("tab_id", tabId);
            list.add(a);
        }
        return Json.batch(transport.json("POST", path + "/batch", body("actions", list), Repeat.UNSAFE, options));
    }

    // ---- exec ----

    @Override
    public EventStream<ExecEvent> exec(ExecRequest request) {
        var res = transport.send("POST", path + "/exec", request.toMap(), "application/x-ndjson", Repeat.UNSAFE, options);
        return new ExecStream(res.body());
    }

    @Override
    public ExecResult execSync(ExecRequest request) {
        var n = transport.json("POST", path + "/exec/sync", request.toMap(), Repeat.UNSAFE, options);
        return new ExecResult(n.path("exit_code").asInt(-1), Json.textOr(n, "stdout", ""), Json.textOr(n, "stderr", ""),
                n.path("timed_out").asBoolean(false));
    }

    // ---- streams ----

    @Override
    public EventStream<ComputerEvent> events() {
        var res = transport.send("GET", path + "/events", null, "text/event-stream", Repeat.SAFE, options);
        return new SseStream<>(res.body(), e -> new ComputerEvent(e.name(), Optional.ofNullable(e.id()), e.json()));
    }

    @Override
    public EventStream<ScreencastEvent> screencast() {
        var res = transport.send("GET", path + "/screencast", null, "text/event-stream", Repeat.SAFE, options);
        return new SseStream<>(res.body(), e -> new ScreencastEvent(e.name(), e.json()));
    }

    @Override
    public Tabs tabs() {
        return new TabsImpl(transport, options, path);
    }

    @Override
    public String cdpUrl() {
        try {
            var sandbox = Json.sandbox(transport.json("GET", "/browser-sandboxes/" + Paths.seg(id), null, Repeat.SAFE, options));
            return sandbox.connect().flatMap(c -> c.cdp()).orElseThrow(() -> new BadRequestException(400,
                    "unsupported_on_engine", "computer " + id + " has no CDP endpoint (a " + sandbox.browser()
                    + " browser in state " + sandbox.state() + ")", null));
        } catch (NotFoundException e) {
            // the native surface knows browsers only: a desktop (or an unknown id) has no CDP endpoint
            var info = info();
            throw new BadRequestException(400, "unsupported_on_engine", "computer " + id + " is a " + info.kind()
                    + " and has no CDP endpoint", null);
        }
    }

    @Override
    public void delete() {
        transport.json("DELETE", path, null, Repeat.SAFE, options);
        shared.closed.set(true);
    }

    @Override
    public void close() {
        if (shared.closed.compareAndSet(false, true)) {
            try {
                transport.json("DELETE", path, null, Repeat.SAFE, options);
            } catch (RuntimeException e) {
                // not closed after all: a later close tries again
                shared.closed.set(false);
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "Computer[" + id + (tabId != null ? ", tab " + tabId : "") + "]";
    }
}
