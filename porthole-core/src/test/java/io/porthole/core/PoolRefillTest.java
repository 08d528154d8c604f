package io.porthole.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.sandbox.Sandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The warm pool's bookkeeping and refills, with computers that are only sandboxes that say they are alive. */
class PoolRefillTest {
    private static final PoolShape SHAPE = new PoolShape("browser", "chromium", Optional.empty(), 1280, 720, 1.0);

    /** A sandbox that is alive until closed and can be frozen. */
    static final class FakeSandbox {
        final AtomicBoolean alive = new AtomicBoolean(true);
        final AtomicBoolean frozen = new AtomicBoolean();
        final Sandbox proxy = (Sandbox) java.lang.reflect.Proxy.newProxyInstance(Sandbox.class.getClassLoader(),
                new Class<?>[] {Sandbox.class}, (p, m, args) -> switch (m.getName()) {
                    case "isAlive" -> alive.get();
                    case "close" -> {
                        alive.set(false);
                        yield null;
                    }
                    case "freeze" -> {
                        frozen.set(true);
                        yield null;
                    }
                    case "thaw" -> {
                        frozen.set(false);
                        yield null;
                    }
                    case "freezesUnnoticed" -> true;
                    case "onExit" -> new CompletableFuture<Void>();
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    case "toString" -> "fake sandbox";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** Starts fake computers, counting; a start may be held or made to fail. */
    static final class FakeLifecycle implements Pool.Lifecycle {
        final Capacity capacity = new Capacity(10);
        final List<Long> startedAtNanos = new CopyOnWriteArrayList<>();
        final List<Pool.Warm> discarded = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        volatile boolean fail;
        volatile CountDownLatch hold;
        volatile CountDownLatch entered;
        final AtomicInteger ids = new AtomicInteger();

        @Override
        public Pool.Warm start(PoolShape shape, Capacity.Reservation place) throws Exception {
            startedAtNanos.add(System.nanoTime());
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                var e = entered;
                if (e != null) e.countDown();
                var h = hold;
                if (h != null && !h.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("held too long");
                if (fail) throw new java.io.IOException("no browser today");
                return new Pool.Warm("comp_" + ids.incrementAndGet(), shape, new FakeSandbox().proxy, place);
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public void discard(Pool.Warm warm) {
            warm.sandbox.close();
            warm.place.close();
            discarded.add(warm);
        }

        @Override
        public Optional<Capacity.Reservation> reserve() {
            return capacity.tryReserve();
        }

        @Override
        public boolean memoryAllows() {
            return true;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static Pool.Warm take(Pool pool) {
        return pool.take(SHAPE).orElseThrow(() -> new AssertionError("none ready"));
    }

    @Test
    void itFillsToItsTargetOneAtATimeAndReplacesWhatIsTaken() throws Exception {
        var life = new FakeLifecycle();
        try (var pool = new Pool(Map.of(SHAPE, 3), life, Duration.ZERO)) {
            await("three ready", () -> pool.stats().getFirst().ready() == 3);
            assertEquals(1, life.mostAtOnce.get(), "one start at a time");
            assertEquals(3, life.capacity.held(), "each holds a place");
            var w = take(pool);
            pool.claimed(w);
            await("the pool to be full again", () -> pool.stats().getFirst().ready() == 3);
            var stats = pool.stats().getFirst();
            assertEquals(1, stats.claims());
            assertEquals(4, stats.started());
            assertEquals(0, stats.misses());
            assertTrue(pool.take(new PoolShape("browser", "firefox", Optional.empty(), 1280, 720, 1.0)).isEmpty(),
                    "a shape without a pool");
            assertEquals(0, pool.stats().getFirst().misses(), "is no miss of this one");
        }
        assertEquals(3, life.discarded.size(), "closing ends the ready ones");
        assertEquals(1, life.capacity.held(), "the taken one's place is its new owner's to give back");
    }

    @Test
    void anEmptyPoolIsAMissAndTwoTakesNeverGetTheSameComputer() throws Exception {
        var life = new FakeLifecycle();
        try (var pool = new Pool(Map.of(SHAPE, 2), life, Duration.ZERO)) {
            await("two ready", () -> pool.stats().getFirst().ready() == 2);
            life.hold = new CountDownLatch(1);
            var a = take(pool);
            var b = take(pool);
            assertFalse(a == b || a.id.equals(b.id));
            assertTrue(pool.take(SHAPE).isEmpty());
            assertEquals(1, pool.stats().getFirst().misses());
            life.hold.countDown();
        }
    }

    @Test
    void refillsWaitUntilNoCreateHasBeenUnderWayForAMoment() throws Exception {
        var life = new FakeLifecycle();
        life.hold = new CountDownLatch(1);
        life.entered = new CountDownLatch(1);
        try (var pool = new Pool(Map.of(SHAPE, 2), life, Duration.ZERO)) {
            assertTrue(life.entered.await(20, TimeUnit.SECONDS));
            // a create begins while the first refill runs, and ends a little later
            var create = pool.creating();
            life.hold.countDown();
            await("the first ready", () -> pool.stats().getFirst().ready() == 1);
            Thread.sleep(100);
            long createEnded = System.nanoTime();
            create.close();
            await("the second ready", () -> pool.stats().getFirst().ready() == 2);
            long second = life.startedAtNanos.get(1);
            assertTrue(second - createEnded >= Pool.QUIET.toNanos() - TimeUnit.MILLISECONDS.toNanos(5),
                    "the second start waited " + TimeUnit.NANOSECONDS.toMillis(second - createEnded) + " ms after the create");
        }
    }

    @Test
    void aFailingStartIsTriedAgainLaterAndAComputerLostInThePoolIsReplaced() throws Exception {
        var life = new FakeLifecycle();
        life.fail = true;
        try (var pool = new Pool(Map.of(SHAPE, 1), life, Duration.ZERO)) {
            await("two failed starts", () -> pool.stats().getFirst().failed() >= 2);
            long gap = life.startedAtNanos.get(1) - life.startedAtNanos.get(0);
            assertTrue(gap >= TimeUnit.MILLISECONDS.toNanos(990), "waited " + TimeUnit.NANOSECONDS.toMillis(gap) + " ms");
            assertEquals(0, life.capacity.held(), "a failed start gives its place back");
            life.fail = false;
            await("one ready", () -> pool.stats().getFirst().ready() == 1);
            // its browser dies while it waits
            var warm = take(pool);
            assertTrue(warm.exited().isEmpty(), "nobody owned it");
            assertFalse(warm.claimFor(null), "a lost one cannot be claimed");
            pool.lost(warm);
            pool.giveUp(warm);
            await("a replacement", () -> pool.stats().getFirst().ready() == 1);
            assertTrue(life.discarded.contains(warm));
        }
    }

    @Test
    void aWaitingComputerIsFrozenAfterTheStandbyTimeAndThawedWhenTakenAndEvictionFreesAPlace() throws Exception {
        var life = new FakeLifecycle();
        try (var pool = new Pool(Map.of(SHAPE, 2), life, Duration.ofMillis(200))) {
            await("two ready and frozen", () -> pool.stats().getFirst().ready() == 2
                    && pool.stats().getFirst().standby() == 2);
            var w = take(pool);
            assertFalse(frozen(w), "thawed when taken");
            assertTrue(pool.evictOne());
            assertEquals(1, life.discarded.size());
        }
    }

    private static boolean frozen(Pool.Warm w) {
        return w.isFrozen();
    }
}
