package io.porthole.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.api.ActionResult;
import io.porthole.api.BatchResponse;
import io.porthole.api.ErrorCode;
import io.porthole.api.TabInfo;
import io.porthole.core.action.Action;
import io.porthole.core.action.ActionParser;
import io.porthole.core.action.ActionRequest;
import io.porthole.core.action.MouseButton;
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
    private final ActionParser parser = new ActionParser();

    public ActionDispatcher(Computers computers, ScreenshotPublisher screenshots) {
        this.computers = computers;
        this.screenshots = screenshots;
    }

    public ActionParser parser() {
        return parser;
    }

    /**
     * Runs one action on the tenant's computer.
     *
     * @throws PortholeException.NotFound if the computer does not exist or is not running
     */
    public ActionResult execute(String tenantId, String computerId, ActionRequest request) {
        var computer = computers.requireRunning(tenantId, computerId);
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
            computers.touch(computer);
            return run(computer, request);
        } finally {
            computers.touch(computer);
            computer.unlockActions();
        }
    }

    /** Runs the actions in order and stops after the first that fails. Elements are parsed one by one. */
    public BatchResponse batch(String tenantId, String computerId, JsonNode actions) {
        computers.requireRunning(tenantId, computerId);
        var results = new ArrayList<ActionResult>();
        for (int i = 0; i < actions.size(); i++) {
            ActionResult result;
            try {
                var request = parser.parse(actions.get(i));
                result = execute(tenantId, computerId, request);
            } catch (PortholeException.InvalidRequest e) {
                result = error(null, null, e.code(), "action " + i + ": " + e.getMessage());
            } catch (PortholeException.NotFound e) {
                result = error(null, null, e.code(), e.getMessage());
            }
            results.add(result);
            if (!result.succeeded()) {
                return new BatchResponse(results, false, results.size(), i);
            }
        }
        return new BatchResponse(results, true, results.size(), null);
    }

    private ActionResult run(Computer computer, ActionRequest request) {
        String tab = null;
        try {
            var driver = computer.driver();
            tab = driver.resolveTab(request.tabId());
            Map<String, Object> result = new LinkedHashMap<>();
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
                case Action.Wait a -> sleep(a.millis());
                case Action.Navigate a -> {
                    driver.navigate(tab, a.url());
                    result.put("url", driver.pageContext(tab).url());
                }
                case Action.Screenshot a -> {
                    var png = driver.screenshotPng(tab);
                    result.put("screenshot_url", screenshots.publish(computer.id(), png));
                    result.put("width", pngWidth(png));
                    result.put("height", pngHeight(png));
                    result.put("content_type", "image/png");
                    if (a.base64()) result.put("screenshot_base64", Base64.getEncoder().encodeToString(png));
                }
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
                case Action.ChangeProxy a -> throw new PortholeException.ActionFailed(ErrorCode.NOT_SUPPORTED,
                        "change_proxy is not supported by this server yet; the computer keeps its current network");
                case Action.Debug a -> throw new PortholeException.ActionFailed(ErrorCode.NOT_SUPPORTED,
                        "debug (running shell commands) is not supported by this server yet");
            }
            var context = request.includeContext() ? driver.pageContext(tab) : null;
            return new ActionResult(ActionResult.SUCCESS, result, null, null, request.requestId().orElse(null), tab,
                    Times.format(computers.now()), context);
        } catch (PortholeException.ActionFailed | PortholeException.InvalidRequest e) {
            return error(request, tab, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            if (computer.isEnding() || !computer.driver().isAlive()) {
                throw Computers.notRunning(computers.get(computer.record().tenantId(), computer.id()));
            }
            LOG.log(System.Logger.Level.ERROR, "action " + request.action().name() + " on " + computer.id() + " failed", e);
            return error(request, tab, ErrorCode.ACTION_FAILED, request.action().name() + " failed: " + e.getMessage());
        }
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
