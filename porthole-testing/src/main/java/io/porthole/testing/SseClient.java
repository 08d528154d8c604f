package io.porthole.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A server-sent-events client for tests and benchmarks: reads a stream on its own thread and hands out events
 * (and comments) as they arrive, each wait bounded. Parses the format as the WHATWG spec says: {@code id},
 * {@code event}, {@code data} (several lines joined by newlines), {@code :} comments, an event per blank line.
 */
public final class SseClient implements AutoCloseable {
    /** One event; {@code event} is "message" for a default event, {@code comment} set for a comment line. */
    public record Event(String id, String event, String data, String comment, long receivedNanos) {
        public boolean isComment() {
            return comment != null;
        }
    }

    private static final Event END = new Event(null, "__end__", null, null, 0);

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = Thread.ofPlatform().daemon(true).name("sse-client").start(this::read);
    }

    /** Opens {@code url} with {@code headers}; returns once the response's headers are in. */
    public static SseClient open(HttpClient http, String url, Map<String, String> headers) {
        var b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
        headers.forEach(b::header);
        try {
            var res = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream()).get(30, TimeUnit.SECONDS);
            return new SseClient(res);
        } catch (Exception e) {
            throw new IllegalStateException("could not open " + url + ": " + e, e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public Optional<String> header(String name) {
        return response.headers().firstValue(name);
    }

    private void read() {
        try (var in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
            String id = null;
            String event = null;
            var data = new ArrayList<String>();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty() || event != null) {
                        events.add(new Event(id, event == null ? "message" : event, String.join("\n", data), null,
                                System.nanoTime()));
                    }
                    event = null;
                    data.clear();
                    continue;
                }
                if (line.startsWith(":")) {
                    events.add(new Event(null, null, null, line.substring(1).trim(), System.nanoTime()));
                    continue;
                }
                int colon = line.indexOf(':');
                var field = colon < 0 ? line : line.substring(0, colon);
                var value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) value = value.substring(1);
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "data" -> data.add(value);
                    default -> { }
                }
            }
        } catch (IOException e) {
            // closed
        } finally {
            events.add(END);
        }
    }

    /**
     * The next event or comment within {@code timeout}.
     *
     * @return empty if none came in time
     * @throws IllegalStateException if the stream ended first
     */
    public Optional<Event> next(Duration timeout) {
        try {
            var e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == END) {
                events.add(END);
                throw new IllegalStateException("the stream ended");
            }
            return Optional.ofNullable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first event (not comment) matching {@code test} within {@code timeout}; fails the test otherwise. */
    public Event await(Predicate<Event> test, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        var seen = new ArrayList<String>();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("no matching event within " + timeout + "; saw " + tail(seen));
            Optional<Event> e;
            try {
                e = next(Duration.ofNanos(left));
            } catch (IllegalStateException ended) {
                throw new AssertionError("the stream ended before a matching event; saw " + tail(seen));
            }
            if (e.isEmpty()) continue;
            if (e.get().isComment()) continue;
            if (test.test(e.get())) return e.get();
            seen.add(e.get().event() + " " + abbreviate(e.get().data()));
        }
    }

    /** Whether the stream has ended (the server closed it) within {@code timeout}, skipping what comes first. */
    public boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (IllegalStateException ended) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static List<String> tail(List<String> seen) {
        return seen.size() > 10 ? seen.subList(seen.size() - 10, seen.size()) : seen;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            response.body().close();
        } catch (IOException ignored) {
            // closing anyway
        }
        reader.interrupt();
    }
}
