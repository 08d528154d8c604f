package io.porthole.server;

import io.porthole.core.Census;
import io.porthole.core.Computers;
import io.porthole.core.PoolStats;
import io.porthole.core.Telemetry;
import io.porthole.core.store.Store;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * This node's metrics in the Prometheus text format (ADR 0033), and the {@link Telemetry} the core reports to. One
 * registry of its own per server (never the client library's global one), so two servers in one JVM (the tests) do
 * not mix their counts. Labels are bounded sets only: no computer id, no tenant. Thread-safe.
 *
 * <p>Metric names: {@code porthole_} and base units (seconds, bytes); counters end in {@code _total}.
 */
final class Metrics implements Telemetry {
    /** Create latency: a warm claim is tens of milliseconds, a cold Firefox or desktop several seconds. */
    private static final double[] CREATE_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};
    /** Action latency: a key press is a millisecond, a navigation or a wait seconds. */
    private static final double[] ACTION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    /** Command durations: from a quick {@code ls} to a build. */
    private static final double[] EXEC_BUCKETS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800};
    /** Store calls: SQLite in a page-cached file is tens of microseconds, PostgreSQL a network round trip. */
    private static final double[] STORE_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 1};
    private static final double NANOS = 1e9;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter creates;
    private final Histogram createSeconds;
    private final Counter actions;
    private final Histogram actionSeconds;
    private final Counter execStarted;
    private final Counter execEnded;
    private final Histogram execSeconds;
    private final Counter egressBytes;
    private final Counter egressRefusals;
    private final Histogram storeSeconds;

    Metrics() {
        creates = Counter.builder().name("porthole_computer_creates_total")
                .help("Creates that ended, by kind, engine, outcome (ok or the error code) and source (pool or cold)")
                .labelNames("kind", "engine", "outcome", "source").register(registry);
        createSeconds = Histogram.builder().name("porthole_computer_create_seconds")
                .help("How long creates took, from the request to the running computer (failed ones too)")
                .labelNames("kind", "engine", "source").classicOnly().classicUpperBounds(CREATE_BUCKETS).register(registry);
        actions = Counter.builder().name("porthole_actions_total")
                .help("Actions that ended, by action and outcome (ok or the error code)")
                .labelNames("action", "outcome").register(registry);
        actionSeconds = Histogram.builder().name("porthole_action_seconds")
                .help("How long actions took, from being queued to the answer")
                .labelNames("action").classicOnly().classicUpperBounds(ACTION_BUCKETS).register(registry);
        execStarted = Counter.builder().name("porthole_exec_started_total")
                .help("Commands started in computers").register(registry);
        execEnded = Counter.builder().name("porthole_exec_ended_total")
                .help("Commands that ended, by exit: 0, nonzero, timeout, output_too_large, interrupted, error")
                .labelNames("exit").register(registry);
        execSeconds = Histogram.builder().name("porthole_exec_seconds").help("How long commands ran")
                .classicOnly().classicUpperBounds(EXEC_BUCKETS).register(registry);
        egressBytes = Counter.builder().name("porthole_egress_bytes_total")
                .help("Bytes through the computers' egress proxies: out (sent by computers) and in (received)")
                .labelNames("direction").register(registry);
        egressRefusals = Counter.builder().name("porthole_egress_refusals_total")
                .help("Connections the egress proxies refused, by reason")
                .labelNames("reason").register(registry);
        storeSeconds = Histogram.builder().name("porthole_store_operation_seconds")
                .help("How long store operations took, by operation and outcome (ok or error)")
                .labelNames("operation", "outcome").classicOnly().classicUpperBounds(STORE_BUCKETS).register(registry);
        // the counters start at zero for what every scrape can expect, so that rate() sees the first one
        egressBytes.labelValues("out");
        egressBytes.labelValues("in");
        JvmMetrics.builder().register(registry);
        virtualThreads();
    }

    /**
     * The gauges read at each scrape from what this node knows: its computers, its warm pool, its streams. A node
     * of a cluster reports its own computers only; {@code porthole_node_info} names it.
     */
    void observe(Computers computers, Supplier<Boolean> draining) {
        var node = Info.builder().name("porthole_node_info").help("This node: its id, for telling nodes apart")
                .labelNames("node_id").register(registry);
        node.setLabelValues(computers.nodeId());
        GaugeWithCallback.builder().name("porthole_computers")
                .help("This node's live computers, by state (starting, running, paused, ending), kind and engine")
                .labelNames("state", "kind", "engine")
                .callback(cb -> computers.census().computers().forEach((k, n) -> cb.call(n, k.get(0), k.get(1), k.get(2))))
                .register(registry);
        GaugeWithCallback.builder().name("porthole_computers_standby")
                .help("Running computers in standby (frozen until something reaches into them)")
                .callback(cb -> cb.call(computers.census().standby())).register(registry);
        GaugeWithCallback.builder().name("porthole_computer_capacity")
                .help("How many computers this node runs at most (PORTHOLE_MAX_COMPUTERS)")
                .callback(cb -> cb.call(computers.capacityLimit())).register(registry);
        // what an autoscaler compares with the capacity (the Helm chart's HPA hint): tenants' computers, and the
        // places a create could still take here (the warm pool's ready computers count as free; none while draining)
        GaugeWithCallback.builder().name("porthole_computers_in_use")
                .help("Computers this node runs for tenants (the warm pool's not counted)")
                .callback(cb -> cb.call(computers.liveCount())).register(registry);
        GaugeWithCallback.builder().name("porthole_computer_free_places")
                .help("How many more computers a create could get on this node now (0 while draining)")
                .callback(cb -> cb.call(computers.freePlaces())).register(registry);
        GaugeWithCallback.builder().name("porthole_node_draining")
                .help("1 while this node drains (takes no new computers)")
                .callback(cb -> cb.call(draining.get() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("porthole_pool_computers")
                .help("The warm pool's computers by shape and state: ready (of which some in standby), warming (starting)")
                .labelNames("shape", "state")
                .callback(cb -> {
                    for (PoolStats s : computers.poolStats()) {
                        cb.call(s.ready(), s.shape(), "ready");
                        cb.call(s.starting(), s.shape(), "warming");
                        cb.call(s.standby(), s.shape(), "standby");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("porthole_pool_target")
                .help("How many computers of each shape the warm pool keeps ready (PORTHOLE_POOL)")
                .labelNames("shape")
                .callback(cb -> computers.poolStats().forEach(s -> cb.call(s.target(), s.shape()))).register(registry);
        GaugeWithCallback.builder().name("porthole_stream_clients")
                .help("Open streams and connections to computers: events (SSE), screencast viewers (live view,"
                        + " console), protocol (CDP and BiDi WebSocket passthrough), rpc (NDJSON)")
                .labelNames("stream")
                .callback(cb -> {
                    Census c = computers.census();
                    cb.call(c.eventSubscribers(), "events");
                    cb.call(c.screencastViewers(), "screencast");
                    cb.call(c.holds().getOrDefault("connection", 0), "protocol");
                    cb.call(c.holds().getOrDefault("rpc", 0), "rpc");
                }).register(registry);
    }

    /**
     * The JDK's virtual thread scheduler (JDK 24 and later, as a platform MBean): how many virtual threads are
     * mounted on a carrier and how many wait for one. Absent on older JDKs.
     */
    private void virtualThreads() {
        ObjectName name;
        try {
            name = new ObjectName("jdk.management:type=VirtualThreadScheduler");
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        var server = ManagementFactory.getPlatformMBeanServer();
        if (!server.isRegistered(name)) return;
        GaugeWithCallback.builder().name("porthole_jvm_virtual_threads")
                .help("Virtual threads: mounted on a carrier thread, or queued waiting for one")
                .labelNames("state")
                .callback(cb -> {
                    for (var a : List.of(new String[] {"MountedVirtualThreadCount", "mounted"},
                            new String[] {"QueuedVirtualThreadCount", "queued"})) {
                        try {
                            if (server.getAttribute(name, a[0]) instanceof Number n) cb.call(n.doubleValue(), a[1]);
                        } catch (javax.management.JMException | RuntimeException e) {
                            // not this JDK's: left out
                        }
                    }
                }).register(registry);
    }

    /** The metrics as the Prometheus text format (version 0.0.4). */
    byte[] scrape() {
        var out = new ByteArrayOutputStream(64 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    String contentType() {
        return writer.getContentType();
    }

    /** {@code store}, with every call timed by operation (the method's name). */
    Store timed(Store store) {
        InvocationHandler timing = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return method.invoke(store, args);
            long start = System.nanoTime();
            var outcome = "error";
            try {
                var r = method.invoke(store, args);
                outcome = OK;
                return r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                if (!method.getName().equals("close")) {
                    storeSeconds.labelValues(method.getName(), outcome).observe((System.nanoTime() - start) / NANOS);
                }
            }
        };
        return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, timing);
    }

    // --- Telemetry ---

    @Override
    public void created(String kind, String engine, String outcome, boolean pooled, long nanos) {
        var source = pooled ? "pool" : "cold";
        creates.labelValues(kind, engine, outcome, source).inc();
        createSeconds.labelValues(kind, engine, source).observe(nanos / NANOS);
    }

    @Override
    public void action(String action, String outcome, long nanos) {
        actions.labelValues(action, outcome).inc();
        actionSeconds.labelValues(action).observe(nanos / NANOS);
    }

    @Override
    public void execStarted() {
        execStarted.inc();
    }

    @Override
    public void execEnded(String exit, long nanos) {
        execEnded.labelValues(exit).inc();
        execSeconds.observe(nanos / NANOS);
    }

    @Override
    public void egressBytes(boolean outbound, long bytes) {
        egressBytes.labelValues(outbound ? "out" : "in").inc(bytes);
    }

    @Override
    public void egressRefused(String reason) {
        egressRefusals.labelValues(reason).inc();
    }
}
