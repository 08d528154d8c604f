package io.porthole.server;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.porthole.core.internal.Threads;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every connection in step with its requests; a filter in front of every route. Helidon 4.5 goes on
 * reading a connection after answering a request that asked to close it, and there takes the part of a body
 * no route read (a route that answers 401, 404 or 413 before reading) for the next request: behind a reverse
 * proxy, that is request smuggling. So, after every answer:
 *
 * <ul>
 *   <li>what is left of a body the route did not read to its end is read and dropped, up to
 *       {@link #DRAIN_BYTES} and for at most {@link #DRAIN_TIME}; a body that does not end within that closes
 *       the connection;</li>
 *   <li>a connection whose request or answer said {@code Connection: close} is closed, for real.</li>
 * </ul>
 *
 * An answer says {@code Connection: close} whenever the close is known before it goes out: a body declared
 * longer than can be drained, or one the client holds back until it hears {@code 100 Continue}. Thread-safe.
 */
final class ConnectionGuard implements Filter, AutoCloseable {
    /**
     * The most of an unread body read and dropped. Not small: a client that uploads a body too large for its
     * route (or with a wrong key) sees the 4xx only if its upload is taken to the end; closing with the rest
     * unread resets the connection, and the answer is often lost with it (one in twenty times for Java's
     * HttpClient posting 2 MiB). The bytes are dropped as they come, so the real cost is {@link #DRAIN_TIME}.
     */
    static final int DRAIN_BYTES = 16 << 20;
    /** The longest the rest of a body nobody reads may take to arrive before its connection is closed. */
    static final Duration DRAIN_TIME = Duration.ofSeconds(2);

    private final ScheduledExecutorService timer = Threads.scheduler("porthole-body-drain");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.beforeSend(() -> {
            if (closeRequested(req) || cannotDrain(req)) res.header(HeaderValues.CONNECTION_CLOSE);
        });
        chain.proceed();
        if (closeRequested(req) || res.headers().containsToken(HeaderValues.CONNECTION_CLOSE) || !drained(req)) {
            // the answer is out; Helidon closes the socket and reads nothing more from it
            throw new CloseConnectionException("the connection is closed after this answer");
        }
    }

    private static boolean closeRequested(ServerRequest req) {
        return req.headers().containsToken(HeaderValues.CONNECTION_CLOSE);
    }

    private static boolean unread(ServerRequest req) {
        return req.content().hasEntity() && !req.content().consumed();
    }

    /**
     * Whether what is left of the body, if any, is known before reading it to be more than may be drained, or
     * its end cannot be found.
     */
    private static boolean cannotDrain(ServerRequest req) {
        if (!unread(req)) return false;
        var read = req.context().get(Http.BodyStream.class);
        if (read.isPresent() && read.get().broken()) return true;
        // reading now would send a late "100 Continue", and the client may or may not send the body after all
        if (req.headers().containsToken(HeaderValues.EXPECT_100) && !req.continueSent()) return true;
        var left = left(req);
        return left.isPresent() && left.getAsLong() > DRAIN_BYTES;
    }

    /** Bytes of the body not read yet, if it has a length (a chunked one has none). */
    private static OptionalLong left(ServerRequest req) {
        var length = req.headers().contentLength();
        if (length.isEmpty()) return OptionalLong.empty();
        long read = req.context().get(Http.BodyStream.class).map(Http.BodyStream::bytesRead).orElse(0L);
        return OptionalLong.of(length.getAsLong() - read);
    }

    /** Reads what is left of the body, within the bounds; true if it ended (or had been read already). */
    private boolean drained(ServerRequest req) {
        if (!unread(req)) return true;
        if (cannotDrain(req)) return false;
        var buffer = new byte[64 * 1024];
        long dropped = 0;
        try (var ignored = new Deadline(DRAIN_TIME)) {
            var body = Http.entity(req);
            while (dropped <= DRAIN_BYTES) {
                int n = body.read(buffer, 0, (int) Math.min(buffer.length, DRAIN_BYTES + 1 - dropped));
                if (n < 0) return true;
                dropped += n;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            // broken framing, the client gone, or the deadline closed the socket: nothing more to read here
            return false;
        }
    }

    /**
     * Interrupts the current thread if it is still inside the block after {@code after}: a virtual thread
     * interrupted in a socket read has its socket closed, which ends the connection, as wanted. An interrupt
     * never outlives the block.
     */
    private final class Deadline implements AutoCloseable {
        private final Thread thread = Thread.currentThread();
        private final ScheduledFuture<?> task;
        private boolean done;
        private boolean fired;

        Deadline(Duration after) {
            task = timer.schedule(this::fire, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        private synchronized void fire() {
            if (done) return;
            fired = true;
            thread.interrupt();
        }

        @Override
        public void close() {
            task.cancel(false);
            boolean interrupted;
            synchronized (this) {
                done = true;
                interrupted = fired;
            }
            if (interrupted) Thread.interrupted();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
