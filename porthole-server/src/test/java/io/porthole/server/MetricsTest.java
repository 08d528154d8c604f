package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics}: after real work on a real server (one browser computer: actions, one that fails with an
 * error code, commands, egress allowed and refused, a delete), the scrape parses as the Prometheus text format and
 * its counters moved by exactly what was done; who may read it (admin key, metrics token, public, off).
 */
class MetricsTest {
    private static final String TOKEN = "metrics-token-0123456789abcdef";
    private static TestServer t;

    @BeforeAll
    static void server() {
        t = new TestServer(c -> c.toBuilder()
                .metrics(new ServerConfig.MetricsConfig(ServerConfig.MetricsConfig.Access.KEY, Optional.of(TOKEN))).build());
    }

    @AfterAll
    static void stop() {
        if (t != null) t.close();
    }

    private static PrometheusText scrape() {
        var r = t.call("GET", "/metrics", null, TOKEN);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("text/plain; version=0.0.4"), r.header("Content-Type"));
        return PrometheusText.parse(r.body());
    }

    private static String sh(String id, String command) {
        var r = t.post("/computers/" + id + "/exec/sync",
                TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", 60).toString());
        assertEquals(200, r.status(), r.body());
        return r.json().path("stdout").asText();
    }

    @Test
    void theCountersMoveByExactlyWhatWasDone() throws Exception {
        var before = scrape();
        var id = t.createComputer("{}");
        var browser = Map.of("state", "running", "kind", "browser", "engine", "chromium");
        var during = scrape();
        assertEquals(1, during.value("porthole_computers", browser) - before.value("porthole_computers", browser),
                "one more running browser");
        assertEquals(1, during.value("porthole_computers_in_use", Map.of()) - before.value("porthole_computers_in_use", Map.of()));
        assertEquals(-1, during.value("porthole_computer_free_places", Map.of())
                - before.value("porthole_computer_free_places", Map.of()), "the computer holds a place");

        var ok = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("input.html") + "\"}");
        assertEquals("success", ok.path("status").asText(), ok.toString());
        var failed = t.post("/computers/" + id + "/execute", "{\"action\": {\"type\": \"switch_tab\", \"tab_id\": \"no-such-tab\"}}");
        assertEquals(200, failed.status(), failed.body());
        var code = failed.json().path("error_code").asText();
        assertFalse(code.isEmpty(), failed.body());

        // commands: one that fails, one through the egress proxy to an allowed page, one refused by it
        sh(id, "exit 3");
        var page = t.pages.url("input.html");
        assertEquals("200", sh(id, "curl -s -o /dev/null -m 20 -w '%{http_code}' '" + page + "'").trim());
        assertEquals("403", sh(id, "curl -s -o /dev/null -m 20 -w '%{http_code}' http://169.254.169.254/").trim());
        var pageBytes = t.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(page)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body().length;

        // a client of the computer's events is a stream client while it listens
        var events = Map.of("stream", "events");
        try (var stream = io.porthole.testing.SseClient.open(t.http, t.server.baseUrl() + "/computers/" + id + "/events",
                Map.of("Authorization", "Bearer " + TestServer.KEY))) {
            assertEquals(200, stream.status());
            assertEquals(before.value("porthole_stream_clients", events) + 1,
                    awaitValue("porthole_stream_clients", events, before.value("porthole_stream_clients", events) + 1));
        }

        t.delete(id);
        var after = scrape();
        assertEquals(before.value("porthole_stream_clients", events), after.value("porthole_stream_clients", events),
                "an ended computer has no stream clients");
        // ended computers leave the gauge (a delete answers once the computer has ended)
        assertEquals(before.value("porthole_computers", browser), after.value("porthole_computers", browser));
        assertEquals(before.value("porthole_computers_in_use", Map.of()), after.value("porthole_computers_in_use", Map.of()));

        var created = Map.of("kind", "browser", "engine", "chromium", "outcome", "ok", "source", "cold");
        assertEquals(1, delta(before, after, "porthole_computer_creates_total", created));
        assertEquals(1, delta(before, after, "porthole_computer_create_seconds_count",
                Map.of("kind", "browser", "engine", "chromium", "source", "cold")));
        assertEquals(1, delta(before, after, "porthole_actions_total", Map.of("action", "navigate", "outcome", "ok")));
        assertEquals(1, delta(before, after, "porthole_actions_total", Map.of("action", "switch_tab", "outcome", code)));
        assertEquals(2, sumDelta(before, after, "porthole_actions_total", Map.of()), "two actions in all");
        assertEquals(1, delta(before, after, "porthole_action_seconds_count", Map.of("action", "navigate")));
        assertEquals(1, delta(before, after, "porthole_action_seconds_count", Map.of("action", "switch_tab")));

        assertEquals(3, delta(before, after, "porthole_exec_started_total", Map.of()));
        assertEquals(2, delta(before, after, "porthole_exec_ended_total", Map.of("exit", "0")));
        assertEquals(1, delta(before, after, "porthole_exec_ended_total", Map.of("exit", "nonzero")));
        assertEquals(3, delta(before, after, "porthole_exec_seconds_count", Map.of()));

        assertEquals(1, delta(before, after, "porthole_egress_refusals_total", Map.of("reason", "private_address")));
        assertTrue(delta(before, after, "porthole_egress_bytes_total", Map.of("direction", "in")) >= pageBytes,
                "the page came in through the proxy");
        assertTrue(delta(before, after, "porthole_egress_bytes_total", Map.of("direction", "out")) > 0);

        // the store is timed at its seam: a cold create inserts one record
        assertEquals(1, delta(before, after, "porthole_store_operation_seconds_count",
                Map.of("operation", "insertComputer", "outcome", "ok")));

        assertEquals(1, after.value("porthole_node_info", Map.of("node_id", t.server.nodeId())));
        // nothing says which computer or tenant
        for (var s : after.samples()) {
            assertFalse(s.labels().containsValue(id), s.key());
            assertFalse(s.labels().keySet().stream().anyMatch(l -> l.contains("tenant") || l.contains("computer")), s.key());
        }
    }

    @Test
    void theJvmAndTheProcessAreReportedToo() {
        var m = scrape();
        for (var name : java.util.List.of("jvm_memory_used_bytes", "jvm_threads_current", "process_cpu_seconds_total",
                "process_open_fds", "porthole_computer_capacity", "porthole_node_draining")) {
            assertTrue(m.has(name), name);
        }
        assertEquals("histogram", m.types().get("porthole_store_operation_seconds"));
        assertEquals("counter", m.types().get("porthole_egress_bytes_total"));
        assertEquals(16, m.value("porthole_computer_capacity", Map.of()));
        assertEquals(0, m.value("porthole_node_draining", Map.of()));
        assertEquals(Runtime.version().feature() >= 24, m.has("porthole_jvm_virtual_threads"),
                "virtual threads are counted where the JDK says (24 and later)");
    }

    @Test
    void anAdminKeyOrTheMetricsTokenOpensMetricsAndTheTokenNothingElse() {
        assertEquals(401, t.call("GET", "/metrics", null, null).status());
        assertEquals(401, t.call("GET", "/metrics", null, "not-the-token-0123456789").status());
        var tenant = t.call("GET", "/metrics", null, t.keyB());
        assertEquals(403, tenant.status(), tenant.body());
        assertEquals("forbidden", tenant.json().path("code").asText());
        assertEquals(200, t.call("GET", "/metrics", null, TestServer.KEY).status());
        assertEquals(200, t.call("GET", "/metrics", null, TOKEN).status());
        var viaHeader = t.request("GET", "/metrics", null, Map.of("X-API-Key", TOKEN));
        assertEquals(200, viaHeader.status());
        // the token is not an API key
        assertEquals(401, t.call("GET", "/computers", null, TOKEN).status());
        assertEquals(401, t.call("GET", "/me", null, TOKEN).status());
        assertEquals(401, t.call("GET", "/admin/pool", null, TOKEN).status());
        // and no answer repeats it
        assertFalse(t.call("GET", "/computers", null, TOKEN).body().contains(TOKEN));
    }

    @Test
    void publicMetricsNeedNoKeyAndOffMetricsAreNotFound() throws Exception {
        var shape = new io.porthole.core.PoolShape("browser", "chromium", Optional.empty(), 1280, 720, 1.0);
        var open = new TestServer(c -> c.withComputers(c.computers().withPool(Map.of(shape, 1))).toBuilder()
                .metrics(new ServerConfig.MetricsConfig(ServerConfig.MetricsConfig.Access.PUBLIC, Optional.empty())).build());
        try {
            var r = open.call("GET", "/metrics", null, null);
            assertEquals(200, r.status(), r.body());
            PrometheusText.parse(r.body());
            assertEquals(401, open.call("GET", "/computers", null, null).status());
            // the warm pool's gauges, and a create it serves counted as such
            var ready = Map.of("shape", shape.label(), "state", "ready");
            assertEquals(1, awaitValue(open, "porthole_pool_computers", ready, 1));
            var before = PrometheusText.parse(open.call("GET", "/metrics", null, null).body());
            assertEquals(1, before.value("porthole_pool_target", Map.of("shape", shape.label())));
            var id = open.createComputer("{}");
            open.delete(id);
            var after = PrometheusText.parse(open.call("GET", "/metrics", null, null).body());
            assertEquals(1, delta(before, after, "porthole_computer_creates_total",
                    Map.of("kind", "browser", "engine", "chromium", "outcome", "ok", "source", "pool")));
            assertEquals(0, delta(before, after, "porthole_computer_creates_total",
                    Map.of("kind", "browser", "engine", "chromium", "outcome", "ok", "source", "cold")));
        } finally {
            open.close();
        }
        var off = new TestServer(c -> c.toBuilder().metrics(new ServerConfig.MetricsConfig(
                ServerConfig.MetricsConfig.Access.OFF, Optional.empty())).build());
        try {
            var r = off.call("GET", "/metrics", null, TestServer.KEY);
            assertEquals(404, r.status(), r.body());
            assertEquals("not_found", r.json().path("code").asText());
        } finally {
            off.close();
        }
    }

    @Test
    void theParserRefusesWhatPrometheusWould() {
        PrometheusText.parse("# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 2\n");
        for (var bad : java.util.List.of("a 1", "a{x=\"1\"} 1\na{x=\"1\"} 2\n", "1a 1\n", "a{x=1} 1\n", "a{x=\"1\" 1\n",
                "a one\n", "a 1\n# TYPE a counter\n", "a 1\nb 1\na 2\n", "a{x=\"\\q\"} 1\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n")) {
            assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(bad), bad);
        }
        assertNotEquals(0, PrometheusText.parse("a{x=\"q\\\"\\n\"} +Inf\n").value("a", Map.of("x", "q\"\n")));
    }

    /** Scrapes until {@code name} with {@code labels} is {@code want} (at most 60 s); returns the last value seen. */
    private static double awaitValue(String name, Map<String, String> labels, double want) throws InterruptedException {
        return awaitValue(t, name, labels, want);
    }

    private static double awaitValue(TestServer server, String name, Map<String, String> labels, double want)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        double v;
        while (true) {
            var r = server.call("GET", "/metrics", null, TestServer.KEY);
            assertEquals(200, r.status(), r.body());
            v = PrometheusText.parse(r.body()).value(name, labels);
            if (v == want || System.nanoTime() > deadline) return v;
            Thread.sleep(100);
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, Map<String, String> labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private static double sumDelta(PrometheusText before, PrometheusText after, String name, Map<String, String> match) {
        return after.sum(name, match) - before.sum(name, match);
    }
}
