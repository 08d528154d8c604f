package io.porthole.core;

import io.porthole.core.store.ReplayEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Auto-standby: a running computer that nothing uses and that has had no activity for a while has its processes
 * frozen (the cgroup freezer, as a native suspend does), and is thawed by whatever next reaches into it. Its status
 * stays {@code running}; its lifetimes keep counting, so the idle timeout and the max lifetime still end it (the
 * end thaws it first). Replay events {@code lifecycle standby} and {@code lifecycle woke} record it.
 *
 * <p>Exact, not timed: everything that reaches into a computer first counts itself as a user of it
 * ({@link Computers#hold}) and then wakes it under the computer's sleep lock, and a freeze happens only under that
 * lock, when nothing counts as a user. So a request either finds the computer frozen and thaws it, or keeps the
 * freeze from happening; none runs against a frozen browser. Thread-safe.
 */
final class Standby {
    private static final System.Logger LOG = System.getLogger(Standby.class.getName());

    private final Computers computers;
    private final Duration after;
    private final Clock clock;

    /** @param afterSeconds how long without activity; 0 turns standby off */
    Standby(Computers computers, long afterSeconds, Clock clock) {
        this.computers = computers;
        this.after = Duration.ofSeconds(afterSeconds);
        this.clock = clock;
    }

    boolean enabled() {
        return !after.isZero();
    }

    /**
     * Whether {@code c} should go into standby at {@code now}: it runs, awake; nothing holds it (an action, a
     * command, a protocol client, an RPC stream, a viewer); the server does not record it; nobody holds control;
     * it has had no activity for the standby time; and its sandbox has a freezer its processes cannot notice.
     */
    boolean due(Computer c, Instant now) {
        if (!enabled()) return false;
        var r = c.record();
        if (r.status() != ComputerStatus.RUNNING || c.isEnding() || c.inStandby()) return false;
        if (c.inUse() || c.hasRunningCommands() || c.viewers() > 0 || c.recording()) return false;
        if (c.control().current(now).isPresent()) return false;
        if (now.isBefore(r.lastActivityAt().plus(after))) return false;
        if (c.noStandbyBefore().map(now::isBefore).orElse(false)) return false;
        var sandbox = c.sandboxOrNull();
        return sandbox != null && sandbox.freezesUnnoticed();
    }

    /**
     * Puts {@code c} into standby if it is still due once its sleep lock is held (a request may have come in since
     * the scheduler looked). A freeze that fails is undone as far as it can be, and not tried again for another
     * standby time.
     */
    void sleep(Computer c) {
        var lock = c.sleepLock();
        lock.lock();
        try {
            var now = clock.instant();
            if (!due(c, now)) return;
            var sandbox = c.sandboxOrNull();
            try {
                sandbox.freeze();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "computer {0} could not be put into standby: {1}", c.id(),
                        e.getMessage());
                c.noStandbyBefore(now.plus(after));
                try {
                    sandbox.thaw();
                } catch (RuntimeException again) {
                    LOG.log(System.Logger.Level.WARNING, "computer " + c.id() + " could not be thawed either", again);
                }
                return;
            }
            c.standbySince(now);
            var data = new LinkedHashMap<String, Object>();
            data.put("idleSeconds", Duration.between(c.record().lastActivityAt(), now).toSeconds());
            event(c, "standby", data);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes {@code c} if it is in standby, before the caller (which has counted itself as a user) reaches into it;
     * returns at once if it is awake. A computer that is ending is left to its end, which thaws it.
     *
     * @param reason what woke it, for the replay event ({@code action}, {@code command}, {@code connection}, …)
     * @throws PortholeException.Unavailable if its processes cannot be thawed (it stays in standby)
     */
    void wake(Computer c, String reason) {
        if (!enabled()) return;
        // always under the lock, even when it looks awake: a freeze that has seen no user may be under way, and the
        // caller must wait for it to finish and then thaw
        var lock = c.sleepLock();
        lock.lock();
        try {
            var since = c.standbySince();
            if (since.isEmpty() || c.isEnding()) return;
            long started = System.nanoTime();
            c.sandboxOrNull().thaw();
            c.standbySince(null);
            var data = new LinkedHashMap<String, Object>();
            data.put("reason", reason);
            data.put("standbySeconds", Duration.between(since.get(), clock.instant()).toSeconds());
            data.put("thawMillis", Math.round((System.nanoTime() - started) / 1e5) / 10.0);
            event(c, "woke", data);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code c} out of standby without thawing it, because it is being suspended (its processes stay frozen);
     * the caller holds its sleep lock. True if it was in standby.
     */
    boolean intoSuspend(Computer c) {
        if (!c.inStandby()) return false;
        c.standbySince(null);
        return true;
    }

    private void event(Computer c, String type, Map<String, Object> data) {
        try {
            computers.event(c.id(), ReplayEvent.LIFECYCLE, type, data);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the " + type + " event of " + c.id() + " could not be stored", e);
        }
    }
}
