package io.porthole.sdk;

import java.util.stream.Stream;

/**
 * A stream of events read from one open HTTP response (NDJSON or server-sent events), parsed as they arrive.
 * Iterating blocks until the next event or the end of the response. Closing it closes the connection, which is how
 * a reader stops following a stream that does not end by itself ({@link Computer#events()},
 * {@link Computer#screencast()}); closing the {@link #stream()} closes it too.
 *
 * <p>Single-use; read it from one thread. {@link #close()} is thread-safe: called from another thread it also
 * interrupts the thread blocked reading, to wake it (that interrupt is cleared again before the reader returns),
 * so a watchdog or a shutdown hook can stop a reader that follows a stream.
 *
 * @param <T> the event type
 */
public interface EventStream<T> extends Iterable<T>, AutoCloseable {

    /**
     * The events as a sequential stream; closing it closes this.
     *
     * @return the stream (only one, once)
     */
    Stream<T> stream();

    /** Closes the connection; iteration then ends, in a reader blocked in another thread too. Idempotent. */
    @Override
    void close();
}
