package io.porthole.core.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LiveEventsTest {
    private static final Duration NOW = Duration.ZERO;
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    private final LiveEvents events = new LiveEvents(clock);

    @Test
    void subscribersGetWhatIsPublishedAfterThemInBothSpellings() throws Exception {
        events.publish("early", Map.of());
        try (var s = events.subscribe(OptionalLong.empty())) {
            var e = events.publish(LiveEvent.COMMAND_OUTPUT, Map.of("request_id", "r", "is_stderr", true)).orElseThrow();
            var got = s.next(NOW).orElseThrow();
            assertEquals(e, got);
            assertTrue(got.json().startsWith("{\"type\":\"command_output\""), got.json());
            assertTrue(got.json().contains("\"is_stderr\":true"));
            assertTrue(got.camelJson().contains("\"isStderr\":true") && got.camelJson().contains("\"requestId\":\"r\""));
            assertTrue(s.next(NOW).isEmpty());
        }
    }

    @Test
    void idsIncreaseFromTheClocksMillisecondsSoTheyKeepIncreasingAfterARestart() {
        var first = events.publish("a", Map.of()).orElseThrow();
        assertEquals(clock.millis() * 1000 + 1, first.seq());
        assertEquals(first.seq() + 1, events.publish("b", Map.of()).orElseThrow().seq());
    }

    @Test
    void aResumedSubscriptionGetsTheBufferedEventsAfterItsIdAndSaysWhenSomeAreGone() throws Exception {
        long firstSeq = 0;
        for (int i = 0; i < LiveEvents.BUFFER_EVENTS + 10; i++) {
            var e = events.publish("n", Map.of("i", i)).orElseThrow();
            if (i == 0) firstSeq = e.seq();
        }
        try (var s = events.subscribe(OptionalLong.of(firstSeq + LiveEvents.BUFFER_EVENTS + 7))) {
            assertTrue(s.next(NOW).orElseThrow().json().contains("\"i\":1008"));
            assertTrue(s.next(NOW).orElseThrow().json().contains("\"i\":1009"));
            assertTrue(s.next(NOW).isEmpty());
        }
        try (var s = events.subscribe(OptionalLong.of(firstSeq))) {
            assertEquals(LiveEvent.EVENTS_LOST, s.next(NOW).orElseThrow().type(), "the first 10 have left the buffer");
            assertTrue(s.next(NOW).orElseThrow().json().contains("\"i\":10,"));
        }
    }

    @Test
    void aSubscriberTooFarBehindIsEndedNotFedPartially() throws Exception {
        var s = events.subscribe(OptionalLong.empty());
        for (int i = 0; i <= LiveEvents.QUEUE_EVENTS; i++) events.publish("n", Map.of("i", i));
        assertEquals(0, events.subscribers(), "it no longer receives");
        for (int i = 0; i < LiveEvents.QUEUE_EVENTS; i++) s.next(NOW).orElseThrow();
        var e = assertThrows(StreamEnded.class, () -> s.next(NOW));
        assertTrue(e.getMessage().contains("Last-Event-ID"));
    }

    @Test
    void closingEndsEverySubscriptionAfterWhatWasQueued() throws Exception {
        var s = events.subscribe(OptionalLong.empty());
        events.publish("last", Map.of());
        events.close();
        assertEquals("last", s.next(NOW).orElseThrow().type());
        assertThrows(StreamEnded.class, () -> s.next(Duration.ofSeconds(5)));
        assertTrue(events.publish("after", Map.of()).isEmpty());
        assertThrows(StreamEnded.class, () -> events.subscribe(OptionalLong.empty()).next(NOW));
    }
}
