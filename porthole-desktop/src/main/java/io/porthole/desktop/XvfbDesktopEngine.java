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

/**
 * A desktop of Debian's packages inside the computer's sandbox: Xvfb on display {@code :1} (only its unix
 * socket, in the sandbox's private {@code /tmp}: no TCP, no abstract socket another computer could share),
 * openbox as window manager, and an xterm, focused. Thread-safe.
 */
public final class XvfbDesktopEngine implements DesktopEngine {
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
    public java.util.Optional<DesktopDriver> adopt(Sandbox sandbox, int width, int height) {
        var desktop = new XdotoolDesktop(sandbox, width, height);
        try {
            desktop.awaitScreen();
            return java.util.Optional.of(desktop);
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public DesktopDriver start(Sandbox sandbox, int width, int height, double scale) {
        checkInstalled();
        var desktop = new XdotoolDesktop(sandbox, width, height);
        try {
            int dpi = (int) Math.round(96 * scale);
            desktop.background(List.of("/usr/bin/Xvfb", sandbox.display(), "-screen", "0", width + "x" + height + "x24",
                    "-dpi", Integer.toString(dpi), "-nolisten", "tcp", "-nolisten", "local", "-noreset"));
            desktop.awaitScreen();
            desktop.background(List.of("/usr/bin/openbox", "--sm-disable"));
            desktop.awaitWindowManager();
            desktop.background(List.of("/usr/bin/xterm", "-fa", "DejaVu Sans Mono", "-fs", "11",
                    "-geometry", "100x30+20+20", "-title", "Terminal"));
            desktop.run(List.of("/usr/bin/xdotool", "search", "--sync", "--classname", "xterm", "windowactivate", "--sync"),
                    Map.of(), 10);
            return desktop;
        } catch (IOException | RuntimeException e) {
            desktop.close();
            if (e instanceof PortholeException.Unavailable u) throw u;
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the desktop did not start: " + e.getMessage(), e);
        }
    }
}
