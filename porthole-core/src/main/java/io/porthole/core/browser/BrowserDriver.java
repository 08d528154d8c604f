package io.porthole.core.browser;

import io.porthole.api.PageContext;
import io.porthole.api.TabInfo;
import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import java.util.List;
import java.util.Optional;

/**
 * Seam: one running browser of one computer. Coordinates are screenshot pixels; the driver converts them to
 * its own units with the device scale. Every method that takes a {@code tabId} expects one that
 * {@link #resolveTab} returned. Failures the caller can act on are thrown as
 * {@link io.porthole.core.PortholeException.ActionFailed}.
 *
 * <p>Not safe for concurrent actions: the core runs one action at a time per computer. {@link #close} and
 * {@link #isAlive} may be called from any thread.
 */
public interface BrowserDriver extends AutoCloseable {

    /** The id of {@code requested}, or of the main tab when empty; fails if there is no such tab. */
    String resolveTab(Optional<String> requested);

    void click(String tabId, Optional<Point> at, MouseButton button, int clicks);

    void mouseMove(String tabId, Point to);

    void mouseDown(String tabId, Optional<Point> at, MouseButton button);

    void mouseUp(String tabId, Optional<Point> at, MouseButton button);

    void drag(String tabId, List<Point> path);

    void typeText(String tabId, String text);

    /** Canonical key names (see {@link io.porthole.core.action.Keys}). */
    void keyChord(String tabId, List<String> keys);

    void keyDown(String tabId, String key);

    void keyUp(String tabId, String key);

    void scroll(String tabId, Optional<Point> at, double dx, double dy);

    /** Loads {@code url} and waits, within a bound, for the load event. */
    void navigate(String tabId, String url);

    byte[] screenshotPng(String tabId);

    String html(String tabId);

    /**
     * Sets the viewport of every tab, present and future. Not asked of a desktop's browser, which fills its
     * screen (the dispatcher refuses a viewport on a desktop).
     */
    void setViewport(int width, int height, double scale);

    List<TabInfo> tabs();

    /** Opens a tab, makes it the main tab and returns it. */
    TabInfo newTab(Optional<String> url);

    void switchTab(String tabId);

    /** Closes a tab; the last tab cannot be closed. */
    void closeTab(String tabId);

    PageContext pageContext(String tabId);

    /**
     * Opens a client's own protocol connection to this browser; {@code onMessage} gets every message the
     * browser sends to it, {@code onClosed} runs once when the browser side ends.
     *
     * @throws io.porthole.core.PortholeException.InvalidRequest with
     *     {@link io.porthole.api.ErrorCode#UNSUPPORTED_ON_ENGINE} if the engine does not speak {@code protocol}
     */
    default ProtocolClient connectClient(ProtocolClient.Protocol protocol, java.util.function.Consumer<String> onMessage,
                                         Runnable onClosed) {
        throw new io.porthole.core.PortholeException.InvalidRequest(io.porthole.api.ErrorCode.UNSUPPORTED_ON_ENGINE,
                "this browser does not speak " + protocol.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The browsing contexts, the default one first. */
    default List<BrowserContextInfo> contexts() {
        return List.of(new BrowserContextInfo(io.porthole.api.TabInfo.DEFAULT_CONTEXT, Optional.empty()));
    }

    /**
     * Creates an isolated context without restarting the browser, with one blank tab.
     *
     * @param proxy where the context's traffic goes, as a URL the browser inside can reach (the sandbox
     *     gives each context's upstream its own local proxy port); empty for the browser's default route
     */
    default BrowserContextInfo createContext(Optional<String> proxy) {
        throw new io.porthole.core.PortholeException.InvalidRequest(io.porthole.api.ErrorCode.UNSUPPORTED_ON_ENGINE,
                "this browser does not support contexts");
    }

    /**
     * The identity contexts created from now on take (a change of proxy moved the computer to another country):
     * timezone and languages where the engine can set them per context or per target; contexts and tabs that exist
     * keep theirs. The default does nothing (the identity the browser was launched with stays).
     *
     * @return whether the engine applies it to new contexts
     */
    default boolean identityForNewContexts(Identity identity) {
        return false;
    }

    /** Closes a context and its tabs; the default context cannot be closed. */
    default void closeContext(String contextId) {
        throw new io.porthole.core.PortholeException.NotFound(io.porthole.api.ErrorCode.NOT_FOUND, "no context " + contextId);
    }

    /** Opens a tab in {@code contextId}, makes it the main tab and returns it. */
    default TabInfo newTabIn(String contextId, Optional<String> url) {
        if (contextId.equals(io.porthole.api.TabInfo.DEFAULT_CONTEXT)) return newTab(url);
        throw new io.porthole.core.PortholeException.NotFound(io.porthole.api.ErrorCode.NOT_FOUND, "no context " + contextId);
    }

    /**
     * Calls {@code listener} with (tab id, URL) whenever a tab's main frame commits a new URL, whoever caused
     * it (an action, a page script, a client over CDP or BiDi). One listener; a later call replaces it.
     */
    default void onNavigation(java.util.function.BiConsumer<String, String> listener) {}

    /**
     * Every cookie of the default context, session cookies included (which no profile on disk keeps), as a
     * JSON array in the engine's own format, for {@link #importCookies}; empty if the engine cannot.
     */
    default Optional<String> exportCookies() {
        return Optional.empty();
    }

    /** Sets cookies that {@link #exportCookies} of the same engine returned. */
    default void importCookies(String json) {}

    /** Sets such cookies in one context ({@code default} is the browser's own). */
    default void importCookies(String contextId, String json) {
        if (!io.porthole.api.TabInfo.DEFAULT_CONTEXT.equals(contextId)) {
            throw new io.porthole.core.PortholeException.InvalidRequest(io.porthole.api.ErrorCode.UNSUPPORTED_ON_ENGINE,
                    "this browser cannot load saved cookies into a context");
        }
        importCookies(json);
    }

    /** Prints the tab to PDF. */
    default byte[] pdf(String tabId) {
        throw new io.porthole.core.PortholeException.InvalidRequest(io.porthole.api.ErrorCode.UNSUPPORTED_ON_ENGINE,
                "this browser cannot print to PDF");
    }

    /**
     * Starts capturing the main tab as JPEG pictures for a screencast, following the main tab when it changes,
     * at most {@code settings.maxFps()} a second; runs until the returned capture is closed or the browser ends
     * (then {@code sink.ended}). May be called while actions run: it must not disturb them.
     *
     * @throws io.porthole.core.PortholeException if the capture cannot start
     */
    default io.porthole.core.live.Capture screencast(io.porthole.core.live.CaptureSettings settings,
                                                      io.porthole.core.live.Capture.Sink sink) {
        throw new io.porthole.core.PortholeException.InvalidRequest(io.porthole.api.ErrorCode.UNSUPPORTED_ON_ENGINE,
                "this browser cannot be watched yet");
    }

    boolean isAlive();

    /** Ends the browser and every process it started; waits for them to be gone. Idempotent. */
    @Override
    void close();

    /**
     * Lets the browser go without its graceful close (which writes its profile and takes a browser 100-150 ms), for a
     * computer whose profile nobody keeps and whose sandbox is closed next: the engine may leave its processes for that
     * close to end (it must not report their end as a crash). Idempotent.
     */
    default void closeNow() {
        close();
    }
}
