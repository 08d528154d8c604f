package io.porthole.desktop;

import static io.porthole.desktop.SpareSlots.slot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which spare slot a missing character gets, and when: never one a window may not have read yet. */
class SpareSlotsTest {
    private long now = 1_000_000_000L;
    private final List<Long> slept = new ArrayList<>();
    private final SpareSlots spares = new SpareSlots(100, () -> now, nanos -> {
        slept.add(nanos);
        now += nanos;
    });

    @Test
    void neverUsedSlotsGoFirstBothLevelsOfAKeycodeTogetherWithoutWaiting() throws Exception {
        spares.reset(List.of(8, 93), true, Set.of());
        assertEquals(slot(8, 0), spares.take(Set.of()));
        assertEquals(slot(8, 1), spares.take(Set.of(slot(8, 0))));
        assertEquals(slot(93, 0), spares.take(Set.of(slot(8, 0), slot(8, 1))));
        assertEquals(slot(93, 1), spares.take(Set.of(slot(8, 0), slot(93, 0), slot(8, 1))));
        assertEquals(-1, spares.take(Set.of(slot(8, 0), slot(93, 0), slot(8, 1), slot(93, 1))), "all pinned: none");
        assertEquals(List.of(), slept);
    }

    @Test
    void aUsedSlotIsRemappedOnlyOnceItHasSettled() throws Exception {
        spares.reset(List.of(8, 93), false, Set.of());
        spares.used(List.of(slot(8, 0)));
        now += 30;
        spares.used(List.of(slot(93, 0)));
        now += 10;
        assertEquals(slot(8, 0), spares.take(Set.of()), "the least recently used");
        assertEquals(List.of(60L), slept, "waited until 100 since its use");
        slept.clear();
        now += 500;
        assertEquals(slot(8, 0), spares.take(Set.of()));
        assertEquals(List.of(), slept, "long settled: no wait");
    }

    @Test
    void slotsAnEarlierTypistGaveCharactersSettleBeforeTheyAreRemapped() throws Exception {
        spares.reset(List.of(8), false, Set.of(8));
        now += 40;
        assertEquals(slot(8, 0), spares.take(Set.of()));
        assertEquals(List.of(60L), slept);
    }

    @Test
    void aResetKeepsWhatIsKnownOfSlotsThatStaySpare() throws Exception {
        spares.reset(List.of(8, 93), false, Set.of());
        spares.used(List.of(slot(8, 0)));
        spares.reset(List.of(8, 120), false, Set.of());
        assertTrue(spares.isSpareKeycode(120));
        assertFalse(spares.isSpareKeycode(93));
        assertEquals(slot(120, 0), spares.take(Set.of()), "8 was used; 120 never");
        assertEquals(1, spares.available(Set.of(slot(120, 0))));
    }
}
