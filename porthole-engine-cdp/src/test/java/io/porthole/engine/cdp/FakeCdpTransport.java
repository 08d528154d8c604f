package io.porthole.engine.cdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link CdpTransport} for tests: records what the connection sends, and feeds it frames (recorded CDP
 * messages from {@code src/test/resources/.../frames}) as if the browser had sent them. Frames are delivered
 * one at a time, from the thread that calls {@link #deliver}, as the transport contract asks.
 */
final class FakeCdpTransport implements CdpTransport {
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final BlockingQueue<JsonNode> outbox = new LinkedBlockingQueue<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final ReentrantLock delivering = new ReentrantLock();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private volatile Listener listener;
    private volatile boolean closed;
    private volatile RuntimeException sendFailure;
    private volatile Function<JsonNode, String> responder;

    /** The factory {@link CdpConnection} takes: keeps the listener and hands back this transport. */
    CdpTransport attach(Listener l) {
        this.listener = l;
        return this;
    }

    /** Answers every command as it is sent with what {@code r} returns for it (null: no answer). */
    void respondWith(Function<JsonNode, String> r) {
        this.responder = r;
    }

    /** Makes every following {@link #send} throw {@code e}, as a broken socket would. */
    void failSendsWith(RuntimeException e) {
        this.sendFailure = e;
    }

    @Override
    public void send(String message) {
        if (sendFailure != null) throw sendFailure;
        if (closed) throw new CdpException(-1, "fake transport is closed");
        sent.add(message);
        JsonNode node = parse(message);
        outbox.add(node);
        var r = responder;
        if (r != null) {
            var answer = r.apply(node);
            if (answer != null) deliver(answer);
        }
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
        closeBy("closed by Porthole");
    }

    /** The browser's side hangs up (a crash, a killed process). */
    void closeBy(String reason) {
        delivering.lock();
        try {
            if (closed) return;
            closed = true;
            listener.onClose(reason);
        } finally {
            delivering.unlock();
        }
    }

    /** Hands one frame to the connection, as if the browser had sent it (even after close, as a race would). */
    void deliver(String frame) {
        delivering.lock();
        try {
            listener.onMessage(frame);
        } finally {
            delivering.unlock();
        }
    }

    /** The next command the connection sent, waiting a bounded time for it. */
    JsonNode nextSent() {
        try {
            var node = outbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (node == null) fail("nothing was sent within " + WAIT);
            return node;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next command sent, which must be {@code method}. */
    JsonNode nextSent(String method) {
        var node = nextSent();
        assertEquals(method, node.path("method").asText(), () -> "unexpected command " + node);
        return node;
    }

    /** Every message sent so far, in order. */
    List<String> sent() {
        return List.copyOf(sent);
    }

    boolean isClosed() {
        return closed;
    }

    int closeCalls() {
        return closeCalls.get();
    }

    // --- recorded frames ---

    /** The text of a recorded frame file. */
    static String frame(String name) {
        try (InputStream in = FakeCdpTransport.class.getResourceAsStream("frames/" + name)) {
            if (in == null) throw new IllegalStateException("no recorded frame " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A recorded answer frame, re-addressed to the command with {@code id}. */
    static String answer(String name, long id) {
        var node = (ObjectNode) parse(frame(name));
        node.put("id", id);
        return node.toString();
    }

    /** The frames of a recorded session, one JSON message a line. */
    static List<String> frames(String name) {
        return frame(name).lines().filter(l -> !l.isBlank()).toList();
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
