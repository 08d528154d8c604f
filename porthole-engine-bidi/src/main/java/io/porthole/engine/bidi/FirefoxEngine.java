package io.porthole.engine.bidi;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.internal.ProcessTrees;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts one Firefox per computer inside the computer's sandbox, with a fresh profile in its home, and drives it
 * over WebDriver BiDi, which Firefox speaks itself with {@code --remote-debugging-port} (no geckodriver). The
 * port listens on the sandbox's own loopback, which the server reaches through the sandbox
 * ({@link Sandbox#connect}). Thread-safe.
 */
public final class FirefoxEngine implements BrowserEngine {
    /** Where the profile lives inside the sandbox (its home, removed with the computer). */
    static final String PROFILE = Sandbox.HOME + "/.mozilla/porthole-profile";
    /** What a later run of the server needs to take this Firefox over, kept with the sandbox's engine state. */
    static final String TAKE_OVER = "bidi-session.json";
    private static final System.Logger LOG = System.getLogger(FirefoxEngine.class.getName());
    /** Room for the window's toolbars above the page in a headless window (measured: 86 px on 153 ESR). */
    static final int CHROME_HEIGHT = 86;

    private final FirefoxConfig config;

    /**
     * @throws PortholeException.Unavailable if the binary is missing; the message says what to install
     */
    public FirefoxEngine(FirefoxConfig config) {
        this.config = config;
        if (!Files.isExecutable(config.binary())) {
            throw new PortholeException.Unavailable("no Firefox at " + config.binary()
                    + "; install it (Debian: apt-get install firefox-esr) or configure the Firefox binary");
        }
    }

    @Override
    public String name() {
        return "firefox";
    }

    @Override
    public Optional<Path> binary() {
        return Optional.of(config.binary());
    }

    List<String> command(LaunchSpec spec) {
        var cmd = new ArrayList<String>();
        cmd.add(config.binary().toString());
        if (!spec.headful()) cmd.add("--headless");
        cmd.addAll(List.of("--no-remote", "--new-instance", "--profile", PROFILE,
                "--remote-debugging-port=0", "--remote-allow-hosts=127.0.0.1,localhost",
                // chrome-scope script once at start, to clear the flag behind navigator.webdriver (see BidiDriver)
                "--remote-allow-system-access"));
        cmd.add("about:blank");
        return cmd;
    }

    Map<String, String> env(LaunchSpec spec) {
        var env = new LinkedHashMap<String, String>();
        env.put("MOZ_CRASHREPORTER_DISABLE", "1");
        env.put("MOZ_DISABLE_AUTO_SAFE_MODE", "1");
        env.put("MOZ_APP_LAUNCHER", config.binary().toString());
        if (!spec.headful()) {
            // the headless screen and window: the viewport plus the toolbars, so that screen and outer sizes agree
            env.put("MOZ_HEADLESS_WIDTH", Integer.toString(spec.width()));
            env.put("MOZ_HEADLESS_HEIGHT", Integer.toString(spec.height() + CHROME_HEIGHT));
        }
        return env;
    }

    @Override
    public BrowserDriver launch(LaunchSpec spec) {
        var sandbox = spec.sandbox();
        var timeout = config.startTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        FirefoxProcess firefox;
        try {
            var prefs = Prefs.forSandbox(sandbox.httpProxy(), config.extraPrefs());
            // the prefs go in on standard input, written inside by the sandbox's own user: the server writes no file
            var argv = new ArrayList<String>(List.of("/bin/sh", "-c",
                    "mkdir -p \"$0\" && cat > \"$0/user.js\" && exec \"$@\" </dev/null", PROFILE));
            argv.addAll(command(spec));
            var process = sandbox.start(argv, env(spec), Sandbox.WORKSPACE, true);
            try (var in = process.getOutputStream()) {
                in.write(Prefs.userJs(prefs).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            firefox = new FirefoxProcess(sandbox, process, spec.onUnexpectedExit());
        } catch (IOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Firefox (" + config.binary()
                    + ") could not be started: " + e.getMessage(), e);
        }
        BidiConnection bidi = null;
        try {
            int port = firefox.port().get(remaining(deadline), TimeUnit.NANOSECONDS);
            bidi = BidiConnection.open(sandbox.connect(new Sandbox.Endpoint.Tcp(port)), "127.0.0.1:" + port, "/session",
                    config.logBidi());
            var session = newSession(bidi, deadline);
            var driver = new BidiDriver(bidi, firefox, session, spec);
            driver.start(Duration.ofNanos(Math.max(remaining(deadline), TimeUnit.SECONDS.toNanos(5))), Optional.empty());
            saveTakeOver(sandbox, new TakeOver(port, driver.sessionId(), Map.of()));
            return driver;
        } catch (TimeoutException e) {
            throw failed(firefox, bidi, "Firefox did not answer within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw failed(firefox, bidi, e.getCause().getMessage(), e.getCause());
        } catch (IOException | RuntimeException e) {
            throw failed(firefox, bidi, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(firefox, bidi, "interrupted", e);
        }
    }

    private static JsonNode newSession(BidiConnection bidi, long deadline) {
        return bidi.call("session.new", BidiConnection.params().set("capabilities",
                BidiConnection.JSON.createObjectNode().set("alwaysMatch", BidiConnection.JSON.createObjectNode()
                        .put("acceptInsecureCerts", false)
                        .set("unhandledPromptBehavior", BidiConnection.params().put("default", "ignore")))),
                Duration.ofNanos(remaining(deadline)));
    }

    /**
     * Takes over the Firefox an earlier run of the server started in this (re-adopted) sandbox: finds its main
     * process, connects to its port again, ends the earlier
     * run's session and opens a new one, and rebuilds the tabs from the browser's tree.
     *
     * <p>Firefox 153 does not end a WebDriver BiDi session when its WebSocket closes (the connection only leaves
     * the session, {@code WebDriverBiDiConnection.onConnectionClose}), and allows one session per browser, so a
     * {@code session.new} after a crash of the server fails with "Maximum number of active sessions". A session
     * made over BiDi has no {@code /session/<id>} path to connect to again; so at start the driver registers that
     * path for its session (as Firefox itself does for a WebDriver classic session that asked for a WebSocket),
     * and the engine keeps the session id and port in the channel directory. A take-over connects to that path,
     * ends the old session with {@code session.end}, and makes a new one.
     */
    @Override
    public Optional<BrowserDriver> adopt(LaunchSpec spec) {
        var sandbox = spec.sandbox();
        var saved = readTakeOver(sandbox);
        if (saved.isEmpty()) return Optional.empty();
        var processes = sandbox.processes();
        var browser = processes.stream().filter(FirefoxEngine::isBrowser).filter(h -> !ProcessTrees.gone(h)).findFirst();
        if (browser.isEmpty()) return Optional.empty();
        int port = saved.get().port();
        var firefox = new FirefoxProcess(sandbox, browser.get(), port, spec.onUnexpectedExit());
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        BidiConnection bidi = null;
        try {
            bidi = BidiConnection.open(sandbox.connect(new Sandbox.Endpoint.Tcp(port)), "127.0.0.1:" + port, "/session",
                    config.logBidi());
            JsonNode session;
            List<String> earlierTabs = List.of();
            try {
                session = newSession(bidi, deadline);
            } catch (BidiException e) {
                if (!e.error().equals("session not created")) throw e;
                // the ids callers know: a tab taken over before keeps the id it had then
                earlierTabs = endSession(sandbox, port, saved.get().session(), deadline).stream()
                        .map(id -> saved.get().aliases().getOrDefault(id, id)).toList();
                session = newSession(bidi, deadline);
            }
            var driver = new BidiDriver(bidi, firefox, session, spec);
            driver.start(Duration.ofNanos(Math.max(remaining(deadline), TimeUnit.SECONDS.toNanos(5))),
                    Optional.of(new BidiDriver.Previous(saved.get().session(), earlierTabs)));
            saveTakeOver(sandbox, new TakeOver(port, driver.sessionId(), driver.aliases()));
            return Optional.of(driver);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the Firefox of {0} could not be taken over: {1}", spec.computerId(),
                    e.getMessage());
            firefox.markClosing();
            if (bidi != null) bidi.close();
            return Optional.empty();
        }
    }

    /** The Firefox main process: not a content process or the fork server, nor the shell that started it. */
    static boolean isBrowser(ProcessHandle h) {
        var command = h.info().command().orElse("");
        var line = h.info().commandLine().orElse("");
        return command.contains("firefox") && line.contains("--remote-debugging-port") && line.contains(PROFILE)
                && !line.contains("-contentproc") && !line.contains("-forkserver");
    }

    /**
     * Ends the session an earlier run left, over its own path (which the driver registered at start): Firefox ends a
     * session only on {@code session.end} from one of its connections. Returns the ids that session knew the tabs by,
     * in the browser's order (a new session numbers them anew).
     */
    private List<String> endSession(Sandbox sandbox, int port, String sessionId, long deadline) throws IOException {
        var channel = sandbox.connect(new Sandbox.Endpoint.Tcp(port));
        var tabs = new ArrayList<String>();
        try (var old = BidiConnection.open(channel, "127.0.0.1:" + port, "/session/" + sessionId, config.logBidi())) {
            var tree = old.call("browsingContext.getTree", BidiConnection.params().put("maxDepth", 0),
                    Duration.ofNanos(remaining(deadline)));
            for (var c : tree.path("contexts")) tabs.add(c.path("context").asText());
            old.call("session.end", BidiConnection.params(), Duration.ofNanos(remaining(deadline)));
        }
        LOG.log(System.Logger.Level.DEBUG, "ended the BiDi session {0} an earlier run left", sessionId);
        return tabs;
    }

    /**
     * What a take-over needs: Firefox's port inside the sandbox, the session the driver holds, and the tabs that
     * session knows by other ids than callers do (context id to the id callers know).
     */
    record TakeOver(int port, String session, Map<String, String> aliases) {}

    /** Kept by the server for the sandbox ({@link Sandbox#saveEngineState}), out of the computer's reach. */
    static void saveTakeOver(Sandbox sandbox, TakeOver state) throws IOException {
        var json = BidiConnection.JSON.createObjectNode().put("port", state.port()).put("session", state.session());
        var aliases = json.putObject("aliases");
        state.aliases().forEach(aliases::put);
        sandbox.saveEngineState(TAKE_OVER, json.toString());
    }

    static Optional<TakeOver> readTakeOver(Sandbox sandbox) {
        try {
            var text = sandbox.engineState(TAKE_OVER);
            if (text.isEmpty()) return Optional.empty();
            var json = BidiConnection.JSON.readTree(text.get());
            int port = json.path("port").asInt(0);
            var session = json.path("session").asText("");
            if (port <= 0 || session.isEmpty() || !session.matches("[A-Za-z0-9{}._-]{1,80}")) return Optional.empty();
            var aliases = new java.util.HashMap<String, String>();
            json.path("aliases").properties().forEach(e -> aliases.put(e.getKey(), e.getValue().asText()));
            return Optional.of(new TakeOver(port, session, aliases));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private static PortholeException failed(FirefoxProcess firefox, BidiConnection bidi, String why, Throwable cause) {
        firefox.markClosing();
        if (bidi != null) bidi.close();
        firefox.kill(0);
        var said = firefox.lastLines();
        return new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Firefox did not start: " + why
                + (said.isBlank() ? "" : "; it said: " + said), cause);
    }

    @Override
    public String toString() {
        return "firefox(" + config.binary() + ")";
    }
}
