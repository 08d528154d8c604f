package io.porthole.core;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many sandboxes may run at once on this server, as reservations: checking the limit and counting the new
 * sandbox are one atomic step, so concurrent creates can never start more than {@link #max()}.
 *
 * <p>What counts: one reservation per sandbox from the moment its start is admitted until its end has finished
 * (its processes gone), or its start has failed. A computer holds one; so will a warm pool's ready sandbox,
 * and a cluster node counts its own the same way. Computers taken over after a restart are counted even past
 * the limit ({@link #reserveAnyway()}): they run already. Thread-safe.
 */
public final class Capacity {
    private final int max;
    private final AtomicInteger held = new AtomicInteger();

    /** @param max how many reservations may be held at once, at least 0 */
    public Capacity(int max) {
        if (max < 0) throw new IllegalArgumentException("max < 0");
        this.max = max;
    }

    /** A reservation if fewer than {@link #max()} are held; empty, changing nothing, otherwise. */
    public Optional<Reservation> tryReserve() {
        while (true) {
            int now = held.get();
            if (now >= max) return Optional.empty();
            if (held.compareAndSet(now, now + 1)) return Optional.of(new Reservation());
        }
    }

    /** A reservation whatever the count: for a sandbox that runs already (one taken over at start). */
    public Reservation reserveAnyway() {
        held.incrementAndGet();
        return new Reservation();
    }

    /** Reservations held now. */
    public int held() {
        return held.get();
    }

    public int max() {
        return max;
    }

    /** One sandbox's place; {@link #close()} gives it back, once however often it is called. */
    public final class Reservation implements AutoCloseable {
        private final AtomicBoolean released = new AtomicBoolean();

        private Reservation() {}

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) held.decrementAndGet();
        }
    }
}
