package io.porthole.sdk;

import java.time.Duration;
import java.util.List;

/**
 * One computer of the Computers API: a browser or a desktop, driven by actions named like its REST routes
 * ({@code POST /computers/{id}/click} is {@link #click}). Coordinates are pixels of the screenshot's grid.
 *
 * <p>The typed action methods throw {@link ActionFailedException} when the server ran the action and it failed;
 * {@link #execute} and {@link #batch} return failures in their results instead. Input actions, navigation,
 * exec and batch are not retried once they may have reached the server (see {@link Porthole}).
 *
 * <p>Closing deletes the computer ({@code DELETE /computers/{id}}); it is idempotent, and a computer already ended
 * is no error. Implementations are thread-safe: actions from several threads go to the server as they come.
 */
public interface Computer extends AutoCloseable {

    /**
     * The computer's id.
     *
     * @return the id
     */
    String id();

    /**
     * The computer as last read ({@link Computers#create}, {@link Computers#get}, or {@link #retrieve}); for a handle
     * made by {@link Computers#attach} this reads it first.
     *
     * @return the description
     */
    ComputerInfo info();

    /**
     * Reads the computer again ({@code GET /computers/{id}}).
     *
     * @return the fresh description
     */
    ComputerInfo retrieve();

    /**
     * Its timers and liveness ({@code GET /computers/{id}/status}).
     *
     * @return the status
     */
    ComputerStatus status();

    /**
     * Resets the inactivity timer and checks the computer is alive ({@code POST /keepalive}).
     *
     * @return the status after the reset
     * @throws NotFoundException when the computer has ended
     */
    ComputerStatus keepalive();

    /**
     * A view of this computer whose actions go to one tab ({@code tab_id}) rather than the main tab.
     *
     * @param tabId the tab's id
     * @return the view; closing it closes the computer
     */
    Computer inTab(String tabId);

    /**
     * A view of this computer with other request options (timeout, retries).
     *
     * @param options the options
     * @return the view; closing it closes the computer
     */
    Computer withOptions(RequestOptions options);

    /**
     * Opens a URL in the tab ({@code POST /navigate}).
     *
     * @param url the URL
     * @return the result
     */
    ActionResult navigate(String url);

    /**
     * A left click ({@code POST /click}).
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the result
     */
    ActionResult click(double x, double y);

    /**
     * A double click ({@code POST /double-click}).
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the result
     */
    ActionResult doubleClick(double x, double y);

    /**
     * A right click ({@code POST /right-click}).
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the result
     */
    ActionResult rightClick(double x, double y);

    /**
     * Press, move and release ({@code POST /drag}).
     *
     * @param x1 start, from the left
     * @param y1 start, from the top
     * @param x2 end, from the left
     * @param y2 end, from the top
     * @return the result
     */
    ActionResult drag(double x1, double y1, double x2, double y2);

    /**
     * Presses and holds the left button ({@code POST /mouse-down}).
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the result
     */
    ActionResult mouseDown(double x, double y);

    /**
     * Releases the left button ({@code POST /mouse-up}).
     *
     * @param x pixels from the left
     * @param y pixels from the top
     * @return the result
     */
    ActionResult mouseUp(double x, double y);

    /**
     * Types text into the focused element ({@code POST /type}).
     *
     * @param text the text
     * @return the result
     */
    ActionResult type(String text);

    /**
     * Presses a chord of keys ({@code POST /hotkey}), e.g. {@code hotkey("Control", "a")}.
     *
     * @param keys key names, case-insensitive ({@code Enter}, {@code ctrl}, {@code a}, ...)
     * @return the result
     */
    ActionResult hotkey(String... keys);

    /**
     * The same as {@link #hotkey}, under the action's name in {@code /execute} ({@code keypress}).
     *
     * @param keys key names
     * @return the result
     */
    default ActionResult keypress(String... keys) {
        return hotkey(keys);
    }

    /**
     * Holds a key down ({@code POST /key-down}).
     *
     * @param key the key name
     * @return the result
     */
    ActionResult keyDown(String key);

    /**
     * Releases a key ({@code POST /key-up}).
     *
     * @param key the key name
     * @return the result
     */
    ActionResult keyUp(String key);

    /**
     * Scrolls by (dx, dy) with the pointer at (x, y) ({@code POST /scroll}); positive dy scrolls down.
     *
     * @param dx pixels right
     * @param dy pixels down
     * @param x pointer, from the left
     * @param y pointer, from the top
     * @return the result
     */
    ActionResult scroll(double dx, double dy, double x, double y);

    /**
     * Takes a screenshot ({@code POST /screenshot} with {@code base64: true}): the PNG in one round trip, and the
     * URL the server publishes it at.
     *
     * @return the screenshot
     */
    Screenshot screenshot();

    /**
     * The page's HTML ({@code POST /html}).
     *
     * @return the HTML
     */
    String html();

    /**
     * Changes the viewport ({@code POST /viewport}).
     *
     * @param width pixels across
     * @param height pixels down
     * @param scaleFactor the device scale factor
     * @return the result
     */
    ActionResult viewport(int width, int height, double scaleFactor);

    /**
     * Sends the browser's traffic through another proxy from now on ({@code POST /change-proxy}).
     *
     * @param proxyUrl an http or socks5 URL, credentials allowed; null to go direct
     * @return the result
     */
    ActionResult changeProxy(String proxyUrl);

    /**
     * Runs a shell command and returns its buffered output ({@code POST /debug}, deprecated by the contract;
     * prefer {@link #execSync}).
     *
     * @param command the command line
     * @return the output and exit code
     */
    DebugResult debug(String command);

    /**
     * Makes the server pause before answering ({@code /execute} with a {@code wait} action), so that a page can
     * settle between actions in the order they are sent.
     *
     * @param duration how long
     * @return the result
     */
    ActionResult wait(Duration duration);

    /**
     * Runs one action of any type ({@code POST /execute}). Failures come back in the result, not as an exception.
     *
     * @param action the action
     * @return its result
     */
    ActionResult execute(Action action);

    /**
     * Runs actions in order, stopping at the first failure ({@code POST /batch}).
     *
     * @param actions the actions
     * @return a result per action that ran
     */
    BatchResult batch(List<Action> actions);

    /**
     * Runs actions in order, stopping at the first failure ({@code POST /batch}).
     *
     * @param actions the actions
     * @return a result per action that ran
     */
    default BatchResult batch(Action... actions) {
        return batch(List.of(actions));
    }

    /**
     * Runs a command and streams its output as it comes ({@code POST /exec}, NDJSON): chunks, then one
     * {@link ExecEvent.Exit} or {@link ExecEvent.Failure}. Closing the stream early abandons the output.
     *
     * @param request the command
     * @return the events; close it
     */
    EventStream<ExecEvent> exec(ExecRequest request);

    /**
     * Runs a command with the defaults and streams its output.
     *
     * @param command the command line
     * @return the events; close it
     */
    default EventStream<ExecEvent> exec(String command) {
        return exec(ExecRequest.of(command));
    }

    /**
     * Runs a command and waits for it ({@code POST /exec/sync}). A command may run up to its own time limit (120 s
     * by default), so give this call a request timeout above that ({@link #withOptions}) for long commands.
     *
     * @param request the command
     * @return its output and exit code
     */
    ExecResult execSync(ExecRequest request);

    /**
     * Runs a command with the defaults and waits for it.
     *
     * @param command the command line
     * @return its output and exit code
     */
    default ExecResult execSync(String command) {
        return execSync(ExecRequest.of(command));
    }

    /**
     * Follows the computer's live events ({@code GET /events}, server-sent events) until it ends or the stream is
     * closed. Only events after the connection are sent.
     *
     * @return the events; close it to stop following
     */
    EventStream<ComputerEvent> events();

    /**
     * Follows the computer's screencast ({@code GET /screencast}, server-sent events).
     *
     * @return the frames; close it to stop watching
     */
    EventStream<ScreencastEvent> screencast();

    /**
     * The computer's tabs (browsers).
     *
     * @return its tabs
     */
    Tabs tabs();

    /**
     * A CDP WebSocket URL for the browser, ready for Playwright's {@code chromium().connectOverCDP(url)} or
     * Puppeteer's {@code browserWSEndpoint}: it carries the computer's own access token (good for this computer
     * only, not the API key), so no headers are needed.
     *
     * @return a {@code ws://} or {@code wss://} URL
     * @throws BadRequestException when the computer is not a Chromium browser
     */
    String cdpUrl();

    /**
     * Ends the computer ({@code DELETE /computers/{id}}). Idempotent.
     */
    void delete();

    /**
     * Ends the computer, as {@link #delete()}; a second close sends nothing.
     */
    @Override
    void close();
}
