package io.porthole.core;

import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.desktop.DesktopEngine;
import io.porthole.core.internal.Files2;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.core.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts a computer's sandbox with its browser or desktop, for a {@link PoolShape}, and knows no tenant: the one way
 * a cold create and the warm pool both start one. What it started belongs to the caller once it returns; if it
 * fails, it has ended what it started and removed its files.
 */
final class Provisioner {
    private static final System.Logger LOG = System.getLogger(Provisioner.class.getName());

    /** A started computer: its sandbox, and its browser (a browser computer) or its desktop. */
    record Started(Sandbox sandbox, BrowserDriver browser, DesktopDriver desktop) {}

    /** Runs once the sandbox is up, before its browser or desktop starts. */
    interface BeforeLaunch {
        void accept(Sandbox sandbox) throws IOException;
    }

    private final SandboxRuntime runtime;
    private final Map<String, BrowserEngine> engines;
    private final DesktopEngine desktops;
    private final Path computersDir;

    Provisioner(SandboxRuntime runtime, Map<String, BrowserEngine> engines, DesktopEngine desktops, Path computersDir) {
        this.runtime = runtime;
        this.engines = engines;
        this.desktops = desktops;
        this.computersDir = computersDir;
    }

    /** The browser engine a shape starts: its launch template's, else its engine. */
    BrowserEngine engine(PoolShape shape) {
        var engine = shape.templateId().map(t -> engines.get(Computers.TEMPLATE_PREFIX + t)).orElse(engines.get(shape.engine()));
        if (engine == null) throw new IllegalStateException("this server has no engine " + shape.engine());
        return engine;
    }

    /**
     * Starts computer {@code id} as {@code shape} in {@code <computers>/<id>}.
     *
     * @param beforeLaunch given the sandbox as soon as it is up: what must be in place before the browser starts (a
     *     saved profile, a way out), and the moment its owner learns of it (to end it if the start is cancelled)
     * @param onExit told, on a thread of its own, why a process of it ended unexpectedly ({@code sandbox_exited},
     *     {@code browser_exited: …}, {@code desktop_exited: …}, or {@code memory_limit_exceeded})
     * @return once its browser answers (its first page set up) or its desktop's screen does, and its way out is up
     */
    Started start(String id, PoolShape shape, BeforeLaunch beforeLaunch, Consumer<String> onExit) throws IOException {
        var workDir = computersDir.resolve(id);
        boolean desktop = shape.kind().equals("desktop");
        Sandbox sandbox = null;
        BrowserDriver browser = null;
        DesktopDriver screen = null;
        try {
            Files.createDirectories(workDir);
            sandbox = runtime.start(new SandboxSpec(id, workDir, desktop ? Map.of("DISPLAY", DesktopEngine.DISPLAY) : Map.of()));
            var s = sandbox;
            Consumer<String> exited = reason -> Threads.startVirtual("porthole-exit-" + id,
                    () -> onExit.accept(s.outOfMemory() ? "memory_limit_exceeded" : reason));
            beforeLaunch.accept(sandbox);
            sandbox.onExit().thenRun(() -> exited.accept("sandbox_exited"));
            if (desktop) {
                screen = desktops.start(sandbox, shape.width(), shape.height(), shape.scale(),
                        reason -> exited.accept("desktop_exited: " + reason));
            } else {
                browser = engine(shape).launch(new LaunchSpec(id, sandbox, shape.width(), shape.height(), shape.scale(),
                        false, reason -> exited.accept("browser_exited: " + reason), shape.identity()));
            }
            // its way out came up while the browser started
            sandbox.awaitReady();
            return new Started(sandbox, browser, screen);
        } catch (IOException | RuntimeException | Error e) {
            if (browser != null) quietly("closing the browser of " + id, browser::close);
            if (screen != null) quietly("closing the desktop of " + id, screen::close);
            if (sandbox != null) quietly("ending the sandbox of " + id, sandbox::close);
            quietly("removing the files of " + id, () -> Files2.deleteTree(workDir));
            throw e;
        }
    }

    /** How a desktop starts its own browser when an action first needs one (and again if it exits). */
    Supplier<BrowserDriver> desktopBrowser(String id, Sandbox sandbox, int width, int height) {
        var chromium = engines.get("chromium");
        return () -> chromium.launch(new LaunchSpec(id, sandbox, width, height, 1.0, true, reason -> LOG.log(
                System.Logger.Level.INFO, "the browser of desktop {0} exited: {1}", id, reason)));
    }

    private static void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, what + " failed", e);
        }
    }
}
