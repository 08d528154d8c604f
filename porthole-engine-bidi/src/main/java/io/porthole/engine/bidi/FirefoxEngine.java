package io.porthole.engine.bidi;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts one Firefox per computer inside the computer's sandbox, with a fresh profile in its home, and drives it
 * over WebDriver BiDi, which Firefox speaks itself with {@code --remote-debugging-port} (no geckodriver). The
 * port listens on the sandbox's own loopback; a socat inside turns it into {@code /run/porthole/bidi.sock},
 * which the server reaches through the sandbox's channel directory. Thread-safe.
 */
public final class FirefoxEngine implements BrowserEngine {
    /** Where the profile lives inside the sandbox (its home, removed with the computer). */
    static final String PROFILE = Sandbox.HOME + "/.mozilla/porthole-profile";
    /** The server's end of the forwarder, in the channel directory. */
    static final String SOCKET = "bidi.sock";
    private static final String USER_JS = "firefox-user.js";
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
            Files.writeString(sandbox.channels().resolve(USER_JS), Prefs.userJs(prefs));
            var argv = new ArrayList<String>(List.of("/bin/sh", "-c",
                    "mkdir -p \"$0\" && cp " + Sandbox.CHANNELS + "/" + USER_JS + " \"$0/user.js\" && exec \"$@\"",
                    PROFILE));
            argv.addAll(command(spec));
            firefox = new FirefoxProcess(sandbox, sandbox.start(argv, env(spec), Sandbox.WORKSPACE), spec.onUnexpectedExit());
        } catch (IOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "Firefox (" + config.binary()
                    + ") could not be started: " + e.getMessage(), e);
        }
        BidiConnection bidi = null;
        try {
            int port = firefox.port().get(remaining(deadline), TimeUnit.NANOSECONDS);
            var socket = sandbox.channels().resolve(SOCKET);
            Files.deleteIfExists(socket);
            var forwarder = sandbox.start(List.of("socat", "UNIX-LISTEN:" + Sandbox.CHANNELS + "/" + SOCKET + ",fork,mode=600",
                    "TCP:127.0.0.1:" + port), Map.of(), "/");
            forwarder.getOutputStream().close();
            firefox.setForwarder(forwarder);
            var channel = connect(socket, deadline, forwarder);
            bidi = BidiConnection.open(channel, "127.0.0.1:" + port, "/session", config.logBidi());
            var session = bidi.call("session.new", BidiConnection.params().set("capabilities",
                    BidiConnection.JSON.createObjectNode().set("alwaysMatch", BidiConnection.JSON.createObjectNode()
                            .put("acceptInsecureCerts", false)
                            .set("unhandledPromptBehavior", BidiConnection.params().put("default", "ignore")))),
                    Duration.ofNanos(remaining(deadline)));
            var driver = new BidiDriver(bidi, firefox, session, spec);
            driver.start(Duration.ofNanos(Math.max(remaining(deadline), TimeUnit.SECONDS.toNanos(5))));
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

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    /** Connects to the forwarder's socket once it listens. */
    private static SocketChannel connect(Path socket, long deadline, Process forwarder) throws IOException, InterruptedException {
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!forwarder.isAlive()) throw new IOException("the BiDi forwarder (socat) exited with code " + forwarder.exitValue());
            if (Files.exists(socket)) {
                var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                    return channel;
                } catch (IOException e) {
                    channel.close();
                    last = e;
                }
            }
            Thread.sleep(10);
        }
        throw new IOException("the BiDi forwarder did not listen in time" + (last == null ? "" : ": " + last.getMessage()));
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
