package io.porthole.server;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.porthole.api.ErrorCode;
import io.porthole.core.browser.BrowserEngine;
import io.porthole.core.internal.Threads;
import io.porthole.core.sandbox.SandboxRuntime;
import io.porthole.core.store.NodeRecord;
import io.porthole.core.store.Store;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The probes, without a key, and saying nothing private (no path, no host, no exception text):
 *
 * <table>
 *   <caption>routes</caption>
 *   <tr><td>{@code GET /health}</td><td>200 {@code {"status":"ok"}} whenever the HTTP loop answers: liveness. It asks
 *   nothing of the store, so a database outage never has the kubelet restart a node.</td></tr>
 *   <tr><td>{@code GET /ready}</td><td>200 when this node should get clients, 503 otherwise, with each check and
 *   its status: {@code store} (a primary-key read answered within {@link #STORE_TIMEOUT}), {@code runtime} (the
 *   sandbox runtime's programs and cgroups found at start still there), {@code browsers} (each engine's binary
 *   still executable), {@code node} (started, not draining).</td></tr>
 * </table>
 *
 * <p>A store that hangs makes {@code /ready} answer 503 after {@link #STORE_TIMEOUT}, not hang the probe: the read
 * runs on a thread of its own, at most one at a time (a hung database holds one connection, not one per probe).
 * A store result is reused for {@link #STORE_FRESH}, the others for {@link #LOCAL_FRESH}. A check that changes
 * state is logged once. Thread-safe.
 */
final class HealthRoutes {
    private static final System.Logger LOG = System.getLogger(HealthRoutes.class.getName());
    /** How long /ready waits for the store: well inside a probe's timeout (seconds). */
    static final Duration STORE_TIMEOUT = Duration.ofMillis(800);
    static final Duration STORE_FRESH = Duration.ofSeconds(1);
    static final Duration LOCAL_FRESH = Duration.ofSeconds(5);

    /** One check's outcome; {@code detail} is safe to show anyone. */
    record Check(boolean ok, String detail) {
        static final Check OK = new Check(true, "");

        Map<String, Object> view() {
            var m = new LinkedHashMap<String, Object>();
            m.put("status", ok ? "ok" : "failing");
            if (!detail.isEmpty()) m.put("message", detail);
            return m;
        }
    }

    private final Supplier<Cluster> cluster;
    private final Store store;
    private final SandboxRuntime runtime;
    private final List<BrowserEngine> engines;
    private final Clock clock;
    private final Object lock = new Object();
    // guarded by lock
    private CompletableFuture<Check> storeRead;
    private Instant storeReadAt = Instant.EPOCH;
    private Check storeLast;
    private Instant storeLastAt = Instant.EPOCH;
    private Check runtimeLast;
    private Check browsersLast;
    private Instant localAt = Instant.EPOCH;
    private final Map<String, Boolean> logged = new LinkedHashMap<>();

    HealthRoutes(Supplier<Cluster> cluster, Store store, SandboxRuntime runtime, List<BrowserEngine> engines,
                 Clock clock) {
        this.cluster = cluster;
        this.store = store;
        this.runtime = runtime;
        this.engines = List.copyOf(engines);
        this.clock = clock;
    }

    void register(HttpRouting.Builder r) {
        r.route(Http.get("/health", (req, res) -> Http.ok(res, Map.of("status", "ok"))))
                .route(Http.get("/ready", this::ready));
    }

    private void ready(ServerRequest req, ServerResponse res) {
        var c = cluster.get();
        var checks = new LinkedHashMap<String, Check>();
        checks.put("node", node(c));
        checks.put("store", c == null ? new Check(false, "not yet asked") : store(c.nodeId()));
        synchronized (lock) {
            var now = clock.instant();
            if (runtimeLast == null || !now.isBefore(localAt.plus(LOCAL_FRESH))) {
                runtimeLast = runtime();
                browsersLast = browsers();
                localAt = now;
            }
            checks.put("runtime", runtimeLast);
            checks.put("browsers", browsersLast);
        }
        checks.forEach(this::logChange);
        var failing = checks.entrySet().stream().filter(e -> !e.getValue().ok()).map(Map.Entry::getKey).toList();
        var body = new LinkedHashMap<String, Object>();
        if (failing.isEmpty()) {
            body.put("status", "ready");
        } else {
            // the error shape every 503 has, with the checks beside it
            body.put("status", "unavailable");
            body.put("code", ErrorCode.UNAVAILABLE.wireName());
            body.put("message", "not ready: " + String.join(", ", failing));
        }
        if (c != null) body.put("node", c.nodeId());
        var view = new LinkedHashMap<String, Object>();
        checks.forEach((name, check) -> view.put(name, check.view()));
        body.put("checks", view);
        Http.send(res, failing.isEmpty() ? 200 : ErrorCode.UNAVAILABLE.httpStatus(), body);
    }

    private static Check node(Cluster c) {
        if (c == null) return new Check(false, "starting");
        var state = c.registry().self().state();
        return state.equals(NodeRecord.UP) ? Check.OK : new Check(false, "this node is " + state);
    }

    /** The store's answer to a read of this node's record, waited for at most {@link #STORE_TIMEOUT} in all. */
    private Check store(String nodeId) {
        CompletableFuture<Check> read;
        Instant startedAt;
        synchronized (lock) {
            var now = clock.instant();
            if (storeLast != null && now.isBefore(storeLastAt.plus(STORE_FRESH))) return storeLast;
            if (storeRead == null || storeRead.isDone()) {
                var started = new CompletableFuture<Check>();
                Threads.startVirtual("porthole-ready-store", () -> {
                    try {
                        store.findNode(nodeId);
                        started.complete(Check.OK);
                    } catch (RuntimeException e) {
                        started.complete(new Check(false, "the store failed (" + e.getClass().getSimpleName() + ")"));
                    }
                });
                storeRead = started;
                storeReadAt = now;
            }
            read = storeRead;
            startedAt = storeReadAt;
        }
        Check check;
        long waited = Duration.between(startedAt, clock.instant()).toMillis();
        try {
            check = read.get(Math.max(0, STORE_TIMEOUT.toMillis() - waited), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            check = new Check(false, "the store has not answered for "
                    + Duration.between(startedAt, clock.instant()).toMillis() + " ms");
        } catch (ExecutionException e) {
            check = new Check(false, "the store failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(false, "interrupted");
        }
        synchronized (lock) {
            storeLast = check;
            storeLastAt = clock.instant();
        }
        return check;
    }

    private Check runtime() {
        try {
            var problems = runtime.problems();
            return problems.isEmpty() ? Check.OK : new Check(false, String.join("; ", problems));
        } catch (RuntimeException e) {
            return new Check(false, "the sandbox runtime could not be asked (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Check browsers() {
        var gone = new ArrayList<String>();
        for (var engine : engines) {
            engine.binary().filter(b -> !Files.isExecutable(b)).ifPresent(b -> gone.add(engine.name()));
        }
        return gone.isEmpty() ? Check.OK : new Check(false, "no longer executable: " + String.join(", ", gone));
    }

    /** Says in the log when a check starts or stops failing, once each time. */
    private void logChange(String name, Check check) {
        Boolean before;
        synchronized (lock) {
            before = logged.put(name, check.ok());
        }
        if (before == null && check.ok() || before != null && before == check.ok()) return;
        if (check.ok()) LOG.log(System.Logger.Level.INFO, "ready: {0} is ok again", name);
        else LOG.log(System.Logger.Level.WARNING, "not ready: {0}: {1}", name, check.detail());
    }
}
