package io.porthole.core;

import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.desktop.DesktopDriver;
import io.porthole.core.sandbox.Sandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The warm pool: computers started ahead of demand, per {@link PoolShape}, that belong to no tenant until a create
 * claims one. Each is used once: a claimed computer is never given back, and the pool starts another in its place.
 *
 * <p>Refills run on one thread, one start at a time, and only while no create has been under way for
 * {@link #QUIET}: a burst of creates is never slowed by refills competing for the CPU (a refill that started just
 * before a burst still finishes). A pooled computer holds a place in the server's {@link Capacity} like any other;
 * a cold create that finds no place takes one from the pool ({@link #evictOne}). A start that fails is tried again
 * later, waiting longer each time (up to a minute), so a browser that cannot start does not keep a core busy.
 * Pooled computers are not in the store: a server that stops without closing them leaves processes that its next
 * start sweeps like any other leftover. Thread-safe.
 */
final class Pool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Pool.class.getName());
    /** How long after the last create a refill waits before it starts. */
    static final Duration QUIET = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    /** What the pool asks of the lifecycle: to start a pooled computer, to end one, and whether there is room. */
    interface Lifecycle {
        /** Starts a computer of {@code shape} holding {@code place}; on failure everything it started is gone. */
        Warm start(PoolShape shape, Capacity.Reservation place) throws Exception;

        /** Ends a pooled computer that nobody claimed: its processes, its files, its place. */
        void discard(Warm warm);

        /** A place for one more sandbox, if the server's limit allows it. */
        Optional<Capacity.Reservation> reserve();

        /** Whether the host has the memory to start one more (the same test a create passes). */
        boolean memoryAllows();
    }

    /** A started computer in the pool, or just claimed from it. */
    static final class Warm {
        private static final Object LOST = new Object();
        final String id;
        final PoolShape shape;
        final Sandbox sandbox;
        final Capacity.Reservation place;
        volatile BrowserDriver browser;
        volatile DesktopDriver desktop;
        /** Whose its log lines are: this computer's, and its tenant's once claimed. */
        volatile LogContext.Subject subject;
        /** null while pooled; the computer that claimed it; or {@link #LOST} when it died in the pool. */
        private final AtomicReference<Object> owner = new AtomicReference<>();
        /** When it was ready, by {@link System#nanoTime}. */
        final long readyAtNanos = System.nanoTime();
        /** Guarded by this: frozen while it waits (standby), and taken out of the pool (never frozen again). */
        private boolean frozen;
        private boolean taken;

        Warm(String id, PoolShape shape, Sandbox sandbox, Capacity.Reservation place) {
            this.id = id;
            this.shape = shape;
            this.sandbox = sandbox;
            this.place = place;
        }

        /** Makes {@code c} its owner; false if it died in the pool first (then it must not be used). */
        boolean claimFor(Computer c) {
            return owner.compareAndSet(null, c);
        }

        /**
         * A process of it ended unexpectedly: the computer that owns it by now, whose end that is; empty if it was
         * still in the pool, which is told so it can be discarded.
         */
        Optional<Computer> exited() {
            if (owner.compareAndSet(null, LOST)) return Optional.empty();
            return owner.get() instanceof Computer c ? Optional.of(c) : Optional.empty();
        }

        /** Freezes it if it still waits in the pool; true if it did. */
        synchronized boolean freezeIfWaiting() {
            if (taken || frozen || isLost() || !sandbox.freezesUnnoticed()) return false;
            sandbox.freeze();
            frozen = true;
            return true;
        }

        /** Out of the pool for good: thawed if it was frozen, and never frozen again. */
        synchronized void takeAwake() {
            taken = true;
            if (frozen) {
                sandbox.thaw();
                frozen = false;
            }
        }

        synchronized boolean isFrozen() {
            return frozen;
        }

        boolean isLost() {
            return owner.get() == LOST;
        }

        boolean isAlive() {
            // a desktop that exits says so through exited(), which marks it lost
            var b = browser;
            return !isLost() && sandbox.isAlive() && (b == null || b.isAlive());
        }
    }

    private final class Slot {
        final PoolShape shape;
        final int target;
        final ConcurrentLinkedDeque<Warm> ready = new ConcurrentLinkedDeque<>();
        final AtomicInteger starting = new AtomicInteger();
        final AtomicLong claims = new AtomicLong();
        final AtomicLong misses = new AtomicLong();
        final AtomicLong started = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        /** Only the refill thread touches these. */
        int failuresInARow;
        long retryAtNanos;

        Slot(PoolShape shape, int target) {
            this.shape = shape;
            this.target = target;
        }

        int wanted() {
            return target - ready.size() - starting.get();
        }
    }

    private final Map<PoolShape, Slot> slots = new LinkedHashMap<>();
    private final Lifecycle lifecycle;
    private final AtomicInteger creating = new AtomicInteger();
    private volatile long lastCreateEndNanos = System.nanoTime() - QUIET.toNanos();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean closed;
    private final Thread refiller;

    /** Pooled computers that have waited this long are frozen until claimed; zero for never. */
    private final Duration standbyAfter;

    Pool(Map<PoolShape, Integer> targets, Lifecycle lifecycle, Duration standbyAfter) {
        this.lifecycle = lifecycle;
        this.standbyAfter = standbyAfter;
        targets.forEach((shape, n) -> {
            if (n > 0) slots.put(shape, new Slot(shape, n));
        });
        this.refiller = slots.isEmpty() ? null : Thread.ofPlatform().daemon(true).name("porthole-pool").start(this::refill);
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    /** A create under way, until closed. */
    interface Creating extends AutoCloseable {
        @Override
        void close();
    }

    /** A create is under way: refills wait until none has been for {@link #QUIET}. Close what this returns after. */
    Creating creating() {
        creating.incrementAndGet();
        var done = new AtomicBoolean();
        return () -> {
            if (!done.compareAndSet(false, true)) return;
            lastCreateEndNanos = System.nanoTime();
            creating.decrementAndGet();
            signal();
        };
    }

    /**
     * A ready computer of {@code shape}, taken out of the pool (alive when it was taken; the caller claims it with
     * {@link Warm#claimFor} and reports with {@link #claimed}); empty if the shape has no pool or none is ready (a
     * miss).
     */
    Optional<Warm> take(PoolShape shape) {
        var slot = slots.get(shape);
        if (slot == null) return Optional.empty();
        Warm w;
        // the one that waited least: the longer one waits, the likelier it is in standby
        while ((w = slot.ready.pollLast()) != null) {
            try {
                w.takeAwake();
            } catch (RuntimeException e) {
                try (var about = about(w)) {
                    LOG.log(System.Logger.Level.WARNING, "pooled computer {0} could not be thawed: {1}", w.id, e.getMessage());
                }
                discardQuietly(w);
                continue;
            }
            if (w.isAlive()) {
                signal();
                return Optional.of(w);
            }
            discardQuietly(w);
        }
        slot.misses.incrementAndGet();
        signal();
        return Optional.empty();
    }

    /** Names the pooled computer {@code w} in the lines logged until the scope closes. */
    private static LogContext.Scope about(Warm w) {
        var subject = w.subject;
        return subject == null ? LogContext.scope() : LogContext.about(subject);
    }

    /** A computer {@link #take} gave is now its tenant's. */
    void claimed(Warm w) {
        slots.get(w.shape).claims.incrementAndGet();
    }

    /** A computer {@link #take} gave could not be handed over: it is ended, and not counted as a claim. */
    void giveUp(Warm w) {
        discardQuietly(w);
        signal();
    }

    /** A pooled computer whose process ended while it waited: out of the pool, ended, replaced. */
    void lost(Warm w) {
        var slot = slots.get(w.shape);
        if (slot != null && slot.ready.remove(w)) {
            try (var about = about(w)) {
                LOG.log(System.Logger.Level.WARNING, "pooled computer {0} ({1}) exited while it waited; starting another",
                        w.id, w.shape.label());
            }
            discardQuietly(w);
        }
        signal();
    }

    /**
     * Ends one ready computer (of the shape with the most ready) so that a create of another shape finds a place;
     * false if none is ready.
     */
    boolean evictOne() {
        var fullest = slots.values().stream().filter(s -> !s.ready.isEmpty())
                .max(Comparator.comparingInt(s -> s.ready.size()));
        if (fullest.isEmpty()) return false;
        var w = fullest.get().ready.pollFirst();
        if (w == null) return false;
        discardQuietly(w);
        return true;
    }

    /** Pooled computers being started now (they take memory that admission does not see yet). */
    int starting() {
        return slots.values().stream().mapToInt(s -> s.starting.get()).sum();
    }

    List<PoolStats> stats() {
        var out = new ArrayList<PoolStats>();
        for (var s : slots.values()) {
            var p = s.shape;
            out.add(new PoolStats(p.label(), p.kind(), p.engine(), p.templateId().orElse(null), p.width(), p.height(),
                    p.scale(), s.target, s.ready.size(), s.starting.get(),
                    (int) s.ready.stream().filter(Warm::isFrozen).count(), s.claims.get(), s.misses.get(),
                    s.started.get(), s.failed.get()));
        }
        return out;
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void refill() {
        while (!closed) {
            try {
                long freezeIn = freezeDue();
                long waitNanos = Math.min(nextStartInNanos(), freezeIn);
                if (waitNanos > 0) {
                    lock.lock();
                    try {
                        if (!closed) changed.awaitNanos(waitNanos);
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                startOne();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "the warm pool's refill failed", e);
            }
        }
    }

    /** Freezes the pooled computers that have waited {@link #standbyAfter}; how long until the next is due. */
    private long freezeDue() {
        long next = Long.MAX_VALUE;
        if (standbyAfter.isZero()) return next;
        long now = System.nanoTime();
        for (var s : slots.values()) {
            for (var w : s.ready) {
                long due = w.readyAtNanos + standbyAfter.toNanos() - now;
                if (due > 0) {
                    next = Math.min(next, due);
                    continue;
                }
                try {
                    if (w.freezeIfWaiting()) {
                        try (var about = about(w)) {
                            LOG.log(System.Logger.Level.DEBUG, "pooled computer {0} in standby", w.id);
                        }
                    }
                } catch (RuntimeException e) {
                    // not frozen: it waits awake, as it would without standby
                    try (var about = about(w)) {
                        LOG.log(System.Logger.Level.WARNING, "pooled computer {0} could not be frozen: {1}", w.id, e.getMessage());
                    }
                }
            }
        }
        return next;
    }

    /** How long until a start is due: 0 if one is due now; a second or so to look again when none is wanted. */
    private long nextStartInNanos() {
        long now = System.nanoTime();
        if (creating.get() > 0) return TimeUnit.SECONDS.toNanos(1);
        long quietLeft = lastCreateEndNanos + QUIET.toNanos() - now;
        if (quietLeft > 0) return quietLeft;
        long soonest = TimeUnit.SECONDS.toNanos(1);
        for (var s : slots.values()) {
            if (s.wanted() <= 0) continue;
            long retryIn = s.retryAtNanos - now;
            if (retryIn <= 0) return 0;
            soonest = Math.min(soonest, retryIn);
        }
        return soonest;
    }

    /** Starts one computer for the slot that lacks the most (relative to its target). */
    private void startOne() {
        long now = System.nanoTime();
        var slot = slots.values().stream().filter(s -> s.wanted() > 0 && s.retryAtNanos - now <= 0)
                .max(Comparator.comparingDouble(s -> (double) s.wanted() / s.target)).orElse(null);
        if (slot == null) return;
        var place = lifecycle.reserve();
        if (place.isEmpty() || !lifecycle.memoryAllows()) {
            // full, or short of memory: look again a little later (a computer's end or a claim wakes us sooner)
            place.ifPresent(Capacity.Reservation::close);
            slot.retryAtNanos = now + TimeUnit.SECONDS.toNanos(2);
            return;
        }
        slot.starting.incrementAndGet();
        try {
            var w = lifecycle.start(slot.shape, place.get());
            slot.started.incrementAndGet();
            slot.failuresInARow = 0;
            if (closed || !w.isAlive()) {
                discardQuietly(w);
            } else {
                slot.ready.addLast(w);
            }
        } catch (Exception e) {
            place.get().close();
            slot.failed.incrementAndGet();
            slot.failuresInARow++;
            var wait = Duration.ofSeconds(1L << Math.min(6, slot.failuresInARow - 1));
            if (wait.compareTo(MAX_BACKOFF) > 0) wait = MAX_BACKOFF;
            slot.retryAtNanos = System.nanoTime() + wait.toNanos();
            LOG.log(System.Logger.Level.WARNING, "a pooled computer ({0}) could not be started, trying again in {1} s: {2}",
                    slot.shape.label(), wait.toSeconds(), e.getMessage());
        } finally {
            slot.starting.decrementAndGet();
        }
    }

    private void discardQuietly(Warm w) {
        try {
            // a frozen process cannot die
            w.takeAwake();
        } catch (RuntimeException e) {
            try (var about = about(w)) {
                LOG.log(System.Logger.Level.WARNING, "pooled computer {0} could not be thawed: {1}", w.id, e.getMessage());
            }
        }
        try (var about = about(w)) {
            lifecycle.discard(w);
        } catch (RuntimeException e) {
            try (var about = about(w)) {
                LOG.log(System.Logger.Level.WARNING, "ending pooled computer " + w.id + " failed", e);
            }
        }
    }

    /** Stops refilling (a start under way is waited for) and ends every pooled computer. */
    @Override
    public void close() {
        closed = true;
        signal();
        if (refiller != null) {
            try {
                refiller.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        var ending = new ArrayList<Thread>();
        for (var s : slots.values()) {
            Warm w;
            while ((w = s.ready.pollFirst()) != null) {
                var warm = w;
                ending.add(Thread.ofVirtual().name("porthole-pool-end-" + w.id).start(() -> discardQuietly(warm)));
            }
        }
        for (var t : ending) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
