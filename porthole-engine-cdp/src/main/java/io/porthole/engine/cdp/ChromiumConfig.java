package io.porthole.engine.cdp;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How Chromium is found and started.
 *
 * @param binary the browser executable; empty means search {@link #CANDIDATES}
 * @param extraFlags flags added after Porthole's own
 * @param startTimeoutSeconds how long a start may take before it is given up
 * @param logCdp log every CDP message (debugging)
 * @param gpu the host GPU's render nodes the sandbox shows (PORTHOLE_GPU); given, Chromium renders through the
 *     host's driver (ANGLE on EGL, where Mesa picks the node's driver) instead of its software renderer
 */
public record ChromiumConfig(Optional<Path> binary, List<String> extraFlags, int startTimeoutSeconds, boolean logCdp,
                             List<Path> gpu) {
    public ChromiumConfig {
        gpu = List.copyOf(gpu);
    }

    /** Without a host GPU. */
    public ChromiumConfig(Optional<Path> binary, List<String> extraFlags, int startTimeoutSeconds, boolean logCdp) {
        this(binary, extraFlags, startTimeoutSeconds, logCdp, List.of());
    }

    /** Where Debian, Ubuntu and Google builds put the browser. */
    public static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/snap/bin/chromium");

    public static ChromiumConfig defaults() {
        return new ChromiumConfig(Optional.empty(), List.of(), 30, false);
    }
}
