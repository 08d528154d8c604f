package io.porthole.sdk.internal;

import io.porthole.sdk.ApiConnectionException;
import io.porthole.sdk.EventStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An {@link EventStream} over an open response body, read a line at a time by {@link #readEvent}. Closing it
 * closes the body, which ends the HTTP exchange; a close from another thread also interrupts the thread blocked
 * reading (the JDK's body stream waits interruptibly, but does not promise that a close wakes it), and clears that
 * interrupt again before the reader returns. Reading is single-threaded; {@link #close()} is thread-safe.
 */
abstract class ResponseStream<T> implements EventStream<T> {
    private final InputStream body;
    private final BufferedReader lines;
    private final Object lock = new Object();
    private volatile boolean closed;
    private boolean iterated;
    /** The thread inside {@link #readEvent}, guarded by {@link #lock}. */
    private Thread reader;

    ResponseStream(InputStream body) {
        this.body = body;
        this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or null at the end of the body. */
    abstract T readEvent(BufferedReader reader) throws IOException;

    @Override
    public Iterator<T> iterator() {
        if (iterated) throw new IllegalStateException("an event stream can be read only once");
        iterated = true;
        return new Iterator<>() {
            private T next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) return true;
                if (done) return false;
                if (closed) {
                    done = true;
                    return false;
                }
                try {
                    next = read();
                } catch (IOException e) {
                    if (closed) {
                        done = true;
                        return false;
                    }
                    close();
                    throw new ApiConnectionException("the stream broke: " + e.getMessage(), e);
                } catch (UncheckedIOException e) {
                    close();
                    throw new ApiConnectionException("the stream broke: " + e.getMessage(), e);
                }
                if (next == null) {
                    done = true;
                    close();
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) throw new NoSuchElementException();
                var t = next;
                next = null;
                return t;
            }
        };
    }

    private T read() throws IOException {
        synchronized (lock) {
            reader = Thread.currentThread();
        }
        try {
            return readEvent(lines);
        } finally {
            synchronized (lock) {
                reader = null;
                // a close from another thread interrupted this one to wake it: that interrupt was ours
                if (closed) Thread.interrupted();
            }
        }
    }

    @Override
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(this::close);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            if (reader != null && reader != Thread.currentThread()) reader.interrupt();
        }
        try {
            body.close();
        } catch (IOException e) {
            // closing abandons the exchange either way
        }
    }
}
