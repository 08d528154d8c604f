package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.PoolShape;
import io.porthole.testing.Processes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm pool: a create it serves is a computer like a cold one (fresh profile, its tenant's only, its own way
 * out with the proxy it asked for, the size it asked for); two creates never get the same computer; claims racing
 * refills and deletes leave nothing behind; a restart sweeps what the pool had started.
 */
class PoolTest {
    private static final PoolShape DEFAULT = new PoolShape("browser", "chromium", Optional.empty(), 1280, 720, 1.0);
    private static TestServer t;

    @BeforeAll
    static void start() {
        t = new TestServer(c -> c.withComputers(c.computers().withPool(Map.of(DEFAULT, 2))));
    }

    @AfterAll
    static void stop() {
        if (t != null) t.close();
    }

    private static JsonNode pool(TestServer s) {
        var r = s.call("GET", "/admin/pool", null);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static void awaitReady(TestServer s, int n) {
        Await.until(n + " pooled computers to be ready", 90_000, () -> pool(s).path("ready").asInt() >= n);
    }

    private static boolean pooled(TestServer s, String id) {
        for (var e : s.call("GET", "/computers/" + id + "/replay-events?limit=50", null).json().path("items")) {
            if (e.path("type").asText().equals("created")) return e.path("data").path("pooled").asBoolean(false);
        }
        throw new AssertionError("no created event for " + id);
    }

    @Test
    void aCreateFromThePoolIsAFreshComputerOfItsTenantAndAPersistentOneIsSaved() {
        awaitReady(t, 2);
        long claims = pool(t).path("claims").asLong();
        var first = t.createComputer("{\"persistent\":true,\"max_lifetime_seconds\":900}");
        String second = null;
        String third = null;
        try {
            assertTrue(pooled(t, first), "served from the pool");
            assertEquals(claims + 1, pool(t).path("claims").asLong());
            var got = t.call("GET", "/computers/" + first, null).json();
            assertEquals(900, java.time.Duration.between(java.time.Instant.parse(got.path("created_at").asText()),
                    java.time.Instant.parse(got.path("expires_at").asText())).toSeconds(), got.toString());
            assertEquals(404, t.call("GET", "/computers/" + first, null, t.keyB()).status(), "not tenant B's");
            var shot = t.action(first, "screenshot", "{\"include_context\":true}");
            assertEquals(1280, shot.path("result").path("width").asInt(), shot.toString());
            assertEquals(720, shot.path("result").path("height").asInt(), shot.toString());
            var set = StatePage.read(t, first, "state.html", "?mode=set", null);
            assertEquals("l1", set.path("ls").asText(), set.toString());
            var saved = first;
            t.delete(first);
            first = null;

            second = t.createComputer("{}");
            assertTrue(pooled(t, second), "the second from the pool too");
            var fresh = StatePage.read(t, second, "state.html", "", null);
            assertFalse(fresh.path("cookie").asText().contains("sess=s1"), "nothing of another computer: " + fresh);
            assertTrue(fresh.path("ls").isNull() || fresh.path("ls").asText().isEmpty()
                    || fresh.path("ls").asText().equals("null"), fresh.toString());

            // a saved profile (the first computer's, under its id) goes into a browser before it starts: cold
            third = t.createComputer("{\"environment_id\":\"" + saved + "\"}");
            assertFalse(pooled(t, third), "a restore is a cold start");
            var restored = StatePage.read(t, third, "state.html", "", null);
            assertEquals("l1", restored.path("ls").asText(), restored.toString());
        } finally {
            for (var id : new String[] {first, second, third}) {
                if (id != null) t.delete(id);
            }
        }
    }

    @Test
    void aProxyHarAndMetadataAskedForAtCreateApplyToAPooledComputer() {
        awaitReady(t, 2);
        try (var upstream = io.porthole.testing.UpstreamProxy.start("pooluser", "pool-pass")) {
            var made = Sandboxes.create(t, "{\"proxy\":\"http://pooluser:pool-pass@127.0.0.1:" + upstream.port()
                    + "\",\"recordHar\":true,\"metadata\":{\"team\":\"pool\"}}");
            var sid = made.path("id").asText();
            try {
                assertTrue(pooled(t, sid), "served from the pool");
                assertFalse(made.toString().contains("pool-pass"), made.toString());
                assertEquals("pool", made.path("metadata").path("team").asText(), made.toString());
                t.action(sid, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "?via-pool\"}");
                var html = t.action(sid, "html", "{}").path("result").path("html_content").asText();
                assertTrue(html.contains("served by the upstream proxy"), html);
                assertTrue(upstream.seen().stream().anyMatch(s -> s.requestLine().contains("via-pool") && s.authorised()),
                        upstream.seen().toString());
            } finally {
                Sandboxes.delete(t, sid);
            }
            var har = t.call("GET", "/browser-sandboxes/" + sid + "/artifacts", null);
            assertTrue(har.body().contains("har"), "its HAR is stored: " + har.body());
        }
        // and the next one does not go through that proxy
        awaitReady(t, 1);
        var id = t.createComputer("{}");
        try {
            var nav = t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
            assertEquals("success", nav.path("status").asText(), nav.toString());
            var page = t.action(id, "html", "{}").path("result").path("html_content").asText();
            assertFalse(page.contains("served by the upstream proxy"), page);
        } finally {
            t.delete(id);
        }
    }

    @Test
    void aCreateOfAnotherShapeStartsColdAndTheAdminRouteIsForAdmins() {
        var small = t.createComputer("{\"display\":{\"width\":800,\"height\":600}}");
        try {
            assertFalse(pooled(t, small), "no pool has that size");
            var shot = t.action(small, "screenshot", "{\"include_context\":true}");
            assertEquals(800, shot.path("result").path("width").asInt(), shot.toString());
        } finally {
            t.delete(small);
        }
        assertEquals(403, t.call("GET", "/admin/pool", null, t.keyB()).status(), "tenant B's key is no admin key");
        var shapes = pool(t).path("shapes");
        assertEquals(1, shapes.size(), shapes.toString());
        assertEquals("chromium@1280x720", shapes.get(0).path("shape").asText(), shapes.toString());
        assertEquals(2, shapes.get(0).path("target").asInt(), shapes.toString());
    }

    @Test
    void onlyACreateOfTheDefaultIdentityTakesAPooledComputer() {
        awaitReady(t, 2);
        // the pool's browsers were launched with the default identity: its time zone is their process's
        var berlin = t.createComputer("{\"identity\":{\"timezone\":\"Europe/Berlin\"}}");
        try {
            assertFalse(pooled(t, berlin), "another time zone starts cold");
            assertEquals("Europe/Berlin", t.call("GET", "/computers/" + berlin, null).json().path("identity")
                    .path("timezone").asText());
        } finally {
            t.delete(berlin);
        }
        awaitReady(t, 1);
        var same = t.createComputer("{\"identity\":{\"timezone\":\"America/New_York\",\"locale\":\"en-US\"}}");
        try {
            assertTrue(pooled(t, same), "the default identity, spelled out, is served from the pool");
        } finally {
            t.delete(same);
        }
    }

    @Test
    void claimsRacingRefillsAndDeletesNeverShareAComputerAndLeaveNothingBehind() throws Exception {
        var dataDir = new java.util.concurrent.atomic.AtomicReference<Path>();
        var ids = ConcurrentHashMap.<String>newKeySet();
        var errors = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var server = new TestServer(c -> {
            dataDir.set(c.dataDir());
            return c.withComputers(c.computers().withPool(Map.of(DEFAULT, 2)));
        });
        try {
            awaitReady(server, 2);
            try (var pool = Executors.newFixedThreadPool(6)) {
                var futures = new ArrayList<java.util.concurrent.Future<?>>();
                for (int i = 0; i < 12; i++) {
                    boolean tenantA = i % 2 == 0;
                    futures.add(pool.submit(() -> {
                        var key = tenantA ? TestServer.KEY : server.keyB();
                        var other = tenantA ? server.keyB() : TestServer.KEY;
                        var r = server.call("POST", "/computers", "{}", key);
                        if (r.status() == 429) return null; // the server's limit, with this many at once
                        if (r.status() != 200) {
                            errors.add(r.status() + " " + r.body());
                            return null;
                        }
                        var id = r.json().path("id").asText();
                        if (!ids.add(id)) errors.add("two creates got " + id);
                        if (server.call("GET", "/computers/" + id, null, other).status() != 404) {
                            errors.add(id + " is visible to the other tenant");
                        }
                        var shot = server.call("POST", "/computers/" + id + "/screenshot", "{}", key);
                        if (shot.status() != 200) errors.add("screenshot " + shot.status() + " " + shot.body());
                        server.call("DELETE", "/computers/" + id, null, key);
                        return null;
                    }));
                }
                for (var f : futures) f.get(180, TimeUnit.SECONDS);
            }
            assertEquals(List.of(), List.copyOf(errors));
            assertTrue(ids.size() >= 6, "most creates were served: " + ids.size());
            assertTrue(pool(server).path("claims").asLong() >= 1, pool(server).toString());
        } finally {
            server.close();
        }
        for (var id : ids) {
            assertEquals(List.of(), Processes.awaitComputerGone(Processes.ofComputer(id), 15_000), id);
        }
        // the pool's own computers went with the server: no sandbox of its data directory is left
        var computersDir = dataDir.get().resolve("computers");
        assertFalse(Files.exists(computersDir) && Files.list(computersDir).findAny().isPresent(),
                "nothing is left in " + computersDir);
    }

    @Test
    void aRestartSweepsWhatThePoolHadStarted(@TempDir Path tmp) throws Exception {
        var dataDir = tmp.resolve("porthole-pool");
        var key = "pool-restart-key";
        var child = ChildServer.start(dataDir, key, "--pool=chromium:1");
        List<String> pooled;
        List<ProcessHandle> processes = new ArrayList<>();
        try {
            var base = ChildServer.baseUrl(child);
            var http = HttpClient.newHttpClient();
            Await.until("the pool to be ready", 90_000, () -> {
                try {
                    var r = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/pool"))
                            .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return TestServer.JSON.readTree(r.body()).path("ready").asInt() == 1;
                } catch (Exception e) {
                    return false;
                }
            });
            try (var dirs = Files.list(dataDir.resolve("computers"))) {
                pooled = dirs.map(d -> d.getFileName().toString()).toList();
            }
            assertEquals(1, pooled.size(), pooled.toString());
            processes.addAll(Processes.ofComputer(pooled.get(0)));
            assertFalse(processes.isEmpty(), "the pooled computer runs");
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(processes.stream().anyMatch(ProcessHandle::isAlive), "a SIGKILLed server leaves its pool running");
        var restarted = PortholeServer.start(ServerConfig.defaults(dataDir).withPort(0).withApiKey(key)
                .toBuilder().stopComputersOnShutdown(true).build());
        try {
            assertEquals(List.of(), Processes.awaitComputerGone(processes, 15_000), "the next start swept it");
            assertFalse(Files.exists(dataDir.resolve("computers").resolve(pooled.get(0))), "and its files");
        } finally {
            restarted.close();
        }
        assertTrue(Set.copyOf(Processes.ofComputer(pooled.get(0))).isEmpty());
    }
}
