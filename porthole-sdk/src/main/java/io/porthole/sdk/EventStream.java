package io.porthole.sdk;

import java.util.stream.Stream;

/**
 * A stream of events read from one open HTTP response (NDJSON or server-sent events), parsed as they arrive.
 * Iterating blocks until the next event or the end of the response. Closing it closes the connection, which is how
 * a reader stops following a stream that does not end by itself ({@link Computer#events()},
 * {@link Computer#screencast()}); closing the {@link #stream()} closes it too.
 *
 * <p>Single-use and not thread-safe: read and close it in one thread (try-with-resources), stopping when the events
 * you wait for have come.
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

    /** Closes the connection; iteration then ends. Idempotent. */
    @Override
    void close();
}
