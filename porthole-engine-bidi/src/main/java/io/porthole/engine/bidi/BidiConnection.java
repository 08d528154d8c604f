package io.porthole.engine.bidi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.core.internal.Threads;
import io.porthole.core.internal.WebSocketClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A small WebDriver BiDi client over one WebSocket: {@code send(method, params)} returns a future of the
 * result. Every command on the connection (the driver's and the relayed clients') takes its id from one
 * counter, so answers find their way back. Events go to listeners on one event thread, in order, so a listener
 * may block on {@code call} without stalling the reader. Thread-safe.
 */
final class BidiConnection implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(BidiConnection.class.getName());

    /** One event: its method and params, and the whole message as the browser sent it. */
    record Event(String method, JsonNode params, String raw) {}

    private final AtomicLong ids = new AtomicLong();
    /** Answer handlers by command id: the whole answer message ({@code type} success or error). */
    private final Map<Long, Consumer<ObjectNode>> pending = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    /** Called on the reader thread, in order with answers; must not block. */
    private final CopyOnWriteArrayList<Consumer<Event>> taps = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(Threads.virtualFactory("bidi-events"));
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final boolean log;
    private volatile WebSocketClient socket;

    private BidiConnection(boolean log) {
        this.log = log;
    }

    /** Does the WebSocket handshake on {@code channel} for {@code path} and starts reading. */
    static BidiConnection open(java.nio.channels.SocketChannel channel, String host, String path, boolean log)
            throws IOException {
        var connection = new BidiConnection(log);
        connection.socket = WebSocketClient.connect(channel, host, path, new WebSocketClient.Listener() {
            @Override
            public void onText(String message) {
                connection.receive(message);
            }

            @Override
            public void onClosed(String reason) {
                connection.closedBy(reason);
            }
        });
        return connection;
    }

    private void closedBy(String reason) {
        if (!closed.complete(reason)) return;
        var error = JSON.createObjectNode().put("type", "error").put("error", "closed")
                .put("message", "the browser connection is closed: " + reason);
        for (var id : pending.keySet()) {
            var handler = pending.remove(id);
            if (handler != null) handler.accept(error.deepCopy().put("id", id));
        }
        events.execute(() -> { }); // let queued events run, then stop
        events.shutdown();
    }

    void onEvent(Consumer<Event> listener) {
        listeners.add(listener);
    }

    /**
     * Adds a listener called on the reader thread, in the order events and answers arrive; it must hand the
     * event on without blocking.
     */
    void tapEvents(Consumer<Event> tap) {
        taps.add(tap);
    }

    CompletableFuture<String> closedFuture() {
        return closed;
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    /** A fresh command id. */
    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Sends {@code command} (which carries an {@code id} from {@link #nextId}); {@code onAnswer} gets the whole
     * answer, or an error of type {@code closed} if the connection ends first.
     */
    void sendRaw(long id, ObjectNode command, Consumer<ObjectNode> onAnswer) {
        pending.put(id, onAnswer);
        // registered first, then checked: a close that raced us either sees this handler or is seen here
        if (closed.isDone()) {
            var handler = pending.remove(id);
            if (handler != null) {
                handler.accept(JSON.createObjectNode().put("type", "error").put("id", id).put("error", "closed")
                        .put("message", "the browser connection is closed: " + closed.join()));
            }
            return;
        }
        var text = command.toString();
        if (log) LOG.log(System.Logger.Level.INFO, "bidi > {0}", abbreviate(text));
        try {
            socket.sendText(text);
        } catch (IOException e) {
            var handler = pending.remove(id);
            if (handler != null) {
                handler.accept(JSON.createObjectNode().put("type", "error").put("id", id).put("error", "closed")
                        .put("message", "could not send to the browser: " + e.getMessage()));
            }
        }
    }

    /** Forgets the handler of a command whose answer is no longer wanted. */
    void abandon(long id) {
        pending.remove(id);
    }

    CompletableFuture<JsonNode> send(String method, ObjectNode params) {
        long id = nextId();
        var command = JSON.createObjectNode().put("id", id).put("method", method);
        command.set("params", params == null ? JSON.createObjectNode() : params);
        var future = new CompletableFuture<JsonNode>();
        // a caller that gives up (a timeout cancels) wants no answer: its handler goes, a late answer is dropped
        future.whenComplete((result, failure) -> {
            if (future.isCancelled()) abandon(id);
        });
        sendRaw(id, command, answer -> {
            if ("success".equals(answer.path("type").asText())) {
                future.complete(answer.path("result"));
            } else {
                future.completeExceptionally(new BidiException(answer.path("error").asText("unknown error"),
                        answer.path("message").asText("")));
            }
        });
        future.whenComplete((r, e) -> {
            if (future.isCancelled()) abandon(id);
        });
        return future;
    }

    /** Sends and waits at most {@code timeout} for the result. */
    JsonNode call(String method, ObjectNode params, Duration timeout) {
        var future = send(method, params);
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new BidiException("timeout", method + " did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BidiException be) {
                throw new BidiException(be.error(), method + ": " + be.error()
                        + (be.getMessage().isEmpty() ? "" : " (" + be.getMessage() + ")"));
            }
            throw new BidiException("unknown error", method + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BidiException("interrupted", method + ": interrupted");
        }
    }

    static ObjectNode params() {
        return JSON.createObjectNode();
    }

    private void receive(String message) {
        if (log) LOG.log(System.Logger.Level.INFO, "bidi < {0}", abbreviate(message));
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            return; // not BiDi; ignore
        }
        if (!(node instanceof ObjectNode object)) return;
        var type = object.path("type").asText("");
        if (type.equals("event")) {
            var event = new Event(object.path("method").asText(""), object.path("params"), message);
            for (var tap : taps) {
                try {
                    tap.accept(event);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a BiDi event tap failed on " + event.method(), e);
                }
            }
            try {
                events.execute(() -> {
                    for (var l : listeners) {
                        try {
                            l.accept(event);
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.WARNING, "a BiDi event listener failed on " + event.method(), e);
                        }
                    }
                });
            } catch (RejectedExecutionException ignored) {
                // closed
            }
            return;
        }
        var id = object.get("id");
        if (id != null && id.canConvertToLong()) {
            var handler = pending.remove(id.asLong());
            if (handler != null) handler.accept(object);
        } else if (type.equals("error")) {
            LOG.log(System.Logger.Level.DEBUG, "BiDi error without a command id: {0}", abbreviate(message));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 2000 ? text.substring(0, 2000) + "…(" + text.length() + " chars)" : text;
    }

    @Override
    public void close() {
        var s = socket;
        if (s != null) s.close();
        closedBy("closed by Porthole");
    }
}
