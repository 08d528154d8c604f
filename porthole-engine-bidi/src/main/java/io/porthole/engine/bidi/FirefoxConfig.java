package io.porthole.engine.bidi;

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
 */
public record FirefoxConfig(Path binary, Map<String, Object> extraPrefs, Duration startTimeout, boolean logBidi) {
    /** Debian's Firefox ESR. */
    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/firefox-esr");

    public FirefoxConfig {
        extraPrefs = Map.copyOf(extraPrefs);
        for (var e : extraPrefs.entrySet()) {
            if (!(e.getValue() instanceof String || e.getValue() instanceof Boolean || e.getValue() instanceof Number)) {
                throw new IllegalArgumentException("the Firefox pref " + e.getKey() + " must be a string, boolean or number");
            }
        }
    }

    public static FirefoxConfig defaults() {
        return new FirefoxConfig(DEFAULT_BINARY, Map.of(), Duration.ofSeconds(30), false);
    }
}
