package io.porthole.engine.cdp;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.internal.Steps;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Starts one headless Chromium per computer, with a fresh profile in the computer's directory, and drives it
 * over CDP. Works as root in a container (the browser's own sandbox needs namespaces that Porthole's
 * sandbox provides instead, so it is switched off for root). Thread-safe.
 */
public final class ChromiumEngine implements BrowserEngine {
    private static final System.Logger LOG = System.getLogger(ChromiumEngine.class.getName());

    private final ChromiumConfig config;
    private final Path binary;
    private final String userAgent;

    /**
     * @throws PortholeException.Unavailable if no Chromium can be found; the message lists where it looked
     *     and what to install
     */
    public ChromiumEngine(ChromiumConfig config) {
        this.config = config;
        this.binary = findBinary(config);
        this.userAgent = userAgentFor(version(binary));
    }

    @Override
    public java.util.Optional<Path> binary() {
        return java.util.Optional.of(binary);
    }

    @Override
    public String name() {
        return "chromium";
    }

    static Path findBinary(ChromiumConfig config) {
        var tried = new ArrayList<String>();
        if (config.binary().isPresent()) {
            var p = config.binary().get();
            if (Files.isExecutable(p)) return p;
            throw new PortholeException.Unavailable("PORTHOLE_CHROMIUM_PATH is " + p + ", which is not an executable file");
        }
        for (var c : ChromiumConfig.CANDIDATES) {
            var p = Path.of(c);
            if (Files.isExecutable(p)) return p;
            tried.add(c + " (absent)");
        }
        throw new PortholeException.Unavailable("no Chromium found; tried " + String.join(", ", tried)
                + ". Install it (Debian: apt-get install chromium) or set PORTHOLE_CHROMIUM_PATH");
    }

    private static String version(Path binary) {
        try {
            var p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            var m = Pattern.compile("(\\d+)\\.\\d+\\.\\d+\\.\\d+").matcher(out);
            return m.find() ? m.group(1) : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The user agent of a desktop Chrome of the same major version, without "Headless". */
    static String userAgentFor(String major) {
        if (major.isEmpty()) return null;
        return "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + major
                + ".0.0.0 Safari/537.36";
    }

    /** Where the profile lives inside the sandbox (its home, removed with the computer). */
    static final String PROFILE = Sandbox.HOME + "/.config/porthole-chromium";

    /** Chromium features turned off; one {@code --disable-features} flag, as a later one replaces an earlier one. */
    public static final String DISABLED_FEATURES = "Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider,"
            + "InterestFeedContentSuggestions,SpareRendererForSitePerProcess";

    List<String> command(LaunchSpec spec) {
        var identity = spec.identity();
        var cmd = new ArrayList<String>();
        cmd.add(binary.toString());
        if (spec.headful()) {
            // a window on the computer's screen, filling it; --test-type keeps the --no-sandbox warning bar away
            cmd.addAll(List.of("--test-type", "--start-maximized", "--window-position=0,0"));
        } else {
            // --test-type: no --no-sandbox warning bar, which takes 56 px of the first window's viewport
            cmd.addAll(List.of("--headless=new", "--test-type"));
        }
        cmd.add("--remote-debugging-pipe");
        // clients' own CDP sessions: a port of the sandbox's loopback, reached through a forwarder (DevToolsEndpoint)
        cmd.add("--remote-debugging-address=127.0.0.1");
        cmd.add("--remote-debugging-port=0");
        cmd.add("--user-data-dir=" + PROFILE);
        if (isRoot()) cmd.add("--no-sandbox");
        cmd.addAll(List.of("--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--disable-breakpad", "--disable-crash-reporter", "--disable-dev-shm-usage",
                "--disable-quic", "--metrics-recording-only", "--mute-audio", "--password-store=basic",
                "--use-mock-keychain", "--disable-smooth-scrolling", "--disable-hang-monitor",
                "--disable-blink-features=AutomationControlled",
                // SpareRendererForSitePerProcess: no renderer kept started in advance for the next navigation
                // (about 10 MiB per computer; docs/adr/0024-memory-per-computer.md). Site isolation is untouched.
                "--disable-features=" + DISABLED_FEATURES,
                "--lang=" + identity.locale(), "--accept-lang=" + String.join(",", identity.languages())));
        // a host GPU when the operator lends one (PORTHOLE_GPU): ANGLE on EGL, where Mesa drives the render node;
        // else no GPU process work beyond SwiftShader's WebGL (docs/adr/0035-native-stealth.md)
        cmd.addAll(!config.gpu().isEmpty() ? List.of("--use-angle=gl-egl", "--ignore-gpu-blocklist") : List.of("--disable-gpu"));
        if (spec.headful()) {
            cmd.add("--window-size=" + spec.width() + "," + spec.height());
        } else {
            cmd.addAll(WindowMetrics.flags(spec.width(), spec.height(), spec.scale(), identity));
        }
        if (userAgent != null && !spec.headful()) cmd.add("--user-agent=" + userAgent);
        spec.sandbox().httpProxy().ifPresent(proxy -> {
            // everything through the egress proxy, loopback included (Chromium bypasses it for loopback by default)
            cmd.add("--proxy-server=" + proxy);
            cmd.add("--proxy-bypass-list=<-loopback>");
        });
        cmd.addAll(config.extraFlags());
        cmd.add("about:blank");
        return cmd;
    }

    /**
     * The browser's environment: its timezone. {@code TZ} is read by every process of the browser, so pages,
     * iframes and every kind of worker agree on it without a per-target override (a zone the sandbox can read:
     * /usr/share/zoneinfo is the host's, read-only).
     */
    static Map<String, String> environment(io.porthole.core.browser.Identity identity) {
        var tz = identity.timezone();
        if (!TIMEZONE.matcher(tz).matches() || tz.contains("..")) {
            throw new PortholeException.InvalidRequest("'" + tz + "' is not an IANA timezone name");
        }
        return Map.of("TZ", tz);
    }

    private static final Pattern TIMEZONE = Pattern.compile("[A-Za-z][A-Za-z0-9_+\\-]*(/[A-Za-z0-9_+\\-]+)*");

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public BrowserDriver launch(LaunchSpec spec) {
        var environment = environment(spec.identity());
        Process process;
        CdpConnection cdp;
        var steps = new Steps();
        try {
            var pipes = spec.sandbox().fifos(List.of("cdp-in", "cdp-out"));
            var toBrowser = pipes.get(0);
            var fromBrowser = pipes.get(1);
            steps.lap("pipes");
            var name = "cdp-" + spec.computerId();
            // our ends first: opening a FIFO read-write never blocks, and the browser's then do not either
            cdp = new CdpConnection(listener -> {
                var l = config.logCdp() ? LoggingTransport.logging(listener, name) : listener;
                CdpTransport t;
                try {
                    t = PipeTransport.open(toBrowser, fromBrowser, l);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return config.logCdp() ? new LoggingTransport(t, name) : t;
            });
            // a keeper holds both pipes open inside: Chromium exits when its command pipe has no writer left, and
            // the server's ends go with the server; so the browser outlives a crash of the server, whose next
            // run takes the pipes over (adopt)
            var argv = new ArrayList<String>(List.of("/bin/sh", "-c",
                    "sleep infinity 5<>" + Sandbox.CHANNELS + "/cdp-in 6<>" + Sandbox.CHANNELS + "/cdp-out & "
                            + "exec \"$@\" 3<" + Sandbox.CHANNELS + "/cdp-in 4>" + Sandbox.CHANNELS + "/cdp-out",
                    "chromium"));
            argv.addAll(command(spec));
            steps.lap("connection");
            process = spec.sandbox().start(argv, environment, Sandbox.WORKSPACE);
            steps.lap("process started");
            process.getOutputStream().close();
            Threads.onPipeThread(() -> {
                try (var out = process.getInputStream()) {
                    out.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // ended
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Chromium (" + binary + ") could not be started: "
                    + e.getMessage(), e);
        }
        var chromium = new ChromiumProcess(process, spec.onUnexpectedExit());
        process.onExit().thenRun(cdp::close);
        try {
            var driver = new ChromiumDriver(cdp, chromium, spec.headful() ? null : userAgent, spec.width(), spec.height(),
                    spec.scale(), spec.headful(), new DevToolsEndpoint(spec.sandbox(), PROFILE), spec.identity());
            driver.start(Duration.ofSeconds(config.startTimeoutSeconds()), steps);
            // a scan of every process on the host: not worth making the create wait for
            Threads.startVirtual("porthole-chromium-children-" + spec.computerId(), chromium::rememberChildren);
            LOG.log(System.Logger.Level.DEBUG, "Chromium of {0} ready: {1}", spec.computerId(), steps);
            return driver;
        } catch (RuntimeException e) {
            chromium.markClosing();
            cdp.close();
            chromium.kill();
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Chromium did not start: " + e.getMessage()
                    + (chromium.lastLines().isBlank() ? "" : "; it said: " + chromium.lastLines()), e);
        }
    }

    @Override
    public java.util.Optional<BrowserDriver> adopt(LaunchSpec spec) {
        var in = spec.sandbox().existingFifo("cdp-in");
        var out = spec.sandbox().existingFifo("cdp-out");
        if (in.isEmpty() || out.isEmpty()) return java.util.Optional.empty();
        var toBrowser = in.get();
        var fromBrowser = out.get();
        // the browser process: the one inside with the pipe flag that is no helper (--type=...)
        var browser = spec.sandbox().processes().stream()
                .filter(h -> h.info().commandLine().map(c -> c.contains("--remote-debugging-pipe") && !c.contains("--type="))
                        .orElse(false))
                .filter(h -> !ChromiumProcess.gone(h))
                .findFirst();
        if (browser.isEmpty()) return java.util.Optional.empty();
        var name = "cdp-" + spec.computerId();
        long firstId = 100_000_000L + java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000_000L);
        var cdp = new CdpConnection(listener -> {
            var l = config.logCdp() ? LoggingTransport.logging(listener, name) : listener;
            try {
                CdpTransport t = PipeTransport.open(toBrowser, fromBrowser, l);
                return config.logCdp() ? new LoggingTransport(t, name) : t;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, firstId);
        var chromium = new ChromiumProcess(browser.get(), spec.onUnexpectedExit());
        browser.get().onExit().thenRun(cdp::close);
        try {
            cdp.call("Browser.getVersion", null, null, Duration.ofSeconds(config.startTimeoutSeconds()));
            var driver = new ChromiumDriver(cdp, chromium, spec.headful() ? null : userAgent, spec.width(), spec.height(),
                    spec.scale(), spec.headful(), new DevToolsEndpoint(spec.sandbox(), PROFILE), spec.identity());
            driver.adopt();
            chromium.rememberChildren();
            return java.util.Optional.of(driver);
        } catch (RuntimeException e) {
            cdp.close();
            return java.util.Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "chromium(" + binary + ")".toLowerCase(Locale.ROOT);
    }
}
