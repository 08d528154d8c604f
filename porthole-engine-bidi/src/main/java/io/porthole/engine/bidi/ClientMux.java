package io.porthole.engine.bidi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.porthole.core.browser.ProtocolClient;
import io.porthole.core.internal.Threads;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Many BiDi clients over the driver's one connection and one session: Firefox allows a single WebDriver session
 * per browser ("Maximum number of active sessions"), so each client gets the illusion of its own. Command ids are
 * rewritten to ids of the shared connection and back; a client's {@code session.new} is answered here with the
 * real session's capabilities; {@code session.subscribe} goes to Firefox and is remembered per client, and events
 * reach only the clients whose subscriptions cover them (by name or module, top-level context and user context);
 * {@code session.end} and {@code browser.close} end the client, never the shared session or the browser.
 * Chrome-scope access ({@code moz:scope}, the browser window's contexts) is refused. Thread-safe.
 */
final class ClientMux {
    private static final System.Logger LOG = System.getLogger(ClientMux.class.getName());

    /** What the mux needs to know of the browser's contexts to filter events. */
    interface Contexts {
        /** The top-level context of {@code context}, or itself if unknown. */
        String topLevel(String context);

        /** The user context of a top-level context, if known. */
        Optional<String> userContext(String topLevel);

        /** Whether a client may not name this id (a chrome context). */
        boolean forbidden(String id);
    }

    private final BidiConnection bidi;
    private final ObjectNode session;
    private final Contexts contexts;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();

    ClientMux(BidiConnection bidi, JsonNode sessionNewResult, Contexts contexts) {
        this.bidi = bidi;
        this.session = sessionNewResult.deepCopy();
        this.contexts = contexts;
        bidi.tapEvents(this::route);
        bidi.closedFuture().thenRun(() -> List.copyOf(clients).forEach(Client::browserGone));
    }

    ProtocolClient connect(Consumer<String> onMessage, Runnable onClosed) {
        var client = new Client(onMessage, onClosed);
        clients.add(client);
        if (!bidi.isOpen()) client.browserGone();
        return client;
    }

    boolean hasClients() {
        return !clients.isEmpty();
    }

    void closeAll() {
        List.copyOf(clients).forEach(Client::close);
    }

    private void route(BidiConnection.Event event) {
        if (clients.isEmpty()) return;
        var context = eventContext(event.params());
        for (var client : clients) {
            if (client.wants(event.method(), context)) client.deliver(event.raw());
        }
    }

    private static Optional<String> eventContext(JsonNode params) {
        var context = params.path("context");
        if (context.isTextual()) return Optional.of(context.asText());
        var source = params.path("source").path("context");
        if (source.isTextual()) return Optional.of(source.asText());
        return Optional.empty();
    }

    private static String module(String method) {
        int dot = method.indexOf('.');
        return dot < 0 ? method : method.substring(0, dot);
    }

    /** One client subscription, as Firefox knows it (remote id) and as we filter with it. */
    private static final class Subscription {
        final String remoteId;
        final Set<String> events = ConcurrentHashMap.newKeySet();
        final Set<String> excluded = ConcurrentHashMap.newKeySet();
        final Set<String> topLevels;
        final Set<String> userContexts;

        Subscription(String remoteId, Set<String> events, Set<String> topLevels, Set<String> userContexts) {
            this.remoteId = remoteId;
            this.events.addAll(events);
            this.topLevels = topLevels;
            this.userContexts = userContexts;
        }

        boolean covers(String method) {
            var module = module(method);
            return (events.contains(method) || events.contains(module))
                    && !excluded.contains(method) && !excluded.contains(module);
        }
    }

    /**
     * Characters of messages a client may have waiting before it is closed as too slow: Firefox's one connection
     * is shared, so a client that does not read cannot be allowed to hold it back, nor to make the server hold its
     * messages without bound (a screenshot answer is a few MiB).
     */
    static long maxQueuedChars = 64L << 20;

    private final class Client implements ProtocolClient {
        private final Consumer<String> onMessage;
        private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
        private final Runnable onClosed;
        private final ExecutorService out = Executors.newSingleThreadExecutor(Threads.virtualFactory("bidi-client"));
        private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean reported = new AtomicBoolean();

        Client(Consumer<String> onMessage, Runnable onClosed) {
            this.onMessage = onMessage;
            this.onClosed = onClosed;
        }

        boolean wants(String method, Optional<String> context) {
            if (closed.get()) return false;
            for (var s : subscriptions.values()) {
                if (!s.covers(method)) continue;
                if (context.isEmpty() || (s.topLevels.isEmpty() && s.userContexts.isEmpty())) return true;
                var top = contexts.topLevel(context.get());
                if (!s.topLevels.isEmpty() && s.topLevels.contains(top)) return true;
                if (!s.userContexts.isEmpty() && contexts.userContext(top).map(s.userContexts::contains).orElse(false)) {
                    return true;
                }
            }
            return false;
        }

        void deliver(String message) {
            if (closed.get()) return;
            if (queued.addAndGet(message.length()) > maxQueuedChars) {
                LOG.log(System.Logger.Level.INFO, "a BiDi client fell more than {0} characters behind; closing it",
                        maxQueuedChars);
                close();
                report();
                return;
            }
            try {
                out.execute(() -> {
                    try {
                        onMessage.accept(message);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "a BiDi client's sink failed: {0}", e.toString());
                    } finally {
                        queued.addAndGet(-message.length());
                    }
                });
            } catch (RejectedExecutionException ignored) {
                // closed meanwhile
            }
        }

        private void answer(JsonNode id, JsonNode result) {
            var message = BidiConnection.JSON.createObjectNode().put("type", "success");
            message.set("id", id);
            message.set("result", result);
            deliver(message.toString());
        }

        private void error(JsonNode id, String error, String text) {
            var message = BidiConnection.JSON.createObjectNode().put("type", "error");
            message.set("id", id == null ? BidiConnection.JSON.nullNode() : id);
            message.put("error", error).put("message", text);
            deliver(message.toString());
        }

        @Override
        public void send(String message) {
            if (closed.get()) return;
            JsonNode node;
            try {
                node = BidiConnection.JSON.readTree(message);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                error(null, "invalid argument", "not a JSON object: " + e.getOriginalMessage());
                return;
            }
            if (!(node instanceof ObjectNode command) || !command.path("id").canConvertToLong()
                    || command.path("id").asLong() < 0 || !command.path("method").isTextual()) {
                error(node == null ? null : node.get("id"), "invalid argument",
                        "a command needs a non-negative integer id and a method");
                return;
            }
            var id = command.get("id");
            var method = command.get("method").asText();
            if (!command.path("params").isObject()) command.set("params", BidiConnection.params());
            var params = (ObjectNode) command.get("params");
            if (refused(message)) {
                error(id, "unsupported operation", "the browser's own (chrome) contexts are not available to clients");
                return;
            }
            switch (method) {
                case "session.new" -> answer(id, session);
                case "session.end", "browser.close" -> {
                    // the session and the browser are shared: ending them ends this client only
                    answer(id, BidiConnection.params());
                    end();
                }
                case "session.subscribe" -> subscribe(id, command, params);
                case "session.unsubscribe" -> unsubscribe(id, command, params);
                default -> forward(id, command, answer -> deliver(answer.toString()));
            }
        }

        private boolean refused(String message) {
            if (message.contains("moz:scope")) return true;
            // chrome context ids are UUIDs: look for any quoted string that is one
            var m = java.util.regex.Pattern.compile("\"([0-9a-fA-F-]{36})\"").matcher(message);
            while (m.find()) {
                if (contexts.forbidden(m.group(1))) return true;
            }
            return false;
        }

        /** Sends {@code command} under a fresh id; {@code then} gets the answer with the client's id back in it. */
        private void forward(JsonNode clientId, ObjectNode command, Consumer<ObjectNode> then) {
            long id = bidi.nextId();
            var copy = command.deepCopy();
            copy.put("id", id);
            bidi.sendRaw(id, copy, answer -> {
                if (closed.get()) return;
                answer.set("id", clientId);
                then.accept(answer);
            });
        }

        private void subscribe(JsonNode clientId, ObjectNode command, ObjectNode params) {
            var events = strings(params.path("events"));
            var tops = new HashSet<String>();
            for (var c : strings(params.path("contexts"))) tops.add(contexts.topLevel(c));
            var userContexts = strings(params.path("userContexts"));
            forward(clientId, command, answer -> {
                if ("success".equals(answer.path("type").asText())) {
                    var remote = answer.path("result").path("subscription").asText(null);
                    var key = remote != null ? remote : java.util.UUID.randomUUID().toString();
                    subscriptions.put(key, new Subscription(remote, events, tops, userContexts));
                }
                deliver(answer.toString());
            });
        }

        private void unsubscribe(JsonNode clientId, ObjectNode command, ObjectNode params) {
            if (params.has("subscriptions")) {
                var ids = strings(params.path("subscriptions"));
                for (var s : ids) {
                    if (!subscriptions.containsKey(s)) {
                        error(clientId, "invalid argument", "no such subscription: " + s);
                        return;
                    }
                }
                forward(clientId, command, answer -> {
                    if ("success".equals(answer.path("type").asText())) ids.forEach(subscriptions::remove);
                    deliver(answer.toString());
                });
                return;
            }
            // by event names (the older form): narrow this client's own subscriptions, never another's
            var names = strings(params.path("events"));
            boolean any = false;
            for (var entry : subscriptions.entrySet()) {
                var s = entry.getValue();
                for (var name : names) {
                    if (s.events.remove(name)) {
                        any = true;
                    } else if (s.covers(name) || (!name.contains(".") && s.events.stream().anyMatch(e -> module(e).equals(name)))) {
                        s.events.removeIf(e -> module(e).equals(name));
                        s.excluded.add(name);
                        any = true;
                    }
                }
                if (s.events.isEmpty()) {
                    subscriptions.remove(entry.getKey());
                    unsubscribeRemote(s);
                }
            }
            if (any) answer(clientId, BidiConnection.params());
            else error(clientId, "invalid argument", "no subscription of this client covers " + names);
        }

        private void unsubscribeRemote(Subscription s) {
            if (s.remoteId == null || !bidi.isOpen()) return;
            var params = BidiConnection.params();
            params.putArray("subscriptions").add(s.remoteId);
            bidi.send("session.unsubscribe", params);
        }

        private static Set<String> strings(JsonNode array) {
            var out = new HashSet<String>();
            if (array instanceof ArrayNode a) a.forEach(n -> {
                if (n.isTextual()) out.add(n.asText());
            });
            return out;
        }

        /** The client ended its session: answer delivered first, then its side is closed. */
        private void end() {
            dropSubscriptions();
            try {
                out.execute(this::report);
            } catch (RejectedExecutionException ignored) {
                report();
            }
            closed.set(true);
            clients.remove(this);
            out.shutdown();
        }

        private void report() {
            if (reported.compareAndSet(false, true)) onClosed.run();
        }

        private void dropSubscriptions() {
            var all = List.copyOf(subscriptions.values());
            subscriptions.clear();
            all.forEach(this::unsubscribeRemote);
        }

        void browserGone() {
            closed.set(true);
            clients.remove(this);
            out.shutdown();
            report();
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            clients.remove(this);
            dropSubscriptions();
            out.shutdownNow();
        }
    }
}
