package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which spare keycode a missing character gets, and when: never one a window may not have read yet. */
class SpareKeycodesTest {
    private long now = 1_000_000_000L;
    private final List<Long> slept = new ArrayList<>();
    private final SpareKeycodes spares = new SpareKeycodes(100, () -> now, nanos -> {
        slept.add(nanos);
        now += nanos;
    });

    @Test
    void neverUsedKeycodesGoFirstInOrderWithoutWaiting() throws Exception {
        spares.reset(List.of(8, 93, 97));
        assertEquals(8, spares.take(Set.of()));
        assertEquals(93, spares.take(Set.of(8)));
        assertEquals(97, spares.take(Set.of(8, 93)));
        assertEquals(-1, spares.take(Set.of(8, 93, 97)), "all pinned: none");
        assertEquals(List.of(), slept);
    }

    @Test
    void aUsedKeycodeIsRemappedOnlyOnceItHasSettled() throws Exception {
        spares.reset(List.of(8, 93));
        spares.used(List.of(8));
        now += 30;
        spares.used(List.of(93));
        now += 10;
        assertEquals(8, spares.take(Set.of()), "the least recently used");
        assertEquals(List.of(60L), slept, "waited until 100 since its use");
        slept.clear();
        now += 500;
        assertEquals(8, spares.take(Set.of()));
        assertEquals(List.of(), slept, "long settled: no wait");
    }

    @Test
    void aResetKeepsWhatIsKnownOfKeycodesThatStaySpare() throws Exception {
        spares.reset(List.of(8, 93));
        spares.used(List.of(8));
        spares.reset(List.of(8, 120));
        assertEquals(Set.of(8, 120), spares.keycodes());
        assertEquals(120, spares.take(Set.of()), "8 was used; 120 never");
        assertEquals(1, spares.available(Set.of(120)));
    }
}
