package io.porthole.bench;

import static io.porthole.engine.cdp.CdpConnection.params;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.engine.cdp.CdpConnection;
import io.porthole.engine.cdp.WebSocketTransport;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The baseline: Chromium launched directly, with a minimal set of flags and a fresh profile, driven over raw CDP
 * with the project's own {@link CdpConnection}. Nothing of Porthole's server, store or dispatcher is involved.
 */
final class RawBrowser implements AutoCloseable {
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path dir;
    private final CompletableFuture<String> devtoolsUrl = new CompletableFuture<>();
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final AtomicBoolean killed = new AtomicBoolean();
    private volatile CdpConnection cdp;
    private volatile String sessionId;
    private volatile String targetId;
    private volatile Phases phases;

    /**
     * Where a launch's time went: starting the process, until it printed "DevTools listening on", connecting the
     * WebSocket, and the {@code Target.getTargets} round trip.
     */
    record Phases(long startNanos, long listeningNanos, long connectNanos, long answerNanos) {}

    /** The phases of {@link #launch}. */
    Phases phases() {
        return phases;
    }

    private RawBrowser(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        Thread.ofVirtual().name("raw-chromium-stderr-" + process.pid()).start(this::readStderr);
        process.onExit().thenRun(() -> devtoolsUrl.completeExceptionally(
                new IllegalStateException("Chromium exited with code " + process.exitValue() + ": " + lastLines())));
    }

    /** The flags of the baseline; {@code dir} is this browser's own directory (HOME and profile). */
    static List<String> command(Path chromium, Path profile, int width, int height) {
        var cmd = new ArrayList<String>();
        cmd.add(chromium.toString());
        cmd.add("--headless=new");
        cmd.add("--remote-debugging-port=0");
        cmd.add("--user-data-dir=" + profile);
        if ("root".equals(System.getProperty("user.name"))) cmd.add("--no-sandbox");
        cmd.addAll(List.of("--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-gpu", "--window-size=" + width + "," + height, "about:blank"));
        return cmd;
    }

    /**
     * Starts Chromium in {@code dir} and returns once it answers a {@code Target.getTargets} round trip: the
     * baseline of "create → ready". Kills what it started if that fails.
     */
    static RawBrowser launch(Path chromium, Path dir, HttpClient http, int width, int height, Duration timeout)
            throws IOException {
        return launch(chromium, dir, http, width, height, timeout, false);
    }

    /**
     * {@link #launch}, and with {@code firstPage} then also brought to the state a Porthole computer's first page is
     * in when its create answers ({@link #setUpFirstPage}).
     */
    static RawBrowser launch(Path chromium, Path dir, HttpClient http, int width, int height, Duration timeout,
                             boolean firstPage) throws IOException {
        var profile = dir.resolve("profile");
        Files.createDirectories(profile);
        var pb = new ProcessBuilder(command(chromium, profile, width, height))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // like Porthole: HOME in the browser's own directory, so nothing lands in the real home (crash database)
        pb.environment().put("HOME", dir.toString());
        pb.environment().remove("DISPLAY");
        long t0 = System.nanoTime();
        var browser = new RawBrowser(pb.start(), dir);
        try {
            long started = System.nanoTime();
            var url = browser.devtoolsUrl.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long listening = System.nanoTime();
            browser.cdp = new CdpConnection(listener -> WebSocketTransport.connect(http, URI.create(url), listener,
                    Duration.ofSeconds(10)));
            long connected = System.nanoTime();
            browser.cdp.call("Target.getTargets", params(), null, CALL_TIMEOUT);
            browser.phases = new Phases(started - t0, listening - started, connected - listening,
                    System.nanoTime() - connected);
            if (firstPage) browser.setUpFirstPage(width, height);
            return browser;
        } catch (TimeoutException e) {
            browser.close();
            throw new IOException("raw Chromium did not print its DevTools URL within " + timeout.toSeconds()
                    + " s; last output:\n" + browser.lastLines());
        } catch (Exception e) {
            browser.close();
            var cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("raw Chromium did not start: " + cause.getMessage(), cause);
        } catch (Throwable t) {
            browser.close();
            throw t;
        }
    }

    /**
     * What Porthole's driver does to a browser's first page before a create answers, done straight over CDP: attach
     * to it with a flat session (Target.setAutoAttach), then send the page the six commands a new tab gets (Page.enable,
     * focus emulation, the viewport, a script for new documents, the user agent, the release) together, and wait until
     * all have answered. The script is a one-liner here (Porthole's stealth script is longer); the page is the same
     * about:blank.
     */
    private void setUpFirstPage(int width, int height) throws Exception {
        var attached = new CompletableFuture<String>();
        cdp.onEvent(e -> {
            if (e.method().equals("Target.attachedToTarget")
                    && "page".equals(e.params().path("targetInfo").path("type").asText())) {
                attached.complete(e.params().path("sessionId").asText());
            }
        });
        cdp.call("Target.setAutoAttach", params().put("autoAttach", true).put("waitForDebuggerOnStart", true)
                .put("flatten", true), null, CALL_TIMEOUT);
        var session = attached.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        var sent = List.of(
                cdp.send("Page.enable", params(), session),
                cdp.send("Emulation.setFocusEmulationEnabled", params().put("enabled", true), session),
                cdp.send("Emulation.setDeviceMetricsOverride", params().put("width", width).put("height", height)
                        .put("deviceScaleFactor", 1).put("mobile", false).put("screenWidth", width)
                        .put("screenHeight", height), session),
                cdp.send("Page.addScriptToEvaluateOnNewDocument", params().put("source",
                        "Object.defineProperty(navigator, 'webdriver', {get: () => undefined});"), session),
                cdp.send("Emulation.setUserAgentOverride", params().put("userAgent", "Mozilla/5.0 (X11; Linux x86_64)"
                        + " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36")
                        .put("acceptLanguage", "en-US,en").put("platform", "Linux x86_64"), session),
                cdp.send("Runtime.runIfWaitingForDebugger", params(), session));
        for (var f : sent) f.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void readStderr() {
        try (var r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                var m = DEVTOOLS.matcher(line);
                if (m.find()) devtoolsUrl.complete(m.group(1));
                synchronized (lastLines) {
                    if (lastLines.size() == 20) lastLines.removeFirst();
                    lastLines.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    String lastLines() {
        synchronized (lastLines) {
            return String.join("\n", lastLines);
        }
    }

    /** The string that every process of this browser has in its command line (profile, or HOME for crashpad). */
    String marker() {
        return dir.toString();
    }

    long pid() {
        return process.pid();
    }

    /**
     * The browser-level WebSocket URL it printed ("DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…"):
     * what {@code chromium.connectOverCDP} takes. Only after {@link #launch} returned.
     */
    String devtoolsUrl() {
        return devtoolsUrl.getNow(null);
    }

    /** Attaches to the first page target with a flat session, enables Page events, sets the viewport. */
    void attachToPage(int width, int height) {
        var targets = cdp.call("Target.getTargets", params(), null, CALL_TIMEOUT).path("targetInfos");
        String targetId = null;
        for (var t : targets) {
            if ("page".equals(t.path("type").asText())) {
                targetId = t.path("targetId").asText();
                break;
            }
        }
        if (targetId == null) {
            targetId = cdp.call("Target.createTarget", params().put("url", "about:blank"), null, CALL_TIMEOUT)
                    .path("targetId").asText();
        }
        this.targetId = targetId;
        sessionId = cdp.call("Target.attachToTarget", params().put("targetId", targetId).put("flatten", true), null,
                CALL_TIMEOUT).path("sessionId").asText();
        cdp.call("Page.enable", params(), sessionId, CALL_TIMEOUT);
        // the same viewport as a Porthole computer (headless --window-size leaves a smaller viewport)
        cdp.call("Emulation.setDeviceMetricsOverride", params().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", false).put("screenWidth", width).put("screenHeight", height),
                sessionId, CALL_TIMEOUT);
    }

    /** The connection, for rows that speak CDP themselves (only after {@link #launch} returned). */
    CdpConnection cdp() {
        return cdp;
    }

    /** The flat session of the page {@link #attachToPage} attached to. */
    String sessionId() {
        return sessionId;
    }

    /** That page's target id. */
    String targetId() {
        return targetId;
    }

    /** Navigates the attached page and waits (bounded) for its load event. */
    void navigate(String url, Duration timeout) throws Exception {
        var loaded = new CompletableFuture<Void>();
        var session = sessionId;
        cdp.onEvent(e -> {
            if (e.method().equals("Page.loadEventFired") && e.sessionId().equals(session)) loaded.complete(null);
        });
        var result = cdp.call("Page.navigate", params().put("url", url), session, CALL_TIMEOUT);
        if (!result.path("errorText").asText("").isEmpty()) {
            throw new IllegalStateException("raw navigation failed: " + result.path("errorText").asText());
        }
        loaded.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What Porthole's click does: move, press, release, each one CDP round trip. */
    void click(double x, double y) {
        cdp.call("Input.dispatchMouseEvent", params().put("type", "mouseMoved").put("x", x).put("y", y)
                .put("modifiers", 0).put("buttons", 0).put("button", "none").put("clickCount", 0), sessionId, CALL_TIMEOUT);
        cdp.call("Input.dispatchMouseEvent", params().put("type", "mousePressed").put("x", x).put("y", y)
                .put("modifiers", 0).put("buttons", 1).put("button", "left").put("clickCount", 1), sessionId, CALL_TIMEOUT);
        cdp.call("Input.dispatchMouseEvent", params().put("type", "mouseReleased").put("x", x).put("y", y)
                .put("modifiers", 0).put("buttons", 0).put("button", "left").put("clickCount", 1), sessionId, CALL_TIMEOUT);
    }

    /** A PNG of the viewport, decoded (as a client would need it). */
    byte[] screenshot() {
        var result = cdp.call("Page.captureScreenshot", params().put("format", "png").put("fromSurface", true)
                .put("captureBeyondViewport", false), sessionId, CALL_TIMEOUT);
        return Base64.getDecoder().decode(result.path("data").asText());
    }

    /** The cheapest browser-level round trip. */
    void noop() {
        cdp.call("Browser.getVersion", params(), null, CALL_TIMEOUT);
    }

    JsonNode evaluate(String expression) {
        return cdp.call("Runtime.evaluate", params().put("expression", expression).put("returnByValue", true),
                sessionId, CALL_TIMEOUT).path("result").path("value");
    }

    /** What {@link #kill()} took. */
    record KillTiming(long exitedNanos, long reapedNanos) {}

    /** {@link #kill()}, ignoring its timing. */
    @Override
    public void close() {
        kill();
    }

    /**
     * The baseline of "delete": SIGKILL the browser and every process it started, wait (bounded) until each has
     * exited, remove its directory: {@code exitedNanos}. Then wait (bounded) until the exited processes are also
     * reaped: {@code reapedNanos}, from the same start. The browser's children are re-parented to PID 1 when it
     * dies, so how soon they are reaped depends on the host's init, not on the browser. Idempotent: a second call
     * answers zeros.
     */
    KillTiming kill() {
        if (!killed.compareAndSet(false, true)) return new KillTiming(0, 0);
        long t0 = System.nanoTime();
        var c = cdp;
        if (c != null) c.close();
        var tree = new ArrayList<Long>();
        process.descendants().forEach(h -> tree.add(h.pid()));
        process.destroyForcibly();
        for (var pid : tree) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waitFor(tree, Procs::exited, Duration.ofSeconds(10));
        deleteTree(dir);
        long t1 = System.nanoTime();
        waitFor(tree, Procs::gone, Duration.ofSeconds(10));
        long t2 = System.nanoTime();
        return new KillTiming(t1 - t0, t2 - t0);
    }

    private static void waitFor(List<Long> pids, java.util.function.LongPredicate done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        var left = new ArrayList<>(pids);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            left.removeIf(done::test);
            if (left.isEmpty()) return;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static void deleteTree(Path root) {
        for (int attempt = 0; attempt < 3 && Files.exists(root); attempt++) {
            try (var paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a process still writing; retried
                    }
                });
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // a file vanished while walking; retried
            }
        }
    }
}
