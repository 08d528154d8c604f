package io.porthole.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A node of the cluster as the store keeps it: where the other nodes reach it, whether it takes computers, how
 * many it can hold and has room for, and when it last said it was alive.
 *
 * @param url the node's advertised internal base URL (no trailing slash)
 * @param state {@link #UP}, {@link #DRAINING}, {@link #DOWN} (missed its heartbeats) or {@link #LEFT} (drained and
 *     gone)
 * @param capacity how many computers it may run at once
 * @param free how many more it can take now (its warm pool's ready computers count as free)
 * @param live how many computers it runs for tenants
 */
public record NodeRecord(String id, String url, String state, int capacity, int free, int live, Instant startedAt,
                         Instant heartbeatAt) {
    public static final String UP = "up";
    public static final String DRAINING = "draining";
    public static final String DOWN = "down";
    public static final String LEFT = "left";

    public NodeRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    }

    /** Whether a create may be placed on it. */
    public boolean takesComputers() {
        return state.equals(UP);
    }
}
