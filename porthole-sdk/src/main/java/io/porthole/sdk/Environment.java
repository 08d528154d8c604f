package io.porthole.sdk;

import java.time.Instant;
import java.util.Optional;

/**
 * A saved environment: a browser's state (cookies, storage) kept when a persistent computer ended, for a later
 * computer to start from ({@link ComputerSpec#environmentId}, {@link SandboxSpec#environmentId}).
 *
 * @param id its id
 * @param engine the browser engine it was saved from
 * @param size its size in bytes
 * @param createdAt when it was first saved
 * @param updatedAt when it was last saved
 */
public record Environment(String id, String engine, long size, Optional<Instant> createdAt, Optional<Instant> updatedAt) {
}
