package io.porthole.engine.cdp;

import static io.porthole.engine.cdp.CdpConnection.params;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.core.PortholeException;
import io.porthole.core.internal.Threads;
import io.porthole.core.live.Capture;
import io.porthole.core.live.CaptureSettings;
import io.porthole.core.live.Frame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The screencast of a Chromium's main tab: {@code Page.startScreencast} on the driver's own session of that tab,
 * one {@link Frame.Jpeg} per {@code Page.screencastFrame}, each acknowledged with {@code Page.screencastFrameAck}
 * no sooner than {@code 1/maxFps} after the one before. The ack is Chromium's flow control (it captures at most
 * three frames ahead of the acks, and right after {@code startScreencast} sends the page as it is, still or not),
 * so holding the acks caps the rate while every frame still goes out the moment it arrives.
 *
 * <p>One per driver, serving at most one capture at a time (a computer's hub has one). Its own thread, started
 * with the first capture and ended with the browser, sends every screencast command and delivers every frame:
 * CDP's event thread only queues frames here, and starting, stopping and following the main tab (a switch, a new
 * tab, a closed one, a new viewport) happen in one order, whatever thread asked for them. That thread compares
 * what is wanted (a capture, on the main tab's session, at the viewport's size) with what runs in Chromium, and
 * mends the difference; a new capture always restarts Chromium's screencast, which sends it a first picture. A
 * start that Chromium refuses, or that brings no picture within {@link #FIRST_PICTURE}, is tried again (a few
 * times), so that a still page is never left without one.
 *
 * <p>Thread-safe.
 */
final class ChromiumScreencast {
    private static final System.Logger LOG = System.getLogger(ChromiumScreencast.class.getName());
    /** The sessions whose stray frames were answered with a stop, kept so that each is stopped once. */
    private static final int MAX_STOPPED_REMEMBERED = 64;
    /**
     * How long a started screencast may go without its first picture (Chromium sends the page as it is at once)
     * before it is started again, how many times, and how soon after Chromium refused a start.
     */
    static final Duration FIRST_PICTURE = Duration.ofSeconds(2);
    static final int RESTARTS = 3;
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    /** Where the main tab's screencast runs: the driver's session of it, and the largest picture wanted. */
    record Target(String sessionId, int maxWidth, int maxHeight) {}

    private record Ack(String sessionId, int frame) {}

    private final CdpConnection cdp;
    /** The main tab as it is now; empty while there is none, or it is not set up yet (then {@link #retarget}). */
    private final Supplier<Optional<Target>> mainTab;
    private final long firstPictureNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Held while a frame or an end is handed to a sink; a closing capture waits it out. */
    private final ReentrantLock delivering = new ReentrantLock();
    // guarded by lock
    private final ArrayDeque<CdpConnection.Event> inbox = new ArrayDeque<>();
    private Handle wanted;
    private boolean dirty;
    /** The start (by its number) that Chromium refused, if any, to try again. */
    private long refusedStart = -1;
    private String gone;
    private boolean shutdown;
    private Thread thread;
    /** Whether Chromium's screencast runs now, as the capture thread last left it. */
    private volatile boolean running;

    ChromiumScreencast(CdpConnection cdp, Supplier<Optional<Target>> mainTab) {
        this(cdp, mainTab, FIRST_PICTURE);
    }

    /** @param firstPicture how long a start may go without a picture before it is started again */
    ChromiumScreencast(CdpConnection cdp, Supplier<Optional<Target>> mainTab, Duration firstPicture) {
        this.cdp = cdp;
        this.mainTab = mainTab;
        this.firstPictureNanos = firstPicture.toNanos();
    }

    /** Starts capturing for {@code sink}; a capture that was still attached is replaced (it gets no more frames). */
    Capture attach(CaptureSettings settings, Capture.Sink sink) {
        var handle = new Handle(settings, sink);
        lock.lock();
        try {
            if (shutdown) throw new PortholeException.Unavailable("the browser has ended");
            if (gone != null) throw new PortholeException.Unavailable("the browser has gone away: " + gone);
            wanted = handle;
            dirty = true;
            if (thread == null) thread = Threads.startVirtual("cdp-screencast", this::run);
            wake.signal();
        } finally {
            lock.unlock();
        }
        return handle;
    }

    /** The main tab, or its session or size, may have changed: look again. Never blocks. */
    void retarget() {
        lock.lock();
        try {
            dirty = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A {@code Page.screencastFrame} from CDP's event thread: queued, never blocks. */
    void onFrame(CdpConnection.Event e) {
        lock.lock();
        try {
            if (shutdown || gone != null) return;
            inbox.add(e);
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The browser's connection closed: the capture ends with {@code reason}. */
    void browserGone(String reason) {
        lock.lock();
        try {
            if (gone == null) gone = reason;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The driver is closing: stop, and end the thread (waiting for it, briefly). */
    void shutdown() {
        Thread t;
        lock.lock();
        try {
            shutdown = true;
            wanted = null;
            inbox.clear();
            t = thread;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                if (!t.join(Duration.ofSeconds(5))) t.interrupt();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether Chromium's screencast runs. */
    boolean running() {
        return running;
    }

    private void run() {
        String session = null; // where Chromium's screencast runs
        Target target = null;
        Handle runningFor = null;
        var acks = new ArrayDeque<Ack>();
        var stopped = new LinkedHashSet<String>();
        long nextAck = System.nanoTime();
        // the first picture of the last start: when it is due, and how many more starts are allowed
        long startNumber = 0;
        long firstPictureDue = 0;
        boolean awaitingFirst = false;
        int restartsLeft = 0;
        while (true) {
            var frames = new ArrayList<CdpConnection.Event>();
            Handle want;
            boolean look;
            String goneReason;
            boolean stop;
            lock.lock();
            try {
                while (!shutdown && gone == null && !dirty && inbox.isEmpty() && refusedStart != startNumber
                        && (acks.isEmpty() || System.nanoTime() < nextAck)
                        && !(awaitingFirst && restartsLeft > 0 && System.nanoTime() >= firstPictureDue)) {
                    long until = Long.MAX_VALUE;
                    if (!acks.isEmpty()) until = nextAck - System.nanoTime();
                    if (awaitingFirst && restartsLeft > 0) until = Math.min(until, firstPictureDue - System.nanoTime());
                    if (until == Long.MAX_VALUE) {
                        wake.await();
                    } else {
                        wake.awaitNanos(until);
                    }
                }
                if (refusedStart == startNumber) {
                    // Chromium said no (a tab still being set up, or going): try again soon
                    refusedStart = -1;
                    firstPictureDue = Math.min(firstPictureDue, System.nanoTime() + RETRY_NANOS);
                }
                frames.addAll(inbox);
                inbox.clear();
                want = wanted;
                look = dirty;
                dirty = false;
                goneReason = gone;
                stop = shutdown;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                want = null;
                look = false;
                goneReason = null;
                stop = true;
            } finally {
                lock.unlock();
            }
            if (stop || goneReason != null) {
                if (session != null && goneReason == null) send("Page.stopScreencast", session);
                running = false;
                if (goneReason != null) endFor(want, goneReason);
                lock.lock();
                try {
                    // interrupted without a shutdown: a later capture starts a new thread
                    if (thread == Thread.currentThread()) thread = null;
                } finally {
                    lock.unlock();
                }
                return;
            }
            boolean restart = false;
            if (awaitingFirst && session != null && restartsLeft > 0 && System.nanoTime() - firstPictureDue >= 0) {
                // no first picture: it was lost, or the start came too early for the tab; start again
                restartsLeft--;
                restart = true;
                LOG.log(System.Logger.Level.DEBUG, "no first screencast picture from {0}; starting again", session);
            }
            if (look || restart) {
                Target now = want == null ? null : mainTab.get().orElse(null);
                boolean changed = want != runningFor || !Objects.equals(now, target);
                if (changed || restart) {
                    if (session != null) send("Page.stopScreencast", session);
                    session = null;
                    target = null;
                    runningFor = null;
                    acks.clear();
                    awaitingFirst = false;
                    if (now != null) {
                        var p = params().put("format", "jpeg").put("quality", want.settings.jpegQuality())
                                .put("maxWidth", now.maxWidth()).put("maxHeight", now.maxHeight());
                        long number = ++startNumber;
                        send("Page.startScreencast", p, now.sessionId()).whenComplete((r, e) -> {
                            if (e != null) refused(number);
                        });
                        session = now.sessionId();
                        target = now;
                        runningFor = want;
                        stopped.remove(session);
                        awaitingFirst = true;
                        firstPictureDue = System.nanoTime() + firstPictureNanos;
                        if (changed) restartsLeft = RESTARTS;
                    }
                    running = session != null;
                }
            }
            for (var e : frames) {
                var from = e.sessionId();
                int frameId = e.params().path("sessionId").asInt();
                if (from.equals(session)) {
                    awaitingFirst = false;
                    deliver(runningFor, e.params());
                    acks.add(new Ack(from, frameId));
                } else if (stopped.add(from)) {
                    // a capture of a session it no longer follows (an earlier main tab, or one left running by an
                    // earlier run of the server on this pipe): stopped, once
                    send("Page.stopScreencast", from);
                    if (stopped.size() > MAX_STOPPED_REMEMBERED) stopped.removeFirst();
                }
            }
            long interval = runningFor == null ? 0 : TimeUnit.SECONDS.toNanos(1) / runningFor.settings.maxFps();
            long now = System.nanoTime();
            while (!acks.isEmpty() && now - nextAck >= 0) {
                var ack = acks.poll();
                if (!ack.sessionId().equals(session)) continue;
                cdp.send("Page.screencastFrameAck", params().put("sessionId", ack.frame()), ack.sessionId());
                // a capture idle for a while may catch up by one frame, never by a burst
                nextAck = Math.max(nextAck, now - interval) + interval;
            }
        }
    }

    /** Chromium refused start number {@code number}: the capture thread tries again soon. */
    private void refused(long number) {
        lock.lock();
        try {
            refusedStart = number;
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Sends a command without waiting for it: the thread never blocks on Chromium (a frozen one answers nothing). */
    private void send(String method, String session) {
        send(method, params(), session);
    }

    private CompletableFuture<JsonNode> send(String method, ObjectNode p, String session) {
        var f = cdp.send(method, p, session);
        f.whenComplete((r, e) -> {
            if (e != null) LOG.log(System.Logger.Level.DEBUG, "{0} on {1}: {2}", method, session, e.getMessage());
        });
        return f;
    }

    private void deliver(Handle to, JsonNode p) {
        if (to == null) return;
        byte[] jpeg;
        try {
            jpeg = Base64.getDecoder().decode(p.path("data").asText(""));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, "a screencast frame that is not base64: {0}", e.getMessage());
            return;
        }
        var m = p.path("metadata");
        var metadata = new Frame.Metadata(m.path("timestamp").asDouble(System.currentTimeMillis() / 1000.0),
                (int) Math.round(m.path("deviceWidth").asDouble()), (int) Math.round(m.path("deviceHeight").asDouble()),
                m.path("offsetTop").asDouble(), m.path("pageScaleFactor").asDouble(1),
                m.path("scrollOffsetX").asDouble(), m.path("scrollOffsetY").asDouble());
        var frame = new Frame.Jpeg(jpeg, metadata);
        delivering.lock();
        try {
            if (isWanted(to)) to.sink.frame(frame);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a screencast sink failed", e);
        } finally {
            delivering.unlock();
        }
    }

    private void endFor(Handle to, String reason) {
        if (to == null) return;
        delivering.lock();
        try {
            if (isWanted(to)) to.sink.ended(reason);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a screencast sink failed", e);
        } finally {
            delivering.unlock();
        }
    }

    private boolean isWanted(Handle h) {
        lock.lock();
        try {
            return wanted == h;
        } finally {
            lock.unlock();
        }
    }

    /** One capture: what {@link #attach} returned. */
    private final class Handle implements Capture {
        final CaptureSettings settings;
        final Capture.Sink sink;

        Handle(CaptureSettings settings, Capture.Sink sink) {
            this.settings = settings;
            this.sink = sink;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (wanted == this) {
                    wanted = null;
                    dirty = true;
                    wake.signal();
                }
            } finally {
                lock.unlock();
            }
            // a frame being handed to this capture's sink right now is the last one
            delivering.lock();
            delivering.unlock();
        }
    }
}
