package io.porthole.engine.bidi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How Firefox is found and started.
 *
 * @param binary the browser executable
 * @param extraPrefs preferences written to the profile's {@code user.js} after Porthole's own (a value is a
 *     {@link String}, {@link Boolean} or {@link Number})
 * @param startTimeout how long a start may take before it is given up
 * @param logBidi log every BiDi message of the driver's connection (debugging)
 * @param ownDisplay a browser computer's Firefox runs headful on an X server of its own inside the sandbox (Xvfb
 *     with openbox, Mesa's software GL), which gives it WebGL, focus and a mouse natively; false: headless
 *     (docs/adr/0036-firefox-headful-stealth.md)
 */
public record FirefoxConfig(Path binary, Map<String, Object> extraPrefs, Duration startTimeout, boolean logBidi,
                            boolean ownDisplay) {
    /** Debian's Firefox ESR. */
    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/firefox-esr");
    /** The X server a Firefox of its own display runs on, and its window manager (Debian: xvfb, openbox). */
    static final Path XVFB = Path.of("/usr/bin/Xvfb");
    static final Path OPENBOX = Path.of("/usr/bin/openbox");

    public FirefoxConfig {
        extraPrefs = Map.copyOf(extraPrefs);
        for (var e : extraPrefs.entrySet()) {
            if (!(e.getValue() instanceof String || e.getValue() instanceof Boolean || e.getValue() instanceof Number)) {
                throw new IllegalArgumentException("the Firefox pref " + e.getKey() + " must be a string, boolean or number");
            }
        }
    }

    /** On a display of its own when this host has Xvfb and openbox, headless otherwise. */
    public FirefoxConfig(Path binary, Map<String, Object> extraPrefs, Duration startTimeout, boolean logBidi) {
        this(binary, extraPrefs, startTimeout, logBidi, ownDisplayInstalled());
    }

    public static FirefoxConfig defaults() {
        return new FirefoxConfig(DEFAULT_BINARY, Map.of(), Duration.ofSeconds(30), false);
    }

    /** The same, headless ({@code false}) or on a display of its own. */
    public FirefoxConfig withOwnDisplay(boolean own) {
        return new FirefoxConfig(binary, extraPrefs, startTimeout, logBidi, own);
    }

    /** Whether this host has what a display of Firefox's own needs (Xvfb and openbox). */
    public static boolean ownDisplayInstalled() {
        return Files.isExecutable(XVFB) && Files.isExecutable(OPENBOX);
    }
}
