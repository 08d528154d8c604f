package io.porthole.desktop;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.desktop.DesktopEngine;
import io.porthole.core.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A desktop of Debian's packages inside the computer's sandbox: Xvfb on the sandbox's display (only its unix
 * socket, in the sandbox's private {@code /tmp}: no TCP, no abstract socket another computer could share),
 * openbox as window manager, and an xterm, focused; driven by {@link X11Desktop} over an X11 connection of our own.
 * Xvfb and openbox are watched: either ending ends the computer. Screencasts are encoded by ffmpeg inside the
 * sandbox ({@link FfmpegEncoder}); without it desktops work, and a screencast is refused saying why. Thread-safe.
 */
public final class XvfbDesktopEngine implements DesktopEngine {
    private final FfmpegEncoder encoder;

    /** Desktops whose screencasts Debian's ffmpeg encodes. */
    public XvfbDesktopEngine() {
        this(new FfmpegEncoder(FfmpegEncoder.DEFAULT));
    }

    /** @param encoder the screencasts' encoder, which must be visible inside the sandboxes at its path */
    public XvfbDesktopEngine(FfmpegEncoder encoder) {
        this.encoder = encoder;
    }

    /** Why desktop screencasts are off on this host (ffmpeg is missing or lacks x11grab or libx264), if they are. */
    public Optional<String> screencastProblem() {
        return encoder.problem();
    }

    /** The programs a desktop runs, and those its commands are promised ({@code xdotool}, {@code xwd}, {@code xprop}). */
    static final List<String> REQUIRED = List.of("Xvfb:xvfb", "openbox:openbox", "xterm:xterm", "xdotool:xdotool",
            "xwd:x11-apps", "xprop:x11-utils");

    /** @throws PortholeException.Unavailable naming every missing program and its Debian package */
    static void checkInstalled() {
        var missing = new ArrayList<String>();
        for (var r : REQUIRED) {
            var parts = r.split(":");
            if (!Files.isExecutable(Path.of("/usr/bin", parts[0]))) missing.add(parts[0] + " (package " + parts[1] + ")");
        }
        if (!missing.isEmpty()) {
            throw new PortholeException.Unavailable("desktop computers need " + String.join(", ", missing)
                    + "; install them (Debian: apt-get install xvfb openbox xterm xdotool x11-apps x11-utils)");
        }
    }

    @Override
    public Optional<DesktopDriver> adopt(Sandbox sandbox, int width, int height, Consumer<String> onUnexpectedExit) {
        var desktop = new X11Desktop(sandbox, width, height, encoder);
        try {
            desktop.awaitScreen(Optional.empty());
        } catch (RuntimeException e) {
            desktop.close();
            return Optional.empty();
        }
        ProcessHandle xvfb = null;
        ProcessHandle openbox = null;
        for (var p : sandbox.processes()) {
            var command = p.info().command().orElse("");
            var args = p.info().arguments().map(List::of).orElse(List.of());
            if (command.equals("/usr/bin/Xvfb") && !args.isEmpty() && args.getFirst().equals(sandbox.display())) {
                xvfb = p;
            } else if (command.equals("/usr/bin/openbox") && args.contains("--sm-disable")) {
                openbox = p;
            }
        }
        if (xvfb != null) desktop.watch("Xvfb", xvfb, openbox == null ? Map.of() : Map.of("openbox", openbox), onUnexpectedExit);
        return Optional.of(desktop);
    }

    @Override
    public DesktopDriver start(Sandbox sandbox, int width, int height, double scale, Consumer<String> onUnexpectedExit) {
        checkInstalled();
        var desktop = new X11Desktop(sandbox, width, height, encoder);
        try {
            int dpi = (int) Math.round(96 * scale);
            var xvfb = desktop.background(List.of("/usr/bin/Xvfb", sandbox.display(), "-screen", "0",
                    width + "x" + height + "x24", "-dpi", Integer.toString(dpi), "-nolisten", "tcp", "-nolisten", "local",
                    "-noreset"));
            desktop.awaitScreen(Optional.of(xvfb));
            var openbox = desktop.background(List.of("/usr/bin/openbox", "--sm-disable"));
            desktop.awaitWindowManager();
            desktop.background(List.of("/usr/bin/xterm", "-fa", "DejaVu Sans Mono", "-fs", "11",
                    "-geometry", "100x30+20+20", "-title", "Terminal"));
            desktop.awaitActive("xterm");
            desktop.watch("Xvfb", xvfb.toHandle(), Map.of("openbox", openbox.toHandle()), onUnexpectedExit);
            return desktop;
        } catch (IOException | RuntimeException e) {
            desktop.close();
            if (e instanceof PortholeException.Unavailable u) throw u;
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the desktop did not start: " + e.getMessage(), e);
        }
    }
}
