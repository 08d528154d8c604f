package io.porthole.engine.cdp;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.browser.LaunchSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @throws PortholeException.Unavailable if no Chromium can be found; the message lists where it looked
     *     and what to install
     */
    public ChromiumEngine(ChromiumConfig config) {
        this.config = config;
        this.binary = findBinary(config);
        this.userAgent = userAgentFor(version(binary));
    }

    public Path binary() {
        return binary;
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

    List<String> command(LaunchSpec spec, Path profile) {
        var cmd = new ArrayList<String>();
        cmd.add(binary.toString());
        cmd.add("--headless=new");
        cmd.add("--remote-debugging-address=127.0.0.1");
        cmd.add("--remote-debugging-port=0");
        cmd.add("--user-data-dir=" + profile);
        if (isRoot()) cmd.add("--no-sandbox");
        cmd.addAll(List.of("--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                "--disable-breakpad", "--disable-crash-reporter", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-quic", "--metrics-recording-only", "--mute-audio", "--password-store=basic",
                "--use-mock-keychain", "--disable-smooth-scrolling", "--disable-hang-monitor",
                "--disable-blink-features=AutomationControlled",
                "--disable-features=Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider,InterestFeedContentSuggestions",
                "--lang=en-US", "--window-size=" + spec.width() + "," + spec.height()));
        if (userAgent != null) cmd.add("--user-agent=" + userAgent);
        cmd.addAll(config.extraFlags());
        cmd.add("about:blank");
        return cmd;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public BrowserDriver launch(LaunchSpec spec) {
        var profile = spec.workDir().resolve("profile");
        Process process;
        try {
            Files.createDirectories(profile);
            var pb = new ProcessBuilder(command(spec, profile))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("HOME", spec.workDir().toString());
            pb.environment().remove("DISPLAY");
            process = pb.start();
        } catch (IOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Chromium (" + binary + ") could not be started: "
                    + e.getMessage(), e);
        }
        var chromium = new ChromiumProcess(process, spec.onUnexpectedExit());
        CdpConnection cdp = null;
        try {
            var url = chromium.devtoolsUrl().get(config.startTimeoutSeconds(), TimeUnit.SECONDS);
            var name = "cdp-" + spec.computerId();
            cdp = new CdpConnection(listener -> {
                var l = config.logCdp() ? LoggingTransport.logging(listener, name) : listener;
                CdpTransport t = WebSocketTransport.connect(http, URI.create(url), l, Duration.ofSeconds(10));
                return config.logCdp() ? new LoggingTransport(t, name) : t;
            });
            var driver = new ChromiumDriver(cdp, chromium, userAgent, spec.width(), spec.height(), spec.scale());
            driver.start();
            chromium.rememberChildren();
            return driver;
        } catch (Exception e) {
            chromium.markClosing();
            if (cdp != null) cdp.close();
            chromium.kill();
            var cause = e instanceof java.util.concurrent.ExecutionException ee && ee.getCause() != null ? ee.getCause() : e;
            if (cause instanceof java.util.concurrent.TimeoutException) {
                cause = new IllegalStateException("no answer within " + config.startTimeoutSeconds() + " s; last output: "
                        + chromium.lastLines());
            }
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Chromium did not start: " + cause.getMessage(), cause);
        }
    }

    @Override
    public int sweepLeftovers(Path computersDir) {
        var marker = "--user-data-dir=" + computersDir.toAbsolutePath();
        var self = ProcessHandle.current().pid();
        int[] killed = {0};
        ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self)
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                        || h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .forEach(h -> {
                    if (h.destroyForcibly()) killed[0]++;
                    LOG.log(System.Logger.Level.DEBUG, "ended leftover browser process {0}", h.pid());
                });
        return killed[0];
    }

    @Override
    public String toString() {
        return "chromium(" + binary + ")".toLowerCase(Locale.ROOT);
    }
}
