package io.porthole.sdk;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that answers from a script, one reply per request (the last reply repeats), and records
 * every request: for the SDK's retry rules, which a real server would not fail on purpose.
 */
final class StubServer implements AutoCloseable {
    /** One scripted answer; {@code delay} holds the headers back (for timeouts). */
    record Reply(int status, Map<String, String> headers, String body, Duration delay) {
        static Reply of(int status, String body) {
            return new Reply(status, Map.of(), body, Duration.ZERO);
        }

        Reply with(String header, String value) {
            var h = new java.util.HashMap<>(headers);
            h.put(header, value);
            return new Reply(status, Map.copyOf(h), body, delay);
        }

        Reply after(Duration d) {
            return new Reply(status, headers, body, d);
        }
    }

    /** A request as it arrived. */
    record Request(String method, String path, String retryCount, String authorization, String body, long atNanos) {
    }

    private final HttpServer server;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private Reply last = Reply.of(500, "{}");

    StubServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Reply reply;
                synchronized (this) {
                    requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                            exchange.getRequestHeaders().getFirst("X-Stainless-Retry-Count"),
                            exchange.getRequestHeaders().getFirst("Authorization"), body, System.nanoTime()));
                    if (!script.isEmpty()) last = script.poll();
                    reply = last;
                }
                if (!reply.delay().isZero()) {
                    try {
                        Thread.sleep(reply.delay().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                var bytes = reply.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) exchange.getResponseBody().write(bytes);
            } catch (IOException e) {
                // the client gave up (a timeout test): nothing to answer
            }
        });
        server.start();
    }

    synchronized StubServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Porthole client() {
        return Porthole.builder().baseUrl(url()).apiKey("stub-key").timeout(Duration.ofSeconds(30)).build();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
