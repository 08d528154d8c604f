package io.porthole.sdk;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A computer's timers and liveness ({@code GET /computers/{id}/status}, {@code POST /computers/{id}/keepalive}).
 *
 * @param id the computer's id
 * @param status {@code running}, {@code paused}, {@code terminated}, ...
 * @param lastActivityAt when it last saw activity
 * @param expiresAt when its max lifetime ends
 * @param idleExpiresAt when it ends unless active again; empty when the idle timeout is off
 * @param raw every field of the answer, as parsed JSON (maps, lists, strings, numbers, booleans)
 */
public record ComputerStatus(
        String id,
        String status,
        Optional<Instant> lastActivityAt,
        Optional<Instant> expiresAt,
        Optional<Instant> idleExpiresAt,
        Map<String, Object> raw) {
}
