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
import java.util.regex.Pattern;

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
    private static final String XVFB_CMD = FirefoxConfig.XVFB.toString();
    private static final String OPENBOX_CMD = FirefoxConfig.OPENBOX.toString();
    /** What may go into TZ and LANG: a zone name, a language tag; anything else is left out of the environment. */
    private static final Pattern TIMEZONE = Pattern.compile("[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}");
    private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}");
    /**
     * A taskbar's room at the bottom of the screen, which openbox keeps windows off and out of its work area (Firefox 153
     * on X11 still reports the whole screen as available; ADR 0036).
     */
    static final int TASKBAR_HEIGHT = 28;

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

    /** Firefox on an X server of its own: a browser computer's, unless configured headless. */
    boolean ownDisplay(LaunchSpec spec) {
        return !spec.headful() && config.ownDisplay();
    }

    List<String> command(LaunchSpec spec) {
        var cmd = new ArrayList<String>();
        cmd.add(config.binary().toString());
        if (!spec.headful() && !ownDisplay(spec)) cmd.add("--headless");
        if (ownDisplay(spec)) {
            // the window's first size: the viewport and the toolbars; the driver fits it exactly once it is up
            cmd.addAll(List.of("--width", Integer.toString(spec.width()),
                    "--height", Integer.toString(spec.height() + CHROME_HEIGHT)));
        }
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
        var identity = spec.identity();
        // one zone for the whole process tree: pages, frames and every kind of worker read it from the environment
        if (TIMEZONE.matcher(identity.timezone()).matches()) env.put("TZ", identity.timezone());
        // the desktop's regional settings, which Intl follows (intl.regional_prefs.use_os_locales); no glibc locale
        // of that name needs to exist for Firefox to read it
        if (LOCALE.matcher(identity.locale()).matches()) {
            env.put("LANG", identity.locale().replace('-', '_') + ".UTF-8");
        }
        if (ownDisplay(spec)) {
            env.put("DISPLAY", spec.sandbox().display());
            env.put("MOZ_ENABLE_WAYLAND", "0");
            env.put("GDK_BACKEND", "x11");
            env.put("LIBGL_ALWAYS_SOFTWARE", "1");
        } else if (!spec.headful()) {
            // the headless screen and window: the viewport plus the toolbars, so that screen and outer sizes agree
            env.put("MOZ_HEADLESS_WIDTH", Integer.toString(spec.width()));
            env.put("MOZ_HEADLESS_HEIGHT", Integer.toString(spec.height() + CHROME_HEIGHT));
        }
        return env;
    }

    /**
     * The command the sandbox runs: writes the prefs (from standard input) into the profile, and for a display of its
     * own starts Xvfb and openbox first, in the shell's process group with Firefox; the shell waits for Firefox and
     * then ends them, so that neither outlives the browser (and the sandbox's end ends them at the latest).
     */
    List<String> argv(LaunchSpec spec) {
        var argv = new ArrayList<String>(List.of("/bin/sh", "-c"));
        if (!ownDisplay(spec)) {
            argv.addAll(List.of("mkdir -p \"$0\" && cat > \"$0/user.js\" && exec \"$@\" </dev/null", PROFILE));
        } else {
            var identity = spec.identity();
            int screenWidth = Math.max(identity.screenWidth(), spec.width());
            int screenHeight = Math.max(identity.screenHeight(), spec.height() + CHROME_HEIGHT);
            argv.add(String.join("\n",
                    "set -e",
                    "mkdir -p \"$0\"; cat > \"$0/user.js\"",
                    "d=$1; screen=$2; rc=$3; shift 3",
                    "mkdir -p \"$HOME/.config/openbox\"; printf '%s' \"$rc\" > \"$HOME/.config/openbox/porthole-rc.xml\"",
                    XVFB_CMD + " \"$d\" -screen 0 \"$screen\" -dpi 96 -nolisten tcp -nolisten local -noreset"
                            + " </dev/null >/dev/null 2>&1 & x=$!",
                    // the socket appears once Xvfb listens; bounded (10 s)
                    "i=0; while [ ! -S \"/tmp/.X11-unix/X${d#:}\" ]; do i=$((i+1));"
                            + " if [ $i -gt 500 ] || ! kill -0 $x 2>/dev/null; then echo 'Xvfb did not start' >&2; exit 1; fi;"
                            + " sleep 0.02; done",
                    "DISPLAY=$d " + OPENBOX_CMD + " --sm-disable --config-file \"$HOME/.config/openbox/porthole-rc.xml\""
                            + " </dev/null >/dev/null 2>&1 & o=$!",
                    // the shell stays, so that the X server and the window manager end with Firefox, however it ends
                    "set +e",
                    "\"$@\" </dev/null & f=$!",
                    "trap 'kill $f 2>/dev/null' TERM INT HUP",
                    "wait $f; s=$?; kill $x $o 2>/dev/null; wait; exit $s"));
            argv.addAll(List.of(PROFILE, spec.sandbox().display(), screenWidth + "x" + screenHeight + "x24",
                    openboxConfig()));
        }
        argv.addAll(command(spec));
        return argv;
    }

    /** openbox's configuration: one desktop, a taskbar's room at the bottom (screen.availHeight is less than height). */
    static String openboxConfig() {
        return "<?xml version=\"1.0\"?>\n<openbox_config xmlns=\"http://openbox.org/3.4/rc\">"
                + "<margins><top>0</top><bottom>" + TASKBAR_HEIGHT + "</bottom><left>0</left><right>0</right></margins>"
                + "<desktops><number>1</number></desktops></openbox_config>\n";
    }

    @Override
    public BrowserDriver launch(LaunchSpec spec) {
        var sandbox = spec.sandbox();
        var timeout = config.startTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        FirefoxProcess firefox;
        try {
            var prefs = Prefs.forSandbox(sandbox.httpProxy(), spec.identity(), ownDisplay(spec), config.extraPrefs());
            // the prefs go in on standard input, written inside by the sandbox's own user: the server writes no file
            var process = sandbox.start(argv(spec), env(spec), Sandbox.WORKSPACE, true);
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
            var driver = new BidiDriver(bidi, firefox, session, spec, ownDisplay(spec));
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
            // as it was started, whatever the configuration says now
            boolean own = ownDisplay(spec) && !browser.get().info().commandLine().orElse("").contains("--headless");
            var driver = new BidiDriver(bidi, firefox, session, spec, own);
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
