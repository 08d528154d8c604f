package io.porthole.core.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fan-out of one capture to many viewers, with a fake capture. */
class ScreencastTest {
    private static final Duration NOW = Duration.ZERO;

    /** A capture the test drives: frames go to the sink it was started with. */
    static final class FakeCapture implements Capture {
        final Capture.Sink sink;
        boolean closed;

        FakeCapture(Capture.Sink sink) {
            this.sink = sink;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final List<FakeCapture> started = new ArrayList<>();
    final List<String> viewerEvents = new ArrayList<>();
    final Screencast hub = new Screencast(sink -> {
        var c = new FakeCapture(sink);
        started.add(c);
        return c;
    }, (n, joined, label) -> viewerEvents.add((joined ? "+" : "-") + label + "=" + n));

    static Frame.Jpeg jpeg(int n) {
        return new Frame.Jpeg(new byte[] {(byte) n}, new Frame.Metadata(n, 10, 10, 0, 1, 0, 0));
    }

    static Frame.H264 h264(int n, boolean key) {
        return new Frame.H264(new byte[] {0, 0, 0, 1, (byte) n}, key);
    }

    @Test
    void theCaptureRunsFromTheFirstViewerToTheLast() throws Exception {
        var a = hub.join("a");
        assertEquals(1, started.size());
        var b = hub.join("b");
        assertEquals(1, started.size(), "one capture for every viewer");
        started.getFirst().sink.frame(jpeg(1));
        assertEquals(1, ((Frame.Jpeg) a.next(NOW).orElseThrow()).data()[0]);
        assertEquals(1, ((Frame.Jpeg) b.next(NOW).orElseThrow()).data()[0]);
        a.close();
        assertFalse(started.getFirst().closed);
        b.close();
        assertTrue(started.getFirst().closed, "the last viewer out stops it");
        assertEquals(List.of("+a=1", "+b=2", "-a=1", "-b=0"), viewerEvents);
        var c = hub.join("c");
        assertEquals(2, started.size(), "the next viewer starts a new one");
        c.close();
    }

    @Test
    void theServersOwnRecordingKeepsTheCaptureRunningWithoutCountingAsAViewer() throws Exception {
        var recording = hub.join("recording", false);
        var person = hub.join("person");
        assertEquals(1, hub.viewers());
        person.close();
        assertFalse(started.getFirst().closed, "the recording still watches");
        assertEquals(0, hub.viewers());
        recording.close();
        assertTrue(started.getFirst().closed);
        assertEquals(List.of("+person=1", "-person=0"), viewerEvents);
    }

    @Test
    void aSlowViewerGetsTheNewestPictureAndDoesNotHoldBackTheOthers() throws Exception {
        var slow = hub.join("slow");
        var fast = hub.join("fast");
        var sink = started.getFirst().sink;
        for (int i = 1; i <= 100; i++) {
            sink.frame(jpeg(i));
            assertEquals(i, ((Frame.Jpeg) fast.next(NOW).orElseThrow()).data()[0]);
        }
        assertEquals(100, ((Frame.Jpeg) slow.next(NOW).orElseThrow()).data()[0], "newest wins");
        assertTrue(slow.next(NOW).isEmpty(), "and only it was kept");
        assertEquals(99, slow.dropped());
        slow.close();
        fast.close();
    }

    @Test
    void aViewerTooFarBehindOnH264SkipsToTheNextKeyframe() throws Exception {
        var v = hub.join("v");
        var sink = started.getFirst().sink;
        sink.frame(h264(0, true));
        for (int i = 1; i <= Screencast.MAX_QUEUED_PICTURES + 5; i++) sink.frame(h264(i, false));
        assertTrue(v.next(NOW).isEmpty(), "a decoder cannot go on from a gap: everything was dropped");
        sink.frame(h264(7, false));
        assertTrue(v.next(NOW).isEmpty(), "still waiting for a keyframe");
        sink.frame(h264(8, true));
        var f = (Frame.H264) v.next(NOW).orElseThrow();
        assertTrue(f.keyframe());
        sink.frame(h264(9, false));
        assertFalse(((Frame.H264) v.next(NOW).orElseThrow()).keyframe());
        v.close();
    }

    @Test
    void aNewViewerStartsAtTheLastKeyframeWithThePointer() throws Exception {
        var first = hub.join("first");
        var sink = started.getFirst().sink;
        sink.frame(h264(1, false)); // before any keyframe: of no use to anyone joining
        var key = h264(2, true);
        var delta = h264(3, false);
        var shape = new Frame.CursorImage(1, 1, 0, 0, new byte[] {1});
        sink.frame(key);
        sink.frame(delta);
        sink.frame(shape);
        sink.frame(new Frame.CursorPosition(1, 1));
        sink.frame(new Frame.CursorPosition(5, 6));
        var late = hub.join("late");
        assertSame(shape, late.next(NOW).orElseThrow(), "the pointer's shape first");
        assertEquals(new Frame.CursorPosition(5, 6), late.next(NOW).orElseThrow(), "its last position only");
        assertSame(key, late.next(NOW).orElseThrow());
        assertSame(delta, late.next(NOW).orElseThrow());
        assertTrue(late.next(NOW).isEmpty());
        first.close();
        late.close();
    }

    @Test
    void aNewCaptureDoesNotStartWithWhereThePointerWasInTheLastOne() throws Exception {
        var v = hub.join("v");
        started.getFirst().sink.frame(new Frame.CursorImage(1, 1, 0, 0, new byte[] {1}));
        started.getFirst().sink.frame(new Frame.CursorPosition(1, 1));
        v.close();
        var w = hub.join("w");
        assertTrue(w.next(NOW).isEmpty(), "nothing of the stopped capture");
        started.get(1).sink.frame(new Frame.CursorPosition(2, 2));
        assertEquals(new Frame.CursorPosition(2, 2), w.next(NOW).orElseThrow());
        w.close();
    }

    @Test
    void viewersLearnWhenTheCaptureOrTheComputerEnds() throws Exception {
        var v = hub.join("v");
        started.getFirst().sink.frame(jpeg(1));
        started.getFirst().sink.ended("the browser went away");
        assertNotNull(v.next(NOW).orElseThrow(), "what was queued still comes");
        var e = assertThrows(StreamEnded.class, () -> v.next(NOW));
        assertTrue(e.getMessage().contains("the browser went away"));
        v.close();
        var w = hub.join("w");
        assertEquals(2, started.size(), "a new capture for the next viewer");
        hub.close();
        assertTrue(started.get(1).closed);
        assertThrows(StreamEnded.class, () -> w.next(Duration.ofSeconds(5)));
        assertThrows(IllegalStateException.class, () -> hub.join("x"));
        w.close();
    }

    @Test
    void aLateFrameOfAStoppedCaptureReachesNobody() throws Exception {
        var v = hub.join("v");
        var old = started.getFirst().sink;
        v.close();
        var w = hub.join("w");
        old.frame(jpeg(1));
        old.ended("late");
        assertTrue(w.next(NOW).isEmpty());
        started.get(1).sink.frame(jpeg(2));
        assertInstanceOf(Frame.Jpeg.class, w.next(NOW).orElseThrow());
        w.close();
    }
}
