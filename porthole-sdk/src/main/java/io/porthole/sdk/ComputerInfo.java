package io.porthole.sdk;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A computer as the Computers API describes it ({@code POST /computers}, {@code GET /computers/{id}}, list items).
 *
 * @param id the computer's id
 * @param kind {@code browser} or {@code desktop}
 * @param engine {@code chromium}, {@code firefox}, or empty for a desktop
 * @param status {@code starting}, {@code running}, {@code paused}, {@code terminated}, {@code failed}, ...
 * @param createdAt when it was created
 * @param lastActivityAt when it last saw activity
 * @param expiresAt when its max lifetime ends
 * @param idleExpiresAt when it ends unless active again; empty when the idle timeout is off
 * @param maxLifetimeSeconds the effective max lifetime
 * @param inactivityTimeoutSeconds the effective inactivity timeout
 * @param idleTimeoutEnabled whether the inactivity timeout applies
 * @param persistent whether its state is saved at the end
 * @param display its screen size and scale
 * @param endpoints relative URLs of its endpoints ({@code cdp}, {@code ws}, {@code events}, {@code screencast})
 * @param terminatedAt when it ended, for an ended computer
 * @param terminationReason why it ended, for an ended computer
 * @param identity who a browser computer appears to be; empty for a desktop (or a server without identities)
 */
public record ComputerInfo(
        String id,
        String kind,
        Optional<String> engine,
        String status,
        Optional<Instant> createdAt,
        Optional<Instant> lastActivityAt,
        Optional<Instant> expiresAt,
        Optional<Instant> idleExpiresAt,
        long maxLifetimeSeconds,
        long inactivityTimeoutSeconds,
        boolean idleTimeoutEnabled,
        boolean persistent,
        Display display,
        Map<String, String> endpoints,
        Optional<Instant> terminatedAt,
        Optional<String> terminationReason,
        Optional<IdentityInfo> identity) {

    /**
     * A screen's size and device scale.
     *
     * @param width pixels across
     * @param height pixels down
     * @param scale the device scale factor
     */
    public record Display(int width, int height, double scale) {
    }

    /**
     * Whether the computer is still running (or paused) rather than ended.
     *
     * @return true while it lives
     */
    public boolean isLive() {
        return status.equals("running") || status.equals("starting") || status.equals("paused");
    }
}
