package io.porthole.engine.cdp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.core.internal.Threads;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A small typed CDP client over one {@link CdpTransport}: {@code send(method, params, sessionId)} returns a
 * future of the result; events go to listeners on one event thread, in order, so a listener may block on
 * {@code call} without stalling the reader. Sessions are flat ({@code Target.attachToTarget flatten}).
 * Thread-safe.
 */
public final class CdpConnection implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(CdpConnection.class.getName());

    /** One CDP event. {@code sessionId} is empty for browser-level events. */
    public record Event(String method, JsonNode params, String sessionId) {}

    private final AtomicLong ids;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<java.util.function.Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService events = Executors.newSingleThreadExecutor(Threads.virtualFactory("cdp-events"));
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final CdpTransport transport;

    /** Connects through {@code open}, which is given the listener the transport must feed. */
    public CdpConnection(Function<CdpTransport.Listener, CdpTransport> open) {
        this(open, 0);
    }

    /**
     * @param firstId the id before the first command's: a connection that takes over a pipe an earlier run
     *     used starts far from its ids, so that a late answer to one of those is not taken for ours
     */
    public CdpConnection(Function<CdpTransport.Listener, CdpTransport> open, long firstId) {
        this.ids = new AtomicLong(firstId);
        this.transport = open.apply(new CdpTransport.Listener() {
            @Override
            public void onMessage(String message) {
                receive(message);
            }

            @Override
            public void onClose(String reason) {
                closed.complete(reason);
                var error = new CdpException(-1, "the browser connection is closed: " + reason);
                pending.values().forEach(f -> f.completeExceptionally(error));
                pending.clear();
                events.shutdown();
            }
        });
    }

    public void onEvent(java.util.function.Consumer<Event> listener) {
        listeners.add(listener);
    }

    /** Completes with the reason once the connection is closed. */
    public CompletableFuture<String> closedFuture() {
        return closed;
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    public CompletableFuture<JsonNode> send(String method, ObjectNode params, String sessionId) {
        long id = ids.incrementAndGet();
        var message = JSON.createObjectNode().put("id", id).put("method", method);
        if (params != null) message.set("params", params);
        if (sessionId != null && !sessionId.isEmpty()) message.put("sessionId", sessionId);
        var future = new CompletableFuture<JsonNode>();
        pending.put(id, future);
        // registered first, then checked: a close that raced us either sees this future or is seen here
        if (closed.isDone()) {
            pending.remove(id);
            future.completeExceptionally(new CdpException(-1, "the browser connection is closed: " + closed.join()));
            return future;
        }
        try {
            transport.send(message.toString());
        } catch (RuntimeException e) {
            pending.remove(id);
            future.completeExceptionally(e);
        }
        return future;
    }

    /** Sends and waits at most {@code timeout} for the result. */
    public JsonNode call(String method, ObjectNode params, String sessionId, Duration timeout) {
        return await(method, send(method, params, sessionId), timeout);
    }

    /** Waits at most {@code timeout} for the result of a command {@link #send} sent. */
    public JsonNode await(String method, CompletableFuture<JsonNode> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            abandon(future);
            throw new CdpException(-1, method + " did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CdpException ce) throw new CdpException(ce.code(), method + ": " + ce.getMessage());
            throw new CdpException(-1, method + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdpException(-1, method + ": interrupted");
        }
    }

    /**
     * Gives up on a command {@link #send} sent: it is no longer waited for, and an answer that comes late is
     * dropped. For the commands sent together with one that timed out, which nobody awaits any more.
     */
    public void abandon(CompletableFuture<JsonNode> future) {
        pending.values().remove(future);
        future.cancel(false);
    }

    /** Commands sent and not answered yet (for tests). */
    int pendingCount() {
        return pending.size();
    }

    public static ObjectNode params() {
        return JSON.createObjectNode();
    }

    private void receive(String message) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            return; // not CDP; ignore
        }
        var id = node.get("id");
        if (id != null && id.canConvertToLong()) {
            var future = pending.remove(id.asLong());
            if (future == null) return;
            var error = node.get("error");
            if (error != null) {
                future.completeExceptionally(new CdpException(error.path("code").asInt(-1),
                        error.path("message").asText("error") + (error.has("data") ? " (" + error.get("data").asText() + ")" : "")));
            } else {
                future.complete(node.path("result"));
            }
            return;
        }
        var method = node.path("method").asText(null);
        if (method == null) return;
        var event = new Event(method, node.path("params"), node.path("sessionId").asText(""));
        try {
            events.execute(() -> {
                for (var l : listeners) {
                    try {
                        l.accept(event);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a CDP event listener failed on " + event.method(), e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closing
        }
    }

    @Override
    public void close() {
        transport.close();
        events.shutdown();
    }
}
