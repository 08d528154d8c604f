package io.porthole.sdk;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A browser sandbox as the native API describes it.
 *
 * @param id its id (the same as its computer's)
 * @param browser {@code chromium} or {@code firefox}
 * @param templateId its launch template, if any
 * @param state {@code starting}, {@code running}, {@code paused}, {@code closed} or {@code failed}
 * @param createdAt when it was created
 * @param expiresAt when its lifetime ends
 * @param idleExpiresAt when it closes unless active again (running sandboxes)
 * @param viewport its viewport
 * @param persistent whether its state is saved at close
 * @param environmentId the environment it started from, if any
 * @param metadata its free metadata
 * @param accessToken its own access token, for a running or paused sandbox
 * @param connect its connection URLs, for a running or paused sandbox
 * @param identity who its browser appears to be (empty from a server without identities)
 */
public record SandboxInfo(
        String id,
        String browser,
        Optional<String> templateId,
        String state,
        Optional<Instant> createdAt,
        Optional<Instant> expiresAt,
        Optional<Instant> idleExpiresAt,
        Viewport viewport,
        boolean persistent,
        Optional<String> environmentId,
        Map<String, Object> metadata,
        Optional<String> accessToken,
        Optional<Connect> connect,
        Optional<IdentityInfo> identity) {

    /**
     * A viewport.
     *
     * @param width pixels across
     * @param height pixels down
     * @param deviceScaleFactor the device scale factor
     */
    public record Viewport(int width, int height, double deviceScaleFactor) {
    }

    /**
     * Absolute URLs to attach to a live sandbox, each carrying its access token where it is a WebSocket.
     *
     * @param cdp the CDP browser endpoint (Chromium), for {@code connectOverCDP}
     * @param bidi the WebDriver BiDi endpoint (Firefox)
     * @param rpc the NDJSON action endpoint
     */
    public record Connect(Optional<String> cdp, Optional<String> bidi, Optional<String> rpc) {
    }
}
