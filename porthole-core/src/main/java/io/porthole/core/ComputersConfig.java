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
 * @param minAvailableMemoryBytes a create is refused (429) while the host has less memory than this available;
 *     0 turns the check off
 * @param standbyAfterSeconds a running computer that nothing uses and that has had no activity for this long is
 *     put into standby (its processes frozen until the next request that reaches into it); 0 turns standby off
 * @param pool the warm pool: how many computers of each shape are kept started ahead of demand (none by default
 *     here; the server's setting, {@code PORTHOLE_POOL}, has its own default)
 * @param identity what a browser computer's identity is where its request says nothing (ADR 0037)
 */
public record ComputersConfig(long defaultMaxLifetimeSeconds, long defaultInactivityTimeoutSeconds,
                              long maxLifetimeCapSeconds, int maxLiveComputers, int defaultWidth, int defaultHeight,
                              CaptureSettings screencast, long minAvailableMemoryBytes, long standbyAfterSeconds,
                              java.util.Map<PoolShape, Integer> pool, IdentityDefaults identity) {
    public ComputersConfig {
        pool = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(pool));
        java.util.Objects.requireNonNull(identity, "identity");
    }

    /** With the built-in identity defaults. */
    public ComputersConfig(long defaultMaxLifetimeSeconds, long defaultInactivityTimeoutSeconds, long maxLifetimeCapSeconds,
                           int maxLiveComputers, int defaultWidth, int defaultHeight, CaptureSettings screencast,
                           long minAvailableMemoryBytes, long standbyAfterSeconds, java.util.Map<PoolShape, Integer> pool) {
        this(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds, maxLiveComputers,
                defaultWidth, defaultHeight, screencast, minAvailableMemoryBytes, standbyAfterSeconds, pool,
                IdentityDefaults.BUILT_IN);
    }

    /** The same with these identity defaults (the operator's time zone and locale). */
    public ComputersConfig withIdentity(IdentityDefaults defaults) {
        return new ComputersConfig(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds,
                maxLiveComputers, defaultWidth, defaultHeight, screencast, minAvailableMemoryBytes, standbyAfterSeconds,
                pool, defaults);
    }

    /** The default of {@code minAvailableMemoryBytes}: room for a browser (300-500 MiB) with a margin. */
    public static final long DEFAULT_MIN_AVAILABLE_MEMORY = 1L << 30;
    /** The default of {@code standbyAfterSeconds} (docs/adr/0022-auto-standby.md says why). */
    public static final long DEFAULT_STANDBY_AFTER_SECONDS = 60;

    public ComputersConfig(long defaultMaxLifetimeSeconds, long defaultInactivityTimeoutSeconds, long maxLifetimeCapSeconds,
                           int maxLiveComputers, int defaultWidth, int defaultHeight) {
        this(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds, maxLiveComputers,
                defaultWidth, defaultHeight, CaptureSettings.DEFAULTS, DEFAULT_MIN_AVAILABLE_MEMORY,
                DEFAULT_STANDBY_AFTER_SECONDS, java.util.Map.of());
    }

    public ComputersConfig withMinAvailableMemory(long bytes) {
        return new ComputersConfig(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds,
                maxLiveComputers, defaultWidth, defaultHeight, screencast, bytes, standbyAfterSeconds, pool, identity);
    }

    /** The same with standby after {@code seconds} without activity; 0 turns it off. */
    public ComputersConfig withStandbyAfter(long seconds) {
        return new ComputersConfig(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds,
                maxLiveComputers, defaultWidth, defaultHeight, screencast, minAvailableMemoryBytes, seconds, pool, identity);
    }

    public static ComputersConfig defaults() {
        return new ComputersConfig(3600, 300, 24 * 3600, 32, 1280, 720);
    }

    public ComputersConfig withScreencast(CaptureSettings settings) {
        return new ComputersConfig(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds,
                maxLiveComputers, defaultWidth, defaultHeight, settings, minAvailableMemoryBytes, standbyAfterSeconds, pool, identity);
    }

    /** The same with this warm pool (shapes and how many of each; empty for none). */
    public ComputersConfig withPool(java.util.Map<PoolShape, Integer> shapes) {
        return new ComputersConfig(defaultMaxLifetimeSeconds, defaultInactivityTimeoutSeconds, maxLifetimeCapSeconds,
                maxLiveComputers, defaultWidth, defaultHeight, screencast, minAvailableMemoryBytes, standbyAfterSeconds, shapes, identity);
    }
}
