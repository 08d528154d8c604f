package io.porthole.engine.cdp;

import static io.porthole.engine.cdp.FakeCdpTransport.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.PortholeException;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import io.porthole.core.live.Frame;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Chromium screencast's protocol, against a fake browser: what it sends, what it delivers, and when. */
class ChromiumScreencastTest {
    private static final CaptureSettings SETTINGS = new CaptureSettings(20, 55, 2);

    private FakeCdpTransport browser;
    private CdpConnection cdp;
    private ChromiumScreencast cast;
    /** Every command sent, with when it was sent. */
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private volatile ChromiumScreencast.Target main = new ChromiumScreencast.Target("S1", 1280, 720);

    private record Sent(JsonNode command, long nanos) {
        String method() {
            return command.path("method").asText();
        }

        String session() {
            return command.path("sessionId").asText();
        }
    }

    /** A sink that keeps what it gets. */
    private static class Sink implements Capture.Sink {
        final List<Frame.Jpeg> frames = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();

        @Override
        public void frame(Frame frame) {
            frames.add((Frame.Jpeg) frame);
        }

        @Override
        public void ended(String reason) {
            ended.complete(reason);
        }
    }

    @BeforeEach
    void connect() {
        browser = new FakeCdpTransport();
        browser.respondWith(command -> {
            sent.add(new Sent(command, System.nanoTime()));
            return "{\"id\":" + command.path("id").asLong() + ",\"result\":{}}";
        });
        cdp = new CdpConnection(browser::attach);
        // no restarts for want of a first picture here, but in the test of them
        cast = new ChromiumScreencast(cdp, () -> Optional.ofNullable(main), Duration.ofHours(1));
        // as the driver wires it
        cdp.onEvent(e -> {
            if (e.method().equals("Page.screencastFrame")) cast.onFrame(e);
        });
        cdp.closedFuture().thenAccept(reason -> cast.browserGone("the browser has gone away (" + reason + ")"));
    }

    @AfterEach
    void disconnect() {
        cast.shutdown();
        cdp.close();
    }

    private static String frameEvent(String session, int frame, byte[] jpeg) {
        return "{\"method\":\"Page.screencastFrame\",\"sessionId\":\"" + session + "\",\"params\":{\"data\":\""
                + Base64.getEncoder().encodeToString(jpeg) + "\",\"sessionId\":" + frame + ",\"metadata\":{"
                + "\"offsetTop\":0,\"pageScaleFactor\":1,\"deviceWidth\":1280,\"deviceHeight\":720,\"scrollOffsetX\":3,"
                + "\"scrollOffsetY\":40.5,\"timestamp\":1796600000.25}}}";
    }

    private List<Sent> sent(String method) {
        return sent.stream().filter(s -> s.method().equals(method)).toList();
    }

    private static void until(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT + ": " + what);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void aCaptureStartsOnTheMainTabsSessionAndEachFrameIsDeliveredAndAcknowledged() {
        var sink = new Sink();
        cast.attach(SETTINGS, sink);
        until("Page.startScreencast", () -> sent("Page.startScreencast").size() == 1);
        var start = sent("Page.startScreencast").getFirst().command();
        assertEquals("S1", start.path("sessionId").asText());
        assertEquals("jpeg", start.path("params").path("format").asText());
        assertEquals(55, start.path("params").path("quality").asInt());
        assertEquals(1280, start.path("params").path("maxWidth").asInt());
        assertEquals(720, start.path("params").path("maxHeight").asInt());
        browser.deliver(frameEvent("S1", 7, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}));
        until("the frame", () -> sink.frames.size() == 1);
        var f = sink.frames.getFirst();
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}, f.data());
        assertEquals(new Frame.Metadata(1796600000.25, 1280, 720, 0, 1, 3, 40.5), f.metadata());
        until("the ack", () -> sent("Page.screencastFrameAck").size() == 1);
        var ack = sent("Page.screencastFrameAck").getFirst();
        assertEquals("S1", ack.session());
        assertEquals(7, ack.command().path("params").path("sessionId").asInt());
    }

    @Test
    void acksAreHeldSoThatNoMoreThanMaxFpsFramesComeASecond() {
        var sink = new Sink();
        var settings = new CaptureSettings(4, 60, 2);
        long interval = TimeUnit.SECONDS.toNanos(1) / settings.maxFps();
        cast.attach(settings, sink);
        until("Page.startScreencast", () -> sent("Page.startScreencast").size() == 1);
        // a browser that sends far ahead of the acks (Chromium stops at three): every frame goes out at once
        for (int i = 1; i <= 8; i++) browser.deliver(frameEvent("S1", i, new byte[] {(byte) i}));
        until("the frames", () -> sink.frames.size() == 8);
        until("every ack", () -> sent("Page.screencastFrameAck").size() == 8);
        var acks = sent("Page.screencastFrameAck");
        for (int i = 0; i < acks.size(); i++) {
            assertEquals(i + 1, acks.get(i).command().path("params").path("sessionId").asInt(), "in order");
        }
        // never more than two in one interval: the rate the browser may send at is capped
        for (int i = 2; i < acks.size(); i++) {
            long apart = acks.get(i).nanos() - acks.get(i - 2).nanos();
            assertTrue(apart >= interval - TimeUnit.MILLISECONDS.toNanos(1), "acks " + (i - 2) + " and " + i + " were "
                    + apart / 1e6 + " ms apart");
        }
    }

    @Test
    void itFollowsTheMainTabAndLeavesTheOldOne() {
        var sink = new Sink();
        cast.attach(SETTINGS, sink);
        until("the first start", () -> sent("Page.startScreencast").size() == 1);
        main = new ChromiumScreencast.Target("S2", 1280, 720);
        cast.retarget();
        until("the start on the new tab", () -> sent("Page.startScreencast").size() == 2);
        assertEquals("S2", sent("Page.startScreencast").get(1).session());
        var stops = sent("Page.stopScreencast");
        assertEquals(1, stops.size());
        assertEquals("S1", stops.getFirst().session());
        assertTrue(stops.getFirst().nanos() <= sent("Page.startScreencast").get(1).nanos(), "stopped, then started");
        // a frame of the old tab still on its way is not shown, and is not acknowledged
        browser.deliver(frameEvent("S1", 9, new byte[] {9}));
        browser.deliver(frameEvent("S2", 1, new byte[] {1}));
        until("the new tab's frame", () -> sink.frames.size() == 1);
        assertArrayEquals(new byte[] {1}, sink.frames.getFirst().data());
        until("its ack", () -> sent("Page.screencastFrameAck").size() == 1);
        assertEquals("S2", sent("Page.screencastFrameAck").getFirst().session());
        // a new viewport restarts it at the new size
        main = new ChromiumScreencast.Target("S2", 800, 600);
        cast.retarget();
        until("the restart", () -> sent("Page.startScreencast").size() == 3);
        assertEquals(800, sent("Page.startScreencast").get(2).command().path("params").path("maxWidth").asInt());
        // while there is no main tab, nothing runs
        main = null;
        cast.retarget();
        until("the stop", () -> sent("Page.stopScreencast").stream().filter(s -> s.session().equals("S2")).count() == 2);
        until("not running", () -> !cast.running());
    }

    @Test
    void aStartWithoutAFirstPictureOrThatChromiumRefusesIsTriedAgain() {
        cast.shutdown();
        // (the listener of connect() hands frames to whatever this.cast is)
        cast = new ChromiumScreencast(cdp, () -> Optional.ofNullable(main), Duration.ofMillis(200));
        // Chromium refuses the first start
        browser.respondWith(command -> {
            sent.add(new Sent(command, System.nanoTime()));
            boolean first = command.path("method").asText().equals("Page.startScreencast")
                    && sent("Page.startScreencast").size() == 1;
            return first ? "{\"id\":" + command.path("id").asLong() + ",\"error\":{\"code\":-32000,\"message\":\"no\"}}"
                    : "{\"id\":" + command.path("id").asLong() + ",\"result\":{}}";
        });
        var sink = new Sink();
        cast.attach(SETTINGS, sink);
        until("a second start after the refusal", () -> sent("Page.startScreencast").size() == 2);
        // no picture for that one either: a third, then a fourth, and then it waits for the page
        until("the last restart", () -> sent("Page.startScreencast").size() == 1 + ChromiumScreencast.RESTARTS);
        browser.deliver(frameEvent("S1", 1, new byte[] {1}));
        until("the picture", () -> sink.frames.size() == 1);
        // every start but the last was stopped before the next
        assertEquals(ChromiumScreencast.RESTARTS, sent("Page.stopScreencast").size());
    }

    @Test
    void closingStopsChromiumsScreencastAndNoFrameFollows() {
        var sink = new Sink();
        var capture = cast.attach(SETTINGS, sink);
        until("the start", () -> sent("Page.startScreencast").size() == 1);
        browser.deliver(frameEvent("S1", 1, new byte[] {1}));
        until("the frame", () -> sink.frames.size() == 1);
        capture.close();
        until("the stop", () -> sent("Page.stopScreencast").size() == 1);
        assertEquals("S1", sent("Page.stopScreencast").getFirst().session());
        until("not running", () -> !cast.running());
        // a frame Chromium sent before it stopped: not delivered, and answered with another stop (which shows it
        // was seen)
        browser.deliver(frameEvent("S1", 2, new byte[] {2}));
        until("the frame to be seen", () -> sent("Page.stopScreencast").size() == 2);
        assertEquals(1, sink.frames.size(), "nothing after close");
        assertEquals(0, sent("Page.screencastFrameAck").stream().filter(a -> a.command().path("params")
                .path("sessionId").asInt() == 2).count());
        capture.close(); // idempotent
    }

    @Test
    void aNewCaptureTakesOverAndGetsAFirstPictureOfItsOwn() {
        var first = new Sink();
        var old = cast.attach(SETTINGS, first);
        until("the start", () -> sent("Page.startScreencast").size() == 1);
        var second = new Sink();
        cast.attach(SETTINGS, second);
        // restarted: Chromium sends the page as it is to a screencast that starts
        until("the restart", () -> sent("Page.startScreencast").size() == 2);
        assertEquals(1, sent("Page.stopScreencast").size());
        browser.deliver(frameEvent("S1", 1, new byte[] {1}));
        until("the frame", () -> second.frames.size() == 1);
        assertTrue(first.frames.isEmpty());
        // the old one's late close does not stop the new one's capture
        old.close();
        browser.deliver(frameEvent("S1", 2, new byte[] {2}));
        until("the next frame", () -> second.frames.size() == 2);
        assertEquals(1, sent("Page.stopScreencast").size());
    }

    @Test
    void aSlowSinkNeverHoldsUpCdpsEventThread() throws Exception {
        var release = new CountDownLatch(1);
        var inSink = new CountDownLatch(1);
        var sink = new Sink() {
            @Override
            public void frame(Frame frame) {
                inSink.countDown();
                try {
                    release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.frame(frame);
            }
        };
        var other = new CompletableFuture<Void>();
        cdp.onEvent(e -> {
            if (e.method().equals("Page.loadEventFired")) other.complete(null);
        });
        cast.attach(SETTINGS, sink);
        until("the start", () -> sent("Page.startScreencast").size() == 1);
        browser.deliver(frameEvent("S1", 1, new byte[] {1}));
        assertTrue(inSink.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        browser.deliver(frameEvent("S1", 2, new byte[] {2}));
        browser.deliver("{\"method\":\"Page.loadEventFired\",\"sessionId\":\"S1\",\"params\":{}}");
        other.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        release.countDown();
        until("both frames", () -> sink.frames.size() == 2);
    }

    @Test
    void theBrowserGoingAwayEndsTheCapture() throws Exception {
        var sink = new Sink();
        cast.attach(SETTINGS, sink);
        until("the start", () -> sent("Page.startScreencast").size() == 1);
        browser.closeBy("the pipe broke");
        var reason = sink.ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(reason.contains("the pipe broke"), reason);
        assertThrows(PortholeException.Unavailable.class, () -> cast.attach(SETTINGS, new Sink()));
    }

    @Test
    void nothingRunsAfterShutdown() throws Exception {
        var sink = new Sink();
        cast.attach(SETTINGS, sink);
        until("the start", () -> sent("Page.startScreencast").size() == 1);
        cast.shutdown();
        until("the stop", () -> sent("Page.stopScreencast").size() == 1);
        // events are handled in order: once a later one is seen, the frame before it was too
        var seen = new CompletableFuture<Void>();
        cdp.onEvent(e -> {
            if (e.method().equals("Page.loadEventFired")) seen.complete(null);
        });
        browser.deliver(frameEvent("S1", 1, new byte[] {1}));
        browser.deliver("{\"method\":\"Page.loadEventFired\",\"sessionId\":\"S1\",\"params\":{}}");
        seen.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(sink.frames.isEmpty());
        assertTrue(sent("Page.screencastFrameAck").isEmpty());
        assertThrows(PortholeException.Unavailable.class, () -> cast.attach(SETTINGS, new Sink()));
    }
}
