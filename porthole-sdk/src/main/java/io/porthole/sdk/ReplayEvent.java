package io.porthole.sdk;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of a sandbox's durable replay-event log.
 *
 * @param id the event's id (its place in the log)
 * @param category {@code lifecycle}, {@code connection}, {@code navigation}, {@code artifact}, {@code preview}, ...
 * @param type what happened, e.g. {@code created}, {@code suspended}, {@code attached}
 * @param at when
 * @param data the event's details, as parsed JSON
 */
public record ReplayEvent(String id, String category, String type, Optional<Instant> at, Map<String, Object> data) {
}
