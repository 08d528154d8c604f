package io.porthole.core;

import io.porthole.core.internal.Ids;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.LiveEvent;
import io.porthole.core.store.ReplayEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A person taking control of a computer from the console, and handing it back. While a lease holds, the dispatcher
 * refuses screen-changing actions from everyone else ({@code human_in_control}); the holder's own input goes
 * through the same dispatcher as every action. Taking and handing back are replay events ({@code control}) and live
 * events, so an agent can wait for the hand-back. A lease ends by hand-back, when its holder leaves (a viewer link
 * revoked, the console closed), or when it is not renewed within its time to live. Thread-safe.
 */
public final class Takeover implements AutoCloseable {
    public static final String TAKEN = "taken";
    public static final String RELEASED = "released";

    private final Computers computers;
    private final Clock clock;
    private final Duration ttl;
    private final ScheduledExecutorService expiry;

    /** @param ttl how long a lease lasts without input or renewal */
    public Takeover(Computers computers, Clock clock, Duration ttl) {
        this.computers = computers;
        this.clock = clock;
        this.ttl = ttl;
        this.expiry = Threads.scheduler("porthole-control-expiry");
        long period = Math.max(100, Math.min(1000, ttl.toMillis() / 10));
        expiry.scheduleWithFixedDelay(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * Takes control of the tenant's running computer for {@code holder} (the same holder again renews).
     *
     * @throws PortholeException {@code control_taken} if someone else holds it; 404 if it does not run
     */
    public Control.Lease take(String tenantId, String computerId, String holder) {
        // woken for the person, who is about to watch and act; a computer under a lease does not go into standby
        try (var use = computers.use(tenantId, computerId, "control")) {
            var c = use.computer();
            var before = c.control().current(clock.instant());
            var lease = c.control().take(Ids.id("lease"), holder, clock.instant(), ttl);
            if (before.map(l -> !l.id().equals(lease.id())).orElse(true)) announce(c, TAKEN, lease, "taken");
            return lease;
        }
    }

    /** Extends the lease; empty if it is no longer the one in force. */
    public Optional<Control.Lease> renew(String tenantId, String computerId, String leaseId) {
        var c = computers.requireRunning(tenantId, computerId);
        return c.control().renew(leaseId, clock.instant(), ttl);
    }

    /**
     * Hands control back: lease {@code leaseId}, or whichever holds (the owner taking control back from a viewer).
     *
     * @return the lease that ended, if one did
     */
    public Optional<Control.Lease> handBack(String tenantId, String computerId, Optional<String> leaseId, String reason) {
        var c = computers.liveComputer(tenantId, computerId);
        var ended = c.control().release(leaseId);
        ended.ifPresent(l -> announce(c, RELEASED, l, reason));
        return ended;
    }

    /** Ends the lease of {@code holder} on the computer, if it has one (its viewer link was revoked). */
    public void releaseHolder(String computerId, String holder, String reason) {
        computers.findLive(computerId).ifPresent(c -> c.control().current(clock.instant())
                .filter(l -> l.holder().equals(holder))
                .flatMap(l -> c.control().release(Optional.of(l.id())))
                .ifPresent(l -> announce(c, RELEASED, l, reason)));
    }

    /** What the computer's answer shows of its control: who holds it since when, until when; empty if nobody. */
    public Optional<Control.Lease> current(Computer c) {
        return c.control().current(clock.instant());
    }

    private void expire() {
        var now = clock.instant();
        computers.forEachLive(c -> c.control().expire(now).ifPresent(l -> announce(c, RELEASED, l, "timed_out")));
    }

    private void announce(Computer c, String type, Control.Lease lease, String reason) {
        var data = new LinkedHashMap<String, Object>();
        data.put("holder", lease.holder());
        data.put("reason", reason);
        if (type.equals(TAKEN)) data.put("expiresAt", Times.format(lease.expiresAt()));
        computers.event(c.id(), ReplayEvent.CONTROL, type, data);
        var live = new LinkedHashMap<String, Object>();
        live.put("event", type);
        live.put("holder", lease.holder());
        live.put("reason", reason);
        if (type.equals(TAKEN)) live.put("expires_at", Times.format(lease.expiresAt()));
        c.events().publish(LiveEvent.CONTROL, live);
    }

    @Override
    public void close() {
        expiry.shutdownNow();
    }

    /** For a view: the lease as the wire shows it (no lease id: that is its holder's alone). */
    public static Map<String, Object> view(Control.Lease l, boolean camel) {
        var m = new LinkedHashMap<String, Object>();
        m.put("holder", l.holder());
        m.put("since", Times.format(l.since()));
        m.put(camel ? "expiresAt" : "expires_at", Times.format(l.expiresAt()));
        return m;
    }
}
