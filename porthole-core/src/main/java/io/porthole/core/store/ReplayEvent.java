package io.porthole.core.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a computer's replay-event log: append-only and durable. {@code seq} is assigned by the store,
 * strictly increasing over the whole store (never reused), and is the pagination cursor. {@code dataJson}
 * is a small JSON object, {@code "{}"} when the event has no data. Times are kept to the millisecond.
 */
public record ReplayEvent(long seq, String computerId, String category, String type, String dataJson, Instant at) {

    /** Categories. */
    public static final String LIFECYCLE = "lifecycle";
    public static final String CONNECTION = "connection";
    public static final String NAVIGATION = "navigation";
    public static final String ARTIFACT = "artifact";
    public static final String PREVIEW = "preview";
    /** A person taking control of a computer, and handing it back. */
    public static final String CONTROL = "control";

    public ReplayEvent {
        Objects.requireNonNull(computerId, "computerId");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        if (dataJson == null || dataJson.isBlank()) dataJson = "{}";
    }
}
