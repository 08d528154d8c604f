package io.porthole.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.api.ActionResult;
import io.porthole.api.BatchResponse;
import io.porthole.api.ErrorCode;
import io.porthole.api.TabInfo;
import io.porthole.core.action.Action;
import io.porthole.core.action.ActionJson;
import io.porthole.core.action.ActionParser;
import io.porthole.core.action.ActionRequest;
import io.porthole.core.action.MouseButton;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.internal.Ids;
import io.porthole.core.live.LiveEvent;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one dispatcher: carries out a parsed {@link ActionRequest} on a computer's driver, one action at a time
 * per computer, and answers with an {@link ActionResult}. Failures of a well-formed action become an
 * {@code ActionResult} with {@code status: "error"}, never an HTTP error the SDKs would retry. Thread-safe.
 */
public final class ActionDispatcher {
    private static final System.Logger LOG = System.getLogger(ActionDispatcher.class.getName());
    /** How long an action waits for the one before it on the same computer. */
    private static final long LOCK_WAIT_SECONDS = 90;

    private final Computers computers;
    private final ScreenshotPublisher screenshots;
    private final Exec exec;
    private final ActionParser parser = new ActionParser();

    public ActionDispatcher(Computers computers, ScreenshotPublisher screenshots, Exec exec) {
        this.computers = computers;
        this.screenshots = screenshots;
        this.exec = exec;
    }

    public ActionParser parser() {
        return parser;
    }

    /** Runs one action from the Computers API on the tenant's computer; see {@link #execute(String, String, ActionRequest, Origin)}. */
    public ActionResult execute(String tenantId, String computerId, ActionRequest request) {
        return execute(tenantId, computerId, request, Origin.API);
    }

    /**
     * Runs one action on the tenant's computer, after the ones queued before it. The action gets a request id if it
     * has none; its request (as it is queued) and its response are live events. While a person holds control, an
     * action that changes the screen from anyone else is answered {@code human_in_control} without running.
     *
     * @throws PortholeException.NotFound if the computer does not exist or is not running
     */
    public ActionResult execute(String tenantId, String computerId, ActionRequest request, Origin origin) {
        long start = System.nanoTime();
        var telemetry = computers.telemetry();
        // held awake from the moment it is queued: a computer with an action waiting does not go into standby
        try (var use = computers.use(tenantId, computerId, "action")) {
            var computer = use.computer();
            var req = request.requestId().isPresent() ? request
                    : new ActionRequest(request.action(), request.tabId(), request.includeContext(), Optional.of(Ids.id("req")));
            published(computer, LiveEvent.ACTION_REQUEST, requestEvent(req, origin));
            var result = executeQueued(computer, req, origin);
            published(computer, LiveEvent.ACTION_RESPONSE, responseEvent(result));
            telemetry.action(request.action().name(), result.succeeded() ? Telemetry.OK
                    : java.util.Objects.requireNonNullElse(result.errorCode(), ErrorCode.ACTION_FAILED.wireName()),
                    System.nanoTime() - start);
            return result;
        } catch (PortholeException e) {
            telemetry.action(request.action().name(), e.code().wireName(), System.nanoTime() - start);
            throw e;
        }
    }

    private ActionResult executeQueued(Computer computer, ActionRequest request, Origin origin) {
        try {
            if (!computer.lockActions(LOCK_WAIT_SECONDS)) {
                return error(request, null, ErrorCode.ACTION_FAILED,
                        "the computer is still busy with an earlier action; try again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException(ErrorCode.INTERNAL, "interrupted");
        }
        try {
            // checked once its turn has come: a lease taken while it waited holds for it too
            var refused = refusal(computer, request.action(), origin);
            if (refused.isPresent()) return error(request, null, refused.get().code(), refused.get().getMessage());
            computers.touch(computer);
            return run(computer, request);
        } finally {
            computers.touch(computer);
            computer.unlockActions();
        }
    }

    /**
     * Why {@code origin} may not run {@code action} now, if it may not: someone else holds control and the action
     * changes the screen, or the origin acts under a lease that has ended.
     */
    private Optional<PortholeException> refusal(Computer computer, Action action, Origin origin) {
        var lease = computer.control().current(computers.now());
        if (origin.lease().isPresent() && lease.map(l -> !origin.holds(l.id())).orElse(true)) {
            return Optional.of(new PortholeException(ErrorCode.NOT_IN_CONTROL, "your control of this computer has ended"
                    + " (handed back, timed out or taken by someone else); take control again to send input"));
        }
        if (lease.isEmpty() || origin.lease().isPresent() || !changesScreen(action)) return Optional.empty();
        return Optional.of(new PortholeException(ErrorCode.HUMAN_IN_CONTROL, lease.get().holder() + " has taken control of"
                + " this computer; actions that change its screen are refused until control is handed back. Wait for"
                + " the 'control' event with \"event\": \"released\" on GET /computers/" + computer.id() + "/events, or poll"
                + " GET /computers/" + computer.id() + " until \"control\" is null; reading actions (screenshot, html,"
                + " list_tabs, wait) still work."));
    }

    /** Actions a person's control holds back from everyone else: input, navigation, tabs, viewport, proxy. */
    static boolean changesScreen(Action action) {
        return switch (action) {
            case Action.Screenshot a -> false;
            case Action.GetHtml a -> false;
            case Action.ListTabs a -> false;
            case Action.Wait a -> false;
            case Action.Debug a -> false;
            default -> true;
        };
    }

    private static void published(Computer computer, String type, Map<String, Object> fields) {
        computer.events().publish(type, fields);
    }

    private static Map<String, Object> requestEvent(ActionRequest request, Origin origin) {
        var m = new LinkedHashMap<String, Object>();
        m.put("request_id", request.requestId().orElse(null));
        m.put("source", origin.source().wireName());
        m.put("action", ActionJson.of(request));
        return m;
    }

    /** Longest output of a shell command carried in its response event; the command_output chunks have all of it. */
    private static final int EVENT_OUTPUT_BYTES = 64 * 1024;

    /** An ActionResult as an event: its fields, without a base64 screenshot, with a shell command's output on top. */
    private static Map<String, Object> responseEvent(ActionResult r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("request_id", r.requestId());
        m.put("status", r.status());
        if (r.errorCode() != null) m.put("error_code", r.errorCode());
        if (r.errorMessage() != null) m.put("error_message", r.errorMessage());
        if (r.executedTabId() != null) m.put("executed_tab_id", r.executedTabId());
        if (r.result() != null) {
            var result = new LinkedHashMap<>(r.result());
            result.remove("screenshot_base64");
            if (result.containsKey("exit_code")) {
                m.put("exit_code", result.get("exit_code"));
                m.put("stdout", cut(String.valueOf(result.getOrDefault("stdout", "")), EVENT_OUTPUT_BYTES));
                m.put("stderr", cut(String.valueOf(result.getOrDefault("stderr", "")), EVENT_OUTPUT_BYTES));
                result.remove("stdout");
                result.remove("stderr");
                result.remove("debug_response");
            }
            m.put("result", result);
        }
        if (r.pageContext() != null) m.put("page_context", r.pageContext());
        return m;
    }

    /**
     * Runs {@code work} on the tenant's running computer's browser, one at a time with actions (contexts,
     * captures for artifacts). Counts as activity.
     */
    public <T> T withBrowser(String tenantId, String computerId, java.util.function.Function<Computer, T> work) {
        return withBrowser(tenantId, computerId, false, work);
    }

    /**
     * Like {@link #withBrowser(String, String, java.util.function.Function)}; with {@code changesScreen} (a tab or
     * context made or closed), refused while a person holds control.
     *
     * @throws PortholeException {@code human_in_control} then
     */
    public <T> T withBrowser(String tenantId, String computerId, boolean changesScreen,
                             java.util.function.Function<Computer, T> work) {
        try (var use = computers.use(tenantId, computerId, "action")) {
            var computer = use.computer();
            try {
                if (!computer.lockActions(LOCK_WAIT_SECONDS)) {
                    throw new PortholeException.ActionFailed("the computer is still busy with an earlier action; try again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PortholeException(ErrorCode.INTERNAL, "interrupted");
            }
            try {
                if (changesScreen) {
                    var refused = refusal(computer, new Action.NewTab(Optional.empty()), Origin.API);
                    if (refused.isPresent()) throw refused.get();
                }
                computers.touch(computer);
                return work.apply(computer);
            } finally {
                computers.touch(computer);
                computer.unlockActions();
            }
        }
    }

    /**
     * Runs the actions in order and stops after the first that fails; an element that does not parse fails at
     * its index, after the ones before it ran.
     *
     * @throws PortholeException.InvalidRequest if the batch is over the request budget: then nothing runs
     */
    public BatchResponse batch(String tenantId, String computerId, JsonNode actions) {
        computers.requireRunning(tenantId, computerId);
        var batch = parser.parseBatch(actions);
        var results = new ArrayList<ActionResult>();
        for (int i = 0; i < batch.requests().size(); i++) {
            ActionResult result;
            try {
                result = execute(tenantId, computerId, batch.requests().get(i), Origin.BATCH);
            } catch (PortholeException.NotFound e) {
                result = error(null, null, e.code(), e.getMessage());
            }
            results.add(result);
            if (!result.succeeded()) {
                return new BatchResponse(results, false, results.size(), i);
            }
        }
        if (batch.invalid().isPresent()) {
            var e = batch.invalid().get();
            results.add(error(null, null, e.code(), e.getMessage()));
            return new BatchResponse(results, false, results.size(), results.size() - 1);
        }
        return new BatchResponse(results, true, results.size(), null);
    }

    private ActionResult run(Computer computer, ActionRequest request) {
        String tab = null;
        try {
            Map<String, Object> result = new LinkedHashMap<>();
            var desktop = computer.desktop();
            if (runOnComputer(computer, request.action(), request.requestId().orElse(""), result)) {
                // a browser computer reports the tab a wait happened in, as every other action does
                if (request.action() instanceof Action.Wait && !computer.isDesktop()) {
                    tab = computer.browser().resolveTab(request.tabId());
                }
            } else if (desktop.isPresent() && onScreen(request.action())) {
                runOnDesktop(computer, desktop.get(), request.action(), result);
            } else {
                tab = runOnBrowser(computer, request, result);
            }
            var context = request.includeContext() ? pageContext(computer, tab) : null;
            return new ActionResult(ActionResult.SUCCESS, result, null, null, request.requestId().orElse(null), tab,
                    Times.format(computers.now()), context);
        } catch (PortholeException.ActionFailed | PortholeException.InvalidRequest e) {
            return error(request, tab, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            if (computer.isEnding() || !computer.sandbox().isAlive()) {
                throw Computers.notRunning(computers.get(computer.record().tenantId(), computer.id()));
            }
            // answered as a 422 (most often the page or the browser said no: a URL it will not load): no trace,
            // which the log keeps for 5xx, our own bugs; DEBUG has it
            try (var about = LogContext.about(computer.id(), computer.record().tenantId())) {
                LOG.log(System.Logger.Level.INFO, "action " + request.action().name() + " on " + computer.id()
                        + " failed: " + e.getMessage());
                LOG.log(System.Logger.Level.DEBUG, "action " + request.action().name() + " failed", e);
            }
            return error(request, tab, ErrorCode.ACTION_FAILED, request.action().name() + " failed: " + e.getMessage());
        }
    }

    /** Actions of the computer as a whole, the same on every kind; false if {@code action} is not one. */
    private boolean runOnComputer(Computer computer, Action action, String requestId, Map<String, Object> result) {
        switch (action) {
            case Action.Wait a -> sleep(a.millis());
            case Action.Debug a -> debug(computer, a, requestId, result);
            case Action.ChangeProxy a -> changeProxy(computer, a, result);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Actions a desktop carries out on its screen rather than in its browser. */
    private static boolean onScreen(Action action) {
        return switch (action) {
            case Action.Click a -> true;
            case Action.MouseMove a -> true;
            case Action.MouseDown a -> true;
            case Action.MouseUp a -> true;
            case Action.Drag a -> true;
            case Action.TypeText a -> true;
            case Action.KeyChord a -> true;
            case Action.KeyDown a -> true;
            case Action.KeyUp a -> true;
            case Action.Scroll a -> true;
            case Action.Screenshot a -> true;
            case Action.SetViewport a -> true;
            default -> false;
        };
    }

    private void runOnDesktop(Computer computer, DesktopDriver desktop, Action action, Map<String, Object> result) {
        switch (action) {
            case Action.Click a -> desktop.click(a.at(), a.button(), a.clicks());
            case Action.MouseMove a -> desktop.mouseMove(a.to());
            case Action.MouseDown a -> desktop.mouseDown(a.at(), a.button());
            case Action.MouseUp a -> desktop.mouseUp(a.at(), a.button());
            case Action.Drag a -> desktop.drag(a.path());
            case Action.TypeText a -> {
                if (a.clickFirst().isPresent()) desktop.click(a.clickFirst(), MouseButton.LEFT, 1);
                desktop.typeText(a.text());
            }
            case Action.KeyChord a -> desktop.keyChord(a.keys());
            case Action.KeyDown a -> desktop.keyDown(a.key());
            case Action.KeyUp a -> desktop.keyUp(a.key());
            case Action.Scroll a -> desktop.scroll(a.at(), a.dx(), a.dy());
            case Action.Screenshot a -> putScreenshot(computer, desktop.screenshotPng(), a.base64(), result);
            case Action.SetViewport a -> throw new PortholeException.ActionFailed(ErrorCode.NOT_SUPPORTED,
                    "a desktop's screen size is fixed when it is created; pass 'display' {width, height} to create");
            default -> throw new IllegalStateException("not a screen action: " + action.name());
        }
    }

    /** Runs a browser action; returns the tab it ran in. */
    private String runOnBrowser(Computer computer, ActionRequest request, Map<String, Object> result) {
        var driver = computer.browser();
        var tab = driver.resolveTab(request.tabId());
        switch (request.action()) {
            case Action.Click a -> driver.click(tab, a.at(), a.button(), a.clicks());
            case Action.MouseMove a -> driver.mouseMove(tab, a.to());
            case Action.MouseDown a -> driver.mouseDown(tab, a.at(), a.button());
            case Action.MouseUp a -> driver.mouseUp(tab, a.at(), a.button());
            case Action.Drag a -> driver.drag(tab, a.path());
            case Action.TypeText a -> {
                if (a.clickFirst().isPresent()) driver.click(tab, a.clickFirst(), MouseButton.LEFT, 1);
                driver.typeText(tab, a.text());
            }
            case Action.KeyChord a -> driver.keyChord(tab, a.keys());
            case Action.KeyDown a -> driver.keyDown(tab, a.key());
            case Action.KeyUp a -> driver.keyUp(tab, a.key());
            case Action.Scroll a -> driver.scroll(tab, a.at(), a.dx(), a.dy());
            case Action.Navigate a -> {
                driver.navigate(tab, a.url());
                result.put("url", driver.pageContext(tab).url());
            }
            case Action.Screenshot a -> putScreenshot(computer, driver.screenshotPng(tab), a.base64(), result);
            case Action.GetHtml a -> result.put("html_content", driver.html(tab));
            case Action.SetViewport a -> {
                driver.setViewport(a.width(), a.height(), a.scaleFactor());
                computers.recordViewport(computer, a.width(), a.height(), a.scaleFactor());
                result.put("width", a.width());
                result.put("height", a.height());
                result.put("scale_factor", a.scaleFactor());
            }
            case Action.ListTabs a -> result.put("tabs", driver.tabs());
            case Action.NewTab a -> {
                TabInfo t = driver.newTab(a.url());
                tab = t.tabId();
                putTab(result, t);
            }
            case Action.SwitchTab a -> {
                driver.switchTab(a.tabId());
                tab = a.tabId();
                result.put("tab_id", tab);
            }
            case Action.CloseTab a -> {
                driver.closeTab(a.tabId());
                result.put("closed_tab_id", a.tabId());
                tab = driver.resolveTab(Optional.empty());
                result.put("main_tab_id", tab);
            }
            case Action.Wait a -> throw new IllegalStateException("a computer action: " + a.name());
            case Action.Debug a -> throw new IllegalStateException("a computer action: " + a.name());
            case Action.ChangeProxy a -> throw new IllegalStateException("a computer action: " + a.name());
        }
        return tab;
    }

    /** New connections go through the proxy (open ones keep their route); the browser does not restart. */
    private void changeProxy(Computer computer, Action.ChangeProxy a, Map<String, Object> result) {
        computers.useUpstream(computer, a.proxy());
        result.put("proxy", a.proxy().map(ActionJson::withoutPassword).orElse("direct"));
        // with GeoIP, contexts opened from now on take the new exit's time zone and languages (ADR 0037)
        computers.identityForUpstream(computer, a.proxy()).ifPresent(i -> result.put("identity", IdentityJson.info(i)));
    }

    /** The page context of {@code tab}, or of the main tab; none on a desktop whose browser has not started. */
    private static io.porthole.api.PageContext pageContext(Computer computer, String tab) {
        if (computer.isDesktop() && computer.browserIfStarted().isEmpty()) return null;
        var driver = computer.browser();
        return driver.pageContext(tab != null ? tab : driver.resolveTab(Optional.empty()));
    }

    private void putScreenshot(Computer computer, byte[] png, boolean base64, Map<String, Object> result) {
        result.put("screenshot_url", screenshots.publish(computer.id(), png));
        result.put("width", pngWidth(png));
        result.put("height", pngHeight(png));
        result.put("content_type", "image/png");
        if (base64) result.put("screenshot_base64", Base64.getEncoder().encodeToString(png));
    }

    /** {@code debug}: runs the command and answers its output, each stream cut to {@code max_output_length}. */
    private void debug(Computer computer, Action.Debug a, String requestId, Map<String, Object> result) {
        var request = new Exec.Request(a.command(), io.porthole.core.sandbox.Sandbox.WORKSPACE, Map.of(),
                Math.max(1, Math.min(a.timeoutSeconds(), Exec.MAX_TIMEOUT_SECONDS)));
        var r = exec.collect(computer, request, requestId);
        int max = Math.max(0, a.maxOutputLength());
        var stdout = cut(r.stdout(), max);
        var stderr = cut(r.stderr(), max);
        result.put("debug_response", cut(stdout + stderr, max));
        result.put("stdout", stdout);
        result.put("stderr", stderr);
        result.put("exit_code", r.outcome().exitCode());
        if (r.outcome().timedOut()) result.put("timed_out", true);
        if (r.outcome().outputTooLarge()) result.put("output_too_large", true);
    }

    /** At most {@code maxBytes} of UTF-8, never splitting a character. */
    static String cut(String s, int maxBytes) {
        var bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) return s;
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) end--;
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void putTab(Map<String, Object> result, TabInfo t) {
        result.put("tab_id", t.tabId());
        result.put("url", t.url());
        result.put("title", t.title());
        result.put("is_main_tab", t.isMainTab());
    }

    private ActionResult error(ActionRequest request, String tab, ErrorCode code, String message) {
        String requestId = request == null ? null : request.requestId().orElse(null);
        return new ActionResult(ActionResult.ERROR, null, message, code.wireName(), requestId, tab,
                Times.format(computers.now()), null);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.ActionFailed("wait was interrupted");
        }
    }

    private static int pngWidth(byte[] png) {
        return png.length >= 24 ? java.nio.ByteBuffer.wrap(png, 16, 4).getInt() : 0;
    }

    private static int pngHeight(byte[] png) {
        return png.length >= 24 ? java.nio.ByteBuffer.wrap(png, 20, 4).getInt() : 0;
    }
}
