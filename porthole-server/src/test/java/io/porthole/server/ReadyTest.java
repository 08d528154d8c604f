package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.store.jdbc.PostgresOptions;
import io.porthole.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The probes: {@code /ready} lists its checks and is 200 while the store answers, 503 (soon, not after the probe's
 * timeout) while the database hangs, 200 again once it answers, and 503 while the node drains; {@code /health} is
 * 200 throughout, as it asks nothing of the store. The database is a PostgreSQL server of this test's own, frozen
 * with SIGSTOP (connections open, nothing answers: a hung database, the case a timeout must cover).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadyTest {
    private static PostgresServer postgres;
    private static TestServer server;

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start(false);
        var options = PostgresOptions.of(postgres.url("postgres"), postgres.user(), postgres.password());
        server = new TestServer(c -> c.toBuilder().database(Optional.of(options)).build());
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) server.close();
        } finally {
            postgres.close();
        }
    }

    private static TestServer.Response probe(String path) {
        // no key: probes have none
        return server.request("GET", path, null, Map.of());
    }

    @Test
    @Order(1)
    void readyListsEveryCheckWhileTheStoreAnswersAndIs503WhileTheDatabaseHangs() {
        var ready = probe("/ready");
        assertEquals(200, ready.status(), ready.body());
        assertEquals("ready", ready.json().path("status").asText(), ready.body());
        for (var check : List.of("node", "store", "runtime", "browsers")) {
            assertEquals("ok", ready.json().path("checks").path(check).path("status").asText(), check + ": " + ready.body());
        }
        assertFalse(ready.body().contains(server.dataDir.toString()), "no data directory: " + ready.body());
        postgres.pause();
        try {
            // the store result of the last answer is reused for a second: the first 503 comes within a few probes
            var notReady = awaitReady(503, Duration.ofSeconds(30));
            assertEquals("failing", notReady.path("checks").path("store").path("status").asText(), notReady.toString());
            assertEquals("unavailable", notReady.path("code").asText(), notReady.toString());
            assertTrue(notReady.path("message").asText().contains("store"), notReady.toString());
            assertEquals("ok", notReady.path("checks").path("node").path("status").asText(), notReady.toString());
            // a second probe while the first read still hangs answers too (it does not start another read)
            var again = probe("/ready");
            assertEquals(503, again.status(), again.body());
            var health = probe("/health");
            assertEquals(200, health.status(), health.body());
            assertEquals("ok", health.json().path("status").asText());
        } finally {
            postgres.resume();
        }
        awaitReady(200, Duration.ofSeconds(90));
    }

    @Test
    @Order(2)
    void drainingIsNotReadyButAlive() {
        // last: a drained node stays drained
        awaitReady(200, Duration.ofSeconds(90));
        server.server.drain();
        var notReady = awaitReady(503, Duration.ofSeconds(30));
        assertEquals("failing", notReady.path("checks").path("node").path("status").asText(), notReady.toString());
        // with no computer to wait for, the drain is over at once: the node has left
        assertTrue(notReady.path("checks").path("node").path("message").asText().matches("this node is (draining|left)"),
                notReady.toString());
        assertEquals(200, probe("/health").status());
    }

    /** The body of the first /ready answer with {@code status}, asked again until {@code within} has passed. */
    private static JsonNode awaitReady(int status, Duration within) {
        var last = new java.util.concurrent.atomic.AtomicReference<TestServer.Response>();
        Await.until("/ready answering " + status, within.toMillis(), () -> {
            last.set(probe("/ready"));
            return last.get().status() == status;
        });
        return last.get().json();
    }
}
