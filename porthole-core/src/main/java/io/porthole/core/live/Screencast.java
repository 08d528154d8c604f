package io.porthole.core.live;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One computer's screencast: one {@link Capture}, started when the first viewer joins and stopped when the last
 * one leaves, fanned out to every viewer. Each viewer has its own small queue, so a slow one never slows the
 * others or makes the server hold more than a bounded amount for it: pictures are dropped for it, the newest
 * winning (a JPEG replaces the one not yet sent; H.264 skips to the next keyframe), and of the pointer only the
 * latest position and shape are kept. A new viewer starts at once with what the last keyframe needs (the last
 * JPEG, or the H.264 pictures since the last IDR) and the pointer's last shape and position.
 *
 * <p>Thread-safe.
 */
public final class Screencast implements AutoCloseable {
    /** H.264 pictures a viewer may fall behind before it skips to the next keyframe (2-3 s at 20-30 fps). */
    static final int MAX_QUEUED_PICTURES = 60;
    /** The most of a group of pictures kept for viewers who join, before it is given up until the next keyframe. */
    static final int MAX_CACHED_BYTES = 16 << 20;

    /** What the hub reports of its viewers. */
    public interface Listener {
        /** A viewer joined ({@code joined}) or left; {@code viewers} is how many there are now. */
        void viewers(int viewers, boolean joined, String label);
    }

    private final Function<Capture.Sink, Capture> start;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Viewer> viewers = new CopyOnWriteArrayList<>();
    /** The pictures a joining viewer starts with: from the last keyframe on. */
    private final ArrayList<Frame> sinceKeyframe = new ArrayList<>();
    private long cachedBytes;
    private Frame.CursorImage cursorImage;
    private Frame.CursorPosition cursorPosition;
    private Capture capture;
    /** Bumped at every start, so that a late {@code ended} of an earlier capture is not taken for the current one's. */
    private long generation;
    private boolean closed;

    /** @param start starts the capture, delivering to the given sink (throws if it cannot) */
    public Screencast(Function<Capture.Sink, Capture> start, Listener listener) {
        this.start = start;
        this.listener = listener;
    }

    /**
     * Joins as a viewer, starting the capture if this is the first. The viewer must be closed.
     *
     * @param label who watches, for the replay events ("console", "viewer link …", "api")
     * @throws RuntimeException whatever starting the capture threw (the viewer is then not counted)
     */
    public Viewer join(String label) {
        return join(label, true);
    }

    /**
     * Like {@link #join(String)}; a viewer that is not {@code counted} (the server's own recording) is not among
     * {@link #viewers()} and is not reported to the listener.
     */
    public Viewer join(String label, boolean counted) {
        Viewer v;
        int count;
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("the computer has ended");
            v = new Viewer(label, counted);
            if (capture == null) {
                long gen = ++generation;
                sinceKeyframe.clear();
                cachedBytes = 0;
                // the pointer as an earlier capture last saw it may have moved since: the new one says where it is
                cursorImage = null;
                cursorPosition = null;
                capture = start.apply(new Sink(gen));
            } else {
                for (var f : sinceKeyframe) v.offer(f);
            }
            if (cursorImage != null) v.offer(cursorImage);
            if (cursorPosition != null) v.offer(cursorPosition);
            viewers.add(v);
            count = counted();
        } finally {
            lock.unlock();
        }
        if (counted) listener.viewers(count, true, label);
        return v;
    }

    /** How many viewers watch now (the server's own recording is not one). */
    public int viewers() {
        return counted();
    }

    private int counted() {
        int n = 0;
        for (var v : viewers) if (v.counted) n++;
        return n;
    }

    /** Whether a capture runs. */
    public boolean capturing() {
        lock.lock();
        try {
            return capture != null;
        } finally {
            lock.unlock();
        }
    }

    private void leave(Viewer v) {
        Capture stop = null;
        int count;
        lock.lock();
        try {
            if (!viewers.remove(v)) return;
            count = counted();
            if (viewers.isEmpty() && capture != null) {
                stop = capture;
                capture = null;
                generation++;
                sinceKeyframe.clear();
                cachedBytes = 0;
            }
        } finally {
            lock.unlock();
        }
        if (stop != null) stop.close();
        if (v.counted) listener.viewers(count, false, v.label);
    }

    /** The computer has ended: every viewer's stream ends, the capture stops. Idempotent. */
    @Override
    public void close() {
        Capture stop;
        List<Viewer> gone;
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            stop = capture;
            capture = null;
            generation++;
            gone = List.copyOf(viewers);
        } finally {
            lock.unlock();
        }
        if (stop != null) stop.close();
        for (var v : gone) v.end("the computer has ended");
    }

    private void deliver(long gen, Frame f) {
        lock.lock();
        try {
            if (gen != generation || closed) return;
            if (f.video()) cache(f);
            else if (f instanceof Frame.CursorImage i) cursorImage = i;
            else if (f instanceof Frame.CursorPosition p) cursorPosition = p;
            // under the lock: a viewer joining now gets the frame either from the cache or here, never twice
            for (var v : viewers) v.offer(f);
        } finally {
            lock.unlock();
        }
    }

    private void cache(Frame f) {
        if (f.keyframe()) {
            sinceKeyframe.clear();
            cachedBytes = 0;
        } else if (sinceKeyframe.isEmpty()) {
            return; // given up on this group of pictures: wait for the next keyframe
        }
        long size = f instanceof Frame.H264 h ? h.nalus().length : f instanceof Frame.Jpeg j ? j.data().length : 0;
        if (cachedBytes + size > MAX_CACHED_BYTES) {
            sinceKeyframe.clear();
            cachedBytes = 0;
            return;
        }
        sinceKeyframe.add(f);
        cachedBytes += size;
    }

    private void ended(long gen, String reason) {
        List<Viewer> gone;
        lock.lock();
        try {
            if (gen != generation) return;
            capture = null;
            generation++;
            sinceKeyframe.clear();
            cachedBytes = 0;
            gone = List.copyOf(viewers);
        } finally {
            lock.unlock();
        }
        for (var v : gone) v.end("the capture stopped: " + reason);
    }

    private final class Sink implements Capture.Sink {
        private final long gen;

        Sink(long gen) {
            this.gen = gen;
        }

        @Override
        public void frame(Frame frame) {
            deliver(gen, frame);
        }

        @Override
        public void ended(String reason) {
            Screencast.this.ended(gen, reason);
        }
    }

    /**
     * One viewer's place in the fan-out: {@link #next} hands out what is queued for it. Only one thread reads a
     * viewer; any thread may close it.
     */
    public final class Viewer implements AutoCloseable {
        private final String label;
        private final boolean counted;
        private final ReentrantLock vlock = new ReentrantLock();
        private final Condition ready = vlock.newCondition();
        private final ArrayDeque<Frame> pictures = new ArrayDeque<>();
        private boolean awaitingKeyframe;
        private Frame.CursorImage image;
        private Frame.CursorPosition position;
        private long dropped;
        private String endReason;
        private boolean left;

        private Viewer(String label, boolean counted) {
            this.label = label;
            this.counted = counted;
        }

        void offer(Frame f) {
            vlock.lock();
            try {
                if (endReason != null) return;
                switch (f) {
                    case Frame.CursorImage i -> image = i;
                    case Frame.CursorPosition p -> position = p;
                    default -> offerPicture(f);
                }
                ready.signal();
            } finally {
                vlock.unlock();
            }
        }

        private void offerPicture(Frame f) {
            if (f.keyframe()) {
                // everything queued before a keyframe is of no use to a decoder starting there: newest wins
                dropped += pictures.size();
                pictures.clear();
                awaitingKeyframe = false;
                pictures.add(f);
            } else if (awaitingKeyframe) {
                dropped++;
            } else if (pictures.size() >= MAX_QUEUED_PICTURES) {
                dropped += pictures.size() + 1;
                pictures.clear();
                awaitingKeyframe = true;
            } else {
                pictures.add(f);
            }
        }

        /**
         * The next frame for this viewer, waiting at most {@code timeout}: the pointer's shape first, then its
         * position, then pictures in order.
         *
         * @return empty if nothing came in time
         * @throws StreamEnded once the stream is over (the computer or the capture ended), after what was queued
         */
        public Optional<Frame> next(Duration timeout) throws InterruptedException, StreamEnded {
            long nanos = timeout.toNanos();
            vlock.lock();
            try {
                while (true) {
                    if (image != null) {
                        var i = image;
                        image = null;
                        return Optional.of(i);
                    }
                    if (position != null) {
                        var p = position;
                        position = null;
                        return Optional.of(p);
                    }
                    var f = pictures.poll();
                    if (f != null) return Optional.of(f);
                    if (endReason != null) throw new StreamEnded(endReason);
                    if (nanos <= 0) return Optional.empty();
                    nanos = ready.awaitNanos(nanos);
                }
            } finally {
                vlock.unlock();
            }
        }

        /** Pictures dropped for this viewer because it fell behind. */
        public long dropped() {
            vlock.lock();
            try {
                return dropped;
            } finally {
                vlock.unlock();
            }
        }

        void end(String reason) {
            vlock.lock();
            try {
                if (endReason == null) endReason = reason;
                ready.signalAll();
            } finally {
                vlock.unlock();
            }
        }

        /** Leaves the screencast (the last one out stops the capture). Idempotent. */
        @Override
        public void close() {
            vlock.lock();
            try {
                if (left) return;
                left = true;
                if (endReason == null) endReason = "left";
                ready.signalAll();
            } finally {
                vlock.unlock();
            }
            leave(this);
        }
    }
}
