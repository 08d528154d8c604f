package io.porthole.core;

import io.porthole.api.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who drives one computer: nobody in particular (agents and clients of the API), or a person who has taken
 * control with a lease. While a lease holds, only its holder's actions may change the screen (see
 * {@link ActionDispatcher}). A lease ends when it is handed back, when its holder leaves, or when it is not
 * renewed within its time to live. Thread-safe.
 */
public final class Control {
    /**
     * A person's hold on the computer.
     *
     * @param holder who holds it, as the replay events name it ("console", "viewer link vl_…")
     */
    public record Lease(String id, String holder, Instant since, Instant expiresAt) {}

    private Lease lease;

    /** The lease in force at {@code now}, if any. */
    public synchronized Optional<Lease> current(Instant now) {
        return lease != null && now.isBefore(lease.expiresAt()) ? Optional.of(lease) : Optional.empty();
    }

    /**
     * Takes control for {@code holder}; the same holder taking it again renews its lease.
     *
     * @throws PortholeException {@link ErrorCode#CONTROL_TAKEN} if someone else holds it
     */
    synchronized Lease take(String id, String holder, Instant now, Duration ttl) {
        if (lease != null && now.isBefore(lease.expiresAt()) && !lease.holder().equals(holder)) {
            throw new PortholeException(ErrorCode.CONTROL_TAKEN, lease.holder() + " has controlled this computer since "
                    + Times.format(lease.since()) + "; wait for it to be handed back");
        }
        if (lease != null && lease.holder().equals(holder) && now.isBefore(lease.expiresAt())) {
            lease = new Lease(lease.id(), holder, lease.since(), now.plus(ttl));
        } else {
            lease = new Lease(id, holder, now, now.plus(ttl));
        }
        return lease;
    }

    /** Extends lease {@code id}; empty if it is not the one in force. */
    synchronized Optional<Lease> renew(String id, Instant now, Duration ttl) {
        if (lease == null || !lease.id().equals(id) || !now.isBefore(lease.expiresAt())) return Optional.empty();
        lease = new Lease(id, lease.holder(), lease.since(), now.plus(ttl));
        return Optional.of(lease);
    }

    /** Ends lease {@code id} (or whichever there is, with an empty id); returns it if there was one. */
    synchronized Optional<Lease> release(Optional<String> id) {
        if (lease == null || id.map(x -> !x.equals(lease.id())).orElse(false)) return Optional.empty();
        var was = lease;
        lease = null;
        return Optional.of(was);
    }

    /** Ends a lease whose time is up at {@code now}; returns it. */
    synchronized Optional<Lease> expire(Instant now) {
        if (lease == null || now.isBefore(lease.expiresAt())) return Optional.empty();
        var was = lease;
        lease = null;
        return Optional.of(was);
    }
}
