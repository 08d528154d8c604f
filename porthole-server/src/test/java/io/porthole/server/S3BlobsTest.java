package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.blob.s3.S3BlobStore;
import io.porthole.blob.s3.S3Config;
import io.porthole.store.jdbc.LocalExpiringBlobs;
import io.porthole.testing.S3Fixture;
import io.porthole.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PORTHOLE_BLOBS=s3}: artifacts, environments and screenshots in one bucket (s3proxy on loopback) that two
 * servers share, each with its own data dir and SQLite store, as two nodes of a cluster would.
 */
class S3BlobsTest {
    private static S3Fixture s3;
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        s3 = S3Fixture.start();
        a = new TestServer(c -> c.toBuilder().s3Blobs(Optional.of(config("node-shared"))).build());
        b = new TestServer(c -> c.toBuilder().s3Blobs(Optional.of(config("node-shared"))).build());
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
        if (s3 != null) s3.close();
    }

    private static S3Config config(String prefix) {
        return new S3Config(Optional.of(s3.endpoint()), s3.region(), s3.bucket(), prefix, s3.accessKeyId(),
                s3.secretAccessKey());
    }

    private static boolean inBucket(String key) {
        return s3.keys(s3.bucket()).contains("node-shared/" + key);
    }

    @Test
    void aScreenshotPublishedByOneServerIsServedByTheOther() {
        var id = a.createComputer("{}");
        try {
            var url = a.action(id, "screenshot", "{\"base64\":false}").path("result").path("screenshot_url").asText();
            assertTrue(url.startsWith(a.server.baseUrl() + "/screenshots/"), url);
            var path = url.substring(a.server.baseUrl().length());
            var fromA = a.request("GET", path, null, Map.of());
            var fromB = b.request("GET", path, null, Map.of());
            assertEquals(200, fromB.status(), fromB.body());
            assertEquals("image/png", fromB.header("Content-Type"));
            assertEquals("nosniff", fromB.header("X-Content-Type-Options"));
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(fromB.raw().body(), 4));
            assertArrayEquals(fromA.raw().body(), fromB.raw().body());
            var token = path.substring("/screenshots/".length());
            assertTrue(inBucket("screenshots/" + token), s3.keys(s3.bucket()).toString());
            assertFalse(Files.exists(a.dataDir.resolve("screenshots").resolve(token)), "nothing on the node's disk");
            assertEquals(404, b.request("GET", "/screenshots/" + "B".repeat(43) + ".png", null, Map.of()).status());
        } finally {
            a.delete(id);
        }
    }

    @Test
    void anArtifactAComputerStoresIsInTheBucketAndDownloads() throws Exception {
        var id = Sandboxes.create(a, "{}").path("id").asText();
        try {
            a.action(id, "navigate", "{\"url\":\"" + a.pages.url("second.html") + "\"}");
            var shot = a.post("/browser-sandboxes/" + id + "/artifacts/screenshot", null);
            assertEquals(201, shot.status(), shot.body());
            var download = a.call("GET", shot.json().path("downloadURL").asText().substring(a.server.baseUrl().length()),
                    null, TestServer.KEY);
            assertEquals(200, download.status(), download.body());
            var png = download.raw().body();
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
            assertEquals(png.length, shot.json().path("size").asLong());
            var sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(png));
            assertTrue(inBucket("blobs/" + sha), s3.keys(s3.bucket()).toString());
            assertFalse(Files.exists(a.dataDir.resolve("blobs")), "no local blob store at all");
        } finally {
            Sandboxes.delete(a, id);
        }
    }

    @Test
    void anEnvironmentSavedToTheBucketIsRestored() {
        var first = a.createComputer("{\"persistent\":true}");
        StatePage.read(a, first, "state.html", "?mode=set", null);
        a.delete(first);
        var second = a.createComputer("{\"environment_id\":\"" + first + "\"}");
        try {
            var got = StatePage.read(a, second, "state.html", "", null);
            assertTrue(got.path("cookie").asText().contains("keep=k1"), got.toString());
            assertFalse(got.path("ls").isNull(), "local storage comes back with the profile: " + got);
        } finally {
            a.delete(second);
        }
        assertTrue(s3.keys(s3.bucket()).stream().anyMatch(k -> k.startsWith("node-shared/blobs/")));
    }

    @Test
    void aBucketThatCannotBeUsedStopsTheStartAndSaysWhy(@TempDir Path dir) {
        var missing = new S3Config(Optional.of(s3.endpoint()), s3.region(), "no-such-bucket", "", s3.accessKeyId(),
                s3.secretAccessKey());
        var e = assertThrows(IllegalStateException.class, () -> PortholeServer.start(ServerConfig.defaults(dir)
                .toBuilder().port(0).s3Blobs(Optional.of(missing)).build()));
        assertTrue(e.getMessage().startsWith("PORTHOLE_BLOBS=s3: "), e.getMessage());
        assertTrue(e.getMessage().contains("'no-such-bucket'") && e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(e.getMessage().contains(s3.secretAccessKey()), e.getMessage());
        var refused = new S3Config(Optional.of(s3.endpoint()), s3.region(), s3.bucket(), "", s3.accessKeyId(), "wrong");
        var e2 = assertThrows(IllegalStateException.class, () -> PortholeServer.start(ServerConfig.defaults(dir)
                .toBuilder().port(0).s3Blobs(Optional.of(refused)).build()));
        assertTrue(e2.getMessage().contains("credentials were refused"), e2.getMessage());
    }

    @Test
    void expiredScreenshotsAreSweptFromTheBucketAndFromTheDataDir(@TempDir Path dir) throws Exception {
        try (var store = S3BlobStore.open(config("sweep-test"), dir.resolve("spool"), Duration.ZERO, Clock.systemUTC())) {
            sweeps(store.expiring("screenshots", ".png"));
            assertEquals(java.util.List.of(), s3.keys(s3.bucket()).stream().filter(k -> k.startsWith("sweep-test/")).toList());
        }
        sweeps(new LocalExpiringBlobs(dir.resolve("screenshots"), ".png"));
        try (var left = Files.list(dir.resolve("screenshots"))) {
            assertEquals(0, left.count());
        }
    }

    private static void sweeps(io.porthole.core.blob.ExpiringBlobs shots) {
        var clock = new TestClock(Instant.now());
        var links = new ScreenshotLinks(shots, 900, clock);
        try {
            var url = links.publish("comp_x", new byte[] {(byte) 0x89, 'P', 'N', 'G'});
            var token = url.substring(url.lastIndexOf('/') + 1, url.length() - 4);
            assertEquals(0, links.sweep(), "not yet expired");
            assertTrue(shots.get(token).isPresent());
            clock.advance(Duration.ofSeconds(901));
            assertEquals(1, links.sweep());
            assertTrue(shots.get(token).isEmpty());
        } finally {
            links.close();
        }
    }
}
