package io.porthole.core;

/**
 * Limits and defaults of the computer lifecycle.
 *
 * @param defaultMaxLifetimeSeconds max lifetime when the request names none
 * @param defaultInactivityTimeoutSeconds idle timeout when the request names none
 * @param maxLifetimeCapSeconds the largest max lifetime a request may ask for
 * @param maxLiveComputers how many computers may run at once on this server
 * @param defaultWidth default viewport width
 * @param defaultHeight default viewport height
 */
public record ComputersConfig(long defaultMaxLifetimeSeconds, long defaultInactivityTimeoutSeconds,
                              long maxLifetimeCapSeconds, int maxLiveComputers, int defaultWidth, int defaultHeight) {
    public static ComputersConfig defaults() {
        return new ComputersConfig(3600, 300, 24 * 3600, 32, 1280, 720);
    }
}
