package io.porthole.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Admission: the check and the count are one step, however many ask at once; a place is given back once. */
class CapacityTest {
    @Test
    void concurrentReservationsNeverPassTheLimit() throws Exception {
        for (int round = 0; round < 50; round++) {
            var capacity = new Capacity(5);
            capacity.tryReserve().orElseThrow();
            capacity.tryReserve().orElseThrow();
            var won = new ConcurrentLinkedQueue<Capacity.Reservation>();
            var start = new CountDownLatch(1);
            var threads = new ArrayList<Thread>();
            for (int i = 0; i < 16; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    capacity.tryReserve().ifPresent(won::add);
                }));
            }
            start.countDown();
            for (var t : threads) assertTrue(t.join(Duration.ofSeconds(10)), "a reserving thread finished");
            assertEquals(3, won.size(), "exactly the free places were taken");
            assertEquals(5, capacity.held());
        }
    }

    @Test
    void aPlaceIsGivenBackOnceHoweverOftenItIsClosed() {
        var capacity = new Capacity(1);
        var place = capacity.tryReserve().orElseThrow();
        assertEquals(Optional.empty(), capacity.tryReserve());
        place.close();
        place.close();
        assertEquals(0, capacity.held());
        var again = capacity.tryReserve();
        assertTrue(again.isPresent(), "the place is free again");
        assertEquals(Optional.empty(), capacity.tryReserve(), "and only one place");
    }

    @Test
    void computersTakenOverAreCountedEvenPastTheLimit() {
        var capacity = new Capacity(1);
        List<Capacity.Reservation> adopted = List.of(capacity.reserveAnyway(), capacity.reserveAnyway());
        assertEquals(2, capacity.held());
        assertEquals(Optional.empty(), capacity.tryReserve(), "no create while over the limit");
        adopted.forEach(Capacity.Reservation::close);
        assertTrue(capacity.tryReserve().isPresent());
    }
}
