package io.porthole.engine.bidi;

import static io.porthole.engine.bidi.BidiConnection.params;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import io.porthole.core.live.Frame;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The screencast of a Firefox's main tab. WebDriver BiDi has no streaming screencast, so a thread of its own
 * takes {@code browsingContext.captureScreenshot} of the main tab as JPEG at most {@code maxFps} times a second
 * (Firefox encodes it itself: {@code canvas.toDataURL("image/jpeg", quality)} in its remote agent), with the
 * page's scroll offsets read by a {@code script.evaluate} sent alongside, and hands each picture that differs from
 * the one before to the sink. It follows the main tab and the viewport by asking the driver before every picture.
 * A page that has not changed for a second is looked at only a few times a second, until it changes again or the
 * driver says something happened to it ({@link #nudge}: an action, a navigation): taking a picture costs Firefox
 * the same whether the page moved or not, and most watched pages are still most of the time.
 * A picture that cannot be taken (the tab is navigating or closing) is skipped; when the browser's connection
 * ends, so does the capture ({@code sink.ended}).
 *
 * <p>Thread-safe.
 */
final class BidiScreencast implements Capture {
    private static final System.Logger LOG = System.getLogger(BidiScreencast.class.getName());
    /** How long one picture may take before it is given up (a frozen computer answers nothing). */
    private static final Duration SHOT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final String SCROLL = "scrollX + ',' + scrollY";
    /** How long a page must stay the same before it is looked at less often, and how often it is then. */
    private static final long STILL_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long STILL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** What to take: the main tab's browsing context and its viewport in CSS pixels. */
    record View(String context, int width, int height) {}

    /** What a frame showed besides its pixels. */
    private record Seen(String context, int width, int height, double scrollX, double scrollY) {}

    private final BidiConnection bidi;
    private final CaptureSettings settings;
    private final Capture.Sink sink;
    private final Supplier<Optional<View>> mainTab;
    private final Runnable onClosed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Held while a frame or the end is handed to the sink; {@link #close} waits it out. */
    private final ReentrantLock delivering = new ReentrantLock();
    private volatile boolean closed;
    /** Something happened to the page: look now, and often (guarded by lock). */
    private boolean nudged;
    /** The command in flight, cancelled by {@link #close}. */
    private volatile CompletableFuture<JsonNode> inFlight;
    private Thread thread;
    /** Pictures taken (for tests and the bench). */
    private volatile long taken;

    /** @param onClosed called once when it is closed */
    BidiScreencast(BidiConnection bidi, CaptureSettings settings, Capture.Sink sink, Supplier<Optional<View>> mainTab,
                   Runnable onClosed) {
        this.bidi = bidi;
        this.settings = settings;
        this.sink = sink;
        this.mainTab = mainTab;
        this.onClosed = onClosed;
    }

    BidiScreencast start() {
        thread = Threads.startVirtual("bidi-screencast", this::run);
        return this;
    }

    long taken() {
        return taken;
    }

    /** Something is happening to the page (an action, a navigation): the next picture is taken now. */
    void nudge() {
        lock.lock();
        try {
            nudged = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether its thread still runs. */
    boolean running() {
        var t = thread;
        return t != null && t.isAlive();
    }

    private void run() {
        long interval = TimeUnit.SECONDS.toNanos(1) / settings.maxFps();
        double quality = settings.jpegQuality() / 100.0;
        byte[] last = null;
        Seen lastSeen = null;
        long lastChange = System.nanoTime();
        while (!closed) {
            long started = System.nanoTime();
            if (!bidi.isOpen()) {
                end("the browser has gone away (" + bidi.closedFuture().getNow("closed") + ")");
                return;
            }
            var view = mainTab.get();
            if (view.isPresent()) {
                var v = view.get();
                var p = params().put("context", v.context()).put("origin", "viewport");
                p.putObject("format").put("type", "image/jpeg").put("quality", quality);
                var shot = bidi.send("browsingContext.captureScreenshot", p);
                var scroll = bidi.send("script.evaluate", BidiDriver.evaluateParams(v.context(), SCROLL));
                inFlight = shot;
                if (closed) shot.cancel(false);
                byte[] jpeg = null;
                try {
                    jpeg = Base64.getDecoder().decode(shot.get(SHOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                            .path("data").asText(""));
                    taken++;
                } catch (CancellationException e) {
                    // closing
                } catch (ExecutionException | TimeoutException | IllegalArgumentException e) {
                    // a tab navigating, closing or frozen: the next picture will tell
                    shot.cancel(false);
                    LOG.log(System.Logger.Level.DEBUG, "no screencast picture of {0}: {1}", v.context(), e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } finally {
                    inFlight = null;
                }
                double sx = 0;
                double sy = 0;
                try {
                    // sent with the picture, answered about as soon: a page that does not answer has no offsets
                    var xy = scroll.get(jpeg == null ? 0 : 1000, TimeUnit.MILLISECONDS).path("result").path("value")
                            .asText("0,0").split(",");
                    sx = Double.parseDouble(xy[0]);
                    sy = Double.parseDouble(xy[1]);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    scroll.cancel(false);
                }
                var metadata = new Frame.Metadata(System.currentTimeMillis() / 1000.0, v.width(), v.height(), 0, 1,
                        sx, sy);
                // a still page is one picture, not maxFps a second of the same one (a scroll that changes no
                // pixel still changes the offsets, and is a new frame)
                var seen = new Seen(v.context(), v.width(), v.height(), sx, sy);
                if (jpeg != null && jpeg.length > 0 && !(seen.equals(lastSeen) && Arrays.equals(jpeg, last))) {
                    deliver(new Frame.Jpeg(jpeg, metadata));
                    last = jpeg;
                    lastSeen = seen;
                    lastChange = System.nanoTime();
                }
            }
            boolean still = System.nanoTime() - lastChange >= STILL_AFTER_NANOS;
            long wait = started + (still ? Math.max(interval, STILL_INTERVAL_NANOS) : interval) - System.nanoTime();
            lock.lock();
            try {
                while (!closed && !nudged && wait > 0) wait = wake.awaitNanos(wait);
                if (nudged) {
                    nudged = false;
                    lastChange = System.nanoTime();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    private void deliver(Frame.Jpeg frame) {
        delivering.lock();
        try {
            if (!closed) sink.frame(frame);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a screencast sink failed", e);
        } finally {
            delivering.unlock();
        }
    }

    private void end(String reason) {
        delivering.lock();
        try {
            if (!closed) sink.ended(reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a screencast sink failed", e);
        } finally {
            delivering.unlock();
        }
    }

    /** Stops taking pictures; returns once none will be delivered (the thread ends soon after, if not already). */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        onClosed.run();
        var f = inFlight;
        if (f != null) f.cancel(false);
        // a frame being handed over right now is the last one
        delivering.lock();
        delivering.unlock();
        var t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                if (!t.join(CLOSE_WAIT)) t.interrupt();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
