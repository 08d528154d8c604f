package io.porthole.core.live;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One computer's live event stream: events are numbered as they are published, kept in a bounded buffer for
 * clients that reconnect ({@code Last-Event-ID}), and handed to every subscriber. A subscriber that falls so far
 * behind that its queue is over its bound is ended (its client reconnects and resumes from the buffer), so a
 * slow client never makes the server hold more than a bounded amount for it, and no event is dropped from the
 * middle of a stream without the client knowing.
 *
 * <p>Numbers start from the clock's milliseconds times 1000 when the computer is set up in this server, so they
 * keep increasing across a restart of the server. Thread-safe.
 */
public final class LiveEvents implements AutoCloseable {
    /** Events and bytes the resume buffer keeps. */
    static final int BUFFER_EVENTS = 1000;
    static final long BUFFER_BYTES = 8L << 20;
    /** Events and bytes a subscriber may have waiting before it is ended as too slow. */
    static final int QUEUE_EVENTS = 2000;
    static final long QUEUE_BYTES = 16L << 20;

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<LiveEvent> buffer = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private long bufferedBytes;
    private long nextSeq;
    private boolean closed;

    public LiveEvents(Clock clock) {
        this.clock = clock;
        this.nextSeq = clock.millis() * 1000 + 1;
    }

    /**
     * Numbers and sends an event to every subscriber.
     *
     * @param fields the event's fields after {@code type} (snake_case keys), values that Jackson writes
     * @return the event, or empty once the stream is closed
     */
    public Optional<LiveEvent> publish(String type, Map<String, ?> fields) {
        lock.lock();
        try {
            if (closed) return Optional.empty();
            var e = LiveEvent.of(nextSeq++, type, fields, clock.instant());
            buffer.addLast(e);
            bufferedBytes += e.size();
            while (buffer.size() > BUFFER_EVENTS || (bufferedBytes > BUFFER_BYTES && buffer.size() > 1)) {
                bufferedBytes -= buffer.removeFirst().size();
            }
            for (var s : subscribers) s.offer(e);
            return Optional.of(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Subscribes from now on, or, with {@code after} (a {@code Last-Event-ID}), from the first event after it that
     * the buffer still holds: if events after it have left the buffer, an {@link LiveEvent#EVENTS_LOST} event
     * comes first. The subscription must be closed.
     */
    public Subscription subscribe(OptionalLong after) {
        lock.lock();
        try {
            var s = new Subscription();
            if (after.isPresent()) {
                long first = buffer.isEmpty() ? nextSeq : buffer.peekFirst().seq();
                if (after.getAsLong() < first - 1) {
                    s.offer(LiveEvent.of(first - 1, LiveEvent.EVENTS_LOST, Map.of("after", Long.toString(after.getAsLong()),
                            "resumed_at", Long.toString(first)), clock.instant()));
                }
                for (var e : buffer) if (e.seq() > after.getAsLong()) s.offer(e);
            }
            if (closed) s.end("the computer has ended");
            else subscribers.add(s);
            return s;
        } finally {
            lock.unlock();
        }
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** The computer has ended: subscribers get what is queued for them, then the end. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (var s : subscribers) s.end("the computer has ended");
            subscribers.clear();
        } finally {
            lock.unlock();
        }
    }

    /** One client's place in the stream. Read by one thread; closed by any. */
    public final class Subscription implements AutoCloseable {
        private final ReentrantLock slock = new ReentrantLock();
        private final Condition ready = slock.newCondition();
        private final ArrayDeque<LiveEvent> queue = new ArrayDeque<>();
        private long queuedBytes;
        private String endReason;

        void offer(LiveEvent e) {
            slock.lock();
            try {
                if (endReason != null) return;
                if (queue.size() >= QUEUE_EVENTS || queuedBytes + e.size() > QUEUE_BYTES) {
                    // a client this far behind is ended, not fed partially: it resumes from the buffer with Last-Event-ID
                    endReason = "the client fell too far behind; reconnect with Last-Event-ID to resume";
                    subscribers.remove(this);
                } else {
                    queue.addLast(e);
                    queuedBytes += e.size();
                }
                ready.signal();
            } finally {
                slock.unlock();
            }
        }

        /**
         * The next event, waiting at most {@code timeout}.
         *
         * @return empty if none came in time
         * @throws StreamEnded once the stream is over, after every event queued before that
         */
        public Optional<LiveEvent> next(Duration timeout) throws InterruptedException, StreamEnded {
            long nanos = timeout.toNanos();
            slock.lock();
            try {
                while (true) {
                    var e = queue.pollFirst();
                    if (e != null) {
                        queuedBytes -= e.size();
                        return Optional.of(e);
                    }
                    if (endReason != null) throw new StreamEnded(endReason);
                    if (nanos <= 0) return Optional.empty();
                    nanos = ready.awaitNanos(nanos);
                }
            } finally {
                slock.unlock();
            }
        }

        void end(String reason) {
            slock.lock();
            try {
                if (endReason == null) endReason = reason;
                ready.signalAll();
            } finally {
                slock.unlock();
            }
        }

        @Override
        public void close() {
            subscribers.remove(this);
            end("closed");
        }
    }
}
