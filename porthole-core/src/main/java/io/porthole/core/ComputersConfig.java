package io.porthole.core;

import io.porthole.core.live.CaptureSettings;

/**
 * Limits and defaults of the computer lifecycle.
 *
 * @param defaultMaxLifetimeSeconds max lifetime when the request names none
 * @param defaultInactivityTimeoutSeconds idle timeout when the request names none
 * @param maxLifetimeCapSeconds the largest max lifetime a request may ask for
 * @param maxLiveComputers how many computers may run at once on this server
 * @param defaultWidth default viewport width
 * @param defaultHeight default viewport height
 * @param screencast how screencasts capture (frame rate, JPEG quality, keyframe interval)
 */
public record ComputersConfig(long defaultMaxLifetimeSeconds, long defaultInactivityTimeoutSeconds,
                              long maxLifetimeCapSeconds, int maxLiveComputers, int defaultWidth, int defaultHeight,
                              CaptureSettings screencast) {
    public ComputersConfig(long defaultMaxLifetimeSeconds, long defaultInactivityTimeoutSeconds, long maxLifetimeCapSeconds,
                           int maxLiveComputers, int defaultWidth, int defaultHeight) {
        this(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds, maxLiveComputers,
                defaultWidth, defaultHeight, CaptureSettings.DEFAULTS);
    }

    public static ComputersConfig defaults() {
        return new ComputersConfig(3600, 300, 24 * 3600, 32, 1280, 720);
    }

    public ComputersConfig withScreencast(CaptureSettings settings) {
        return new ComputersConfig(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds,
                maxLiveComputers, defaultWidth, defaultHeight, settings);
    }
}
