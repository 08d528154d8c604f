package io.porthole.server;

import static io.porthole.server.Sandboxes.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Artifacts: bytes a client uploads kept exactly, listed, downloaded only as attachments by the tenant, with
 * limits and bad input refused; the server-side screenshot and PDF captures (PDF on Chromium only).
 */
class SandboxArtifactsTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void create() {
        t = TestServer.get();
        id = Sandboxes.create(t, "{}").path("id").asText();
    }

    @AfterAll
    static void delete() {
        Sandboxes.delete(t, id);
    }

    private static String upload(String type, String contentType, String name, byte[] bytes) {
        var body = TestServer.JSON.createObjectNode().put("type", type).put("contentType", contentType)
                .put("data", Base64.getEncoder().encodeToString(bytes));
        if (name != null) body.put("name", name);
        return body.toString();
    }

    private static String path(String artifactUrl) {
        return artifactUrl.substring(t.server.baseUrl().length());
    }

    private static TestServer.Response download(JsonNode record, String key) {
        return t.call("GET", path(record.path("downloadURL").asText()), null, key);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void uploadedBytesComeBackExactlyAsAnAttachment() throws Exception {
        var bytes = new byte[5000];
        new Random(7).nextBytes(bytes);
        var r = t.post("/browser-sandboxes/" + id + "/artifacts", upload("trace", "application/zip", "trace.zip", bytes));
        assertEquals(201, r.status(), r.body());
        var record = r.json();
        var artifact = record.path("id").asText();
        assertFalse(artifact.isBlank(), r.body());
        assertEquals("trace", record.path("type").asText());
        assertEquals("application/zip", record.path("contentType").asText());
        assertEquals("trace.zip", record.path("name").asText());
        assertEquals(5000, record.path("size").asLong());
        assertEquals(sha256(bytes), record.path("sha256").asText());
        assertTrue(record.path("createdAt").isTextual(), r.body());
        assertEquals(t.server.baseUrl() + "/browser-sandboxes/" + id + "/artifacts/" + artifact,
                record.path("downloadURL").asText());

        var list = t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null);
        assertEquals(200, list.status(), list.body());
        JsonNode listed = null;
        for (var a : list.json().path("items")) if (a.path("id").asText().equals(artifact)) listed = a;
        assertEquals(record, listed, "the list holds the same record: " + list.body());

        var got = download(record, TestServer.KEY);
        assertEquals(200, got.status(), got.body());
        assertArrayEquals(bytes, got.raw().body(), "the exact bytes");
        assertTrue(got.header("Content-Disposition").startsWith("attachment"), got.header("Content-Disposition"));
        assertTrue(got.header("Content-Disposition").contains("trace.zip"), got.header("Content-Disposition"));
        assertEquals("nosniff", got.header("X-Content-Type-Options"));

        assertError(download(record, t.keyB()), 404, "not_found");
        assertError(t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null, t.keyB()), 404, "not_found");
        assertError(t.call("POST", "/browser-sandboxes/" + id + "/artifacts",
                upload("trace", "application/zip", null, bytes), t.keyB()), 404, "not_found");
        assertError(download(record, null), 401, "unauthorized");
        assertError(t.call("GET", "/browser-sandboxes/" + id + "/artifacts/art_doesnotexist", null), 404, "not_found");
    }

    @Test
    void htmlIsNeverServedInline() {
        var page = "<!doctype html><script>alert(document.domain)</script>".getBytes(StandardCharsets.UTF_8);
        var r = t.post("/browser-sandboxes/" + id + "/artifacts", upload("har", "text/html", "evil.html", page));
        assertEquals(201, r.status(), r.body());
        var got = download(r.json(), TestServer.KEY);
        assertEquals(200, got.status());
        assertTrue(got.header("Content-Disposition").startsWith("attachment"));
        assertEquals("nosniff", got.header("X-Content-Type-Options"));
        assertFalse(got.header("Content-Type").startsWith("text/html"), got.header("Content-Type"));
        assertArrayEquals(page, got.raw().body());
    }

    @Test
    void badUploadsAreRefused() {
        var bytes = "hello".getBytes(StandardCharsets.UTF_8);
        var before = t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null).json().path("items").size();
        var wrapped = TestServer.JSON.createObjectNode().put("type", "trace").put("contentType", "application/zip")
                .put("data", "aGVs\nbG8=\r\n").toString();
        var ok = t.post("/browser-sandboxes/" + id + "/artifacts", wrapped);
        assertEquals(201, ok.status(), "line-wrapped base64 is fine: " + ok.body());
        assertEquals(5, ok.json().path("size").asInt());
        before++;
        for (var data : new String[] {"this is *not* base64!!", "%%%%", "aGVsbG8==", "a", "aG Vs", "aGVsbG8=x"}) {
            var body = TestServer.JSON.createObjectNode().put("type", "trace").put("contentType", "application/zip")
                    .put("data", data).toString();
            assertError(t.post("/browser-sandboxes/" + id + "/artifacts", body), 400, "invalid_argument");
        }
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts", "{\"type\":\"trace\",\"contentType\":\"application/zip\"}"),
                400, "invalid_argument");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts", upload("movie", "video/webm", null, bytes)),
                400, "invalid_argument");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts", upload("video", "not a type", null, bytes)),
                400, "invalid_argument");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts", upload("video", "video/webm", "../../etc/passwd", bytes)),
                400, "invalid_argument");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts", "{oops"), 400, "invalid_json");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts", "[\"aGVsbG8=\"]"), 400, "invalid_json");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts",
                "{\"type\":\"trace\",\"contentType\":\"application/zip\",\"data\":\"aGVsbG8=\"} {}"), 400, "invalid_json");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts",
                "{\"type\":\"trace\",\"contentType\":\"application/zip\",\"data\":12}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts",
                "{\"type\":7,\"contentType\":\"application/zip\",\"data\":\"aGVsbG8=\"}"), 400, "invalid_argument");
        assertError(t.post("/browser-sandboxes/" + id + "/artifacts",
                "{\"type\":\"trace\",\"contentType\":\"application/zip\",\"data\":\"aGVsbG8=\",\"data\":\"eA==\"}"),
                400, "invalid_json");
        assertEquals(before, t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null).json().path("items").size(),
                "nothing was stored");
    }

    @Test
    void aContentTypeThatCannotBeAHeaderIsRefusedAtUpload() {
        var bytes = "plain".getBytes(StandardCharsets.UTF_8);
        var before = t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null).json().path("items").size();
        for (var contentType : new String[] {"text/plain; x=\u0001", "text/plain; x=\u0000", "text/plain; x=\u007f",
                "text/plain;\r\nSet-Cookie: a=b", "text/plain; x=\u00e9", "text/plain\t; x=1"}) {
            assertError(t.post("/browser-sandboxes/" + id + "/artifacts", upload("trace", contentType, null, bytes)),
                    400, "invalid_argument");
        }
        assertEquals(before, t.call("GET", "/browser-sandboxes/" + id + "/artifacts", null).json().path("items").size(),
                "nothing was stored");
        var ok = t.post("/browser-sandboxes/" + id + "/artifacts", upload("trace", "text/plain; charset=utf-8", null, bytes));
        assertEquals(201, ok.status(), ok.body());
        var got = download(ok.json(), TestServer.KEY);
        assertEquals(200, got.status(), got.body());
        assertEquals("text/plain; charset=utf-8", got.header("X-Artifact-Content-Type"));
        assertArrayEquals(bytes, got.raw().body());
    }

    @Test
    void anArtifactOfTheConfiguredSizeRoundTripsAndOneByteMoreIs413() throws Exception {
        // over Jackson's 20 million characters once in base64: the upload streams, its limit is the setting's
        int limit = 20 << 20;
        var big = new TestServer(c -> c.toBuilder().maxArtifactBytes(limit).build());
        try {
            var sid = Sandboxes.create(big, "{}").path("id").asText();
            var bytes = new byte[limit];
            new Random(11).nextBytes(bytes);
            var r = big.post("/browser-sandboxes/" + sid + "/artifacts", upload("video", "video/webm", "run.webm", bytes));
            assertEquals(201, r.status(), r.body());
            assertEquals(limit, r.json().path("size").asLong());
            assertEquals(sha256(bytes), r.json().path("sha256").asText());
            var got = big.call("GET", r.json().path("downloadURL").asText().substring(big.server.baseUrl().length()), null);
            assertEquals(200, got.status());
            assertTrue(Arrays.equals(bytes, got.raw().body()), "the exact bytes come back");

            assertError(big.post("/browser-sandboxes/" + sid + "/artifacts",
                    upload("video", "video/webm", null, Arrays.copyOf(bytes, limit + 1))), 413, "payload_too_large");
            assertEquals(1, big.call("GET", "/browser-sandboxes/" + sid + "/artifacts", null).json().path("items").size());
            assertEquals("running", Sandboxes.get(big, sid).json().path("state").asText());
        } finally {
            big.close();
        }
    }

    @Test
    void screenshotAndPdfCapturesAreStored() {
        t.action(id, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
        var shot = t.post("/browser-sandboxes/" + id + "/artifacts/screenshot", null);
        assertEquals(201, shot.status(), shot.body());
        assertEquals("screenshot", shot.json().path("type").asText());
        assertEquals("image/png", shot.json().path("contentType").asText());
        var png = download(shot.json(), TestServer.KEY).raw().body();
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertEquals(png.length, shot.json().path("size").asLong());

        var pdf = t.post("/browser-sandboxes/" + id + "/artifacts/pdf", "{\"name\":\"second.pdf\"}");
        assertEquals(201, pdf.status(), pdf.body());
        assertEquals("pdf", pdf.json().path("type").asText());
        assertEquals("application/pdf", pdf.json().path("contentType").asText());
        assertEquals("second.pdf", pdf.json().path("name").asText());
        var pdfBytes = download(pdf.json(), TestServer.KEY).raw().body();
        assertEquals("%PDF", new String(pdfBytes, 0, 4, StandardCharsets.US_ASCII));
        var noTab = t.post("/browser-sandboxes/" + id + "/artifacts/screenshot", "{\"tabId\":\"no-such-tab\"}");
        assertTrue(noTab.status() == 404 || noTab.status() == 422, "an unknown tab is a client error: " + noTab.body());
    }

    @Test
    void firefoxCapturesScreenshotsButNotPdfs() {
        var fx = Sandboxes.create(t, "{\"browser\":\"firefox\"}");
        var fxId = fx.path("id").asText();
        try {
            assertEquals("firefox", fx.path("browser").asText());
            assertTrue(fx.path("connect").path("cdp").isNull(), "no CDP on Firefox: " + fx);
            t.action(fxId, "navigate", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
            assertError(t.post("/browser-sandboxes/" + fxId + "/artifacts/pdf", null), 400, "unsupported_on_engine");
            var shot = t.post("/browser-sandboxes/" + fxId + "/artifacts/screenshot", null);
            assertEquals(201, shot.status(), shot.body());
            var png = download(shot.json(), TestServer.KEY).raw().body();
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
            assertEquals("running", Sandboxes.get(t, fxId).json().path("state").asText(), "the refusal did not hurt it");
        } finally {
            Sandboxes.delete(t, fxId);
        }
    }

    @Test
    void artifactsOutliveTheSandbox() {
        var other = Sandboxes.create(t, "{}").path("id").asText();
        try {
            var bytes = "kept after close".getBytes(StandardCharsets.UTF_8);
            var r = t.post("/browser-sandboxes/" + other + "/artifacts", upload("har", "application/json", "x.har", bytes));
            assertEquals(201, r.status(), r.body());
            Sandboxes.delete(t, other);
            var got = download(r.json(), TestServer.KEY);
            assertEquals(200, got.status(), got.body());
            assertArrayEquals(bytes, got.raw().body());
            assertEquals(1, t.call("GET", "/browser-sandboxes/" + other + "/artifacts", null).json().path("items").size());
        } finally {
            Sandboxes.delete(t, other);
        }
    }

    @Test
    void anArtifactOverTheLimitIs413() {
        var small = new TestServer(c -> c.toBuilder().maxArtifactBytes(1024).build());
        try {
            var sid = Sandboxes.create(small, "{}").path("id").asText();
            var ok = small.post("/browser-sandboxes/" + sid + "/artifacts", upload("trace", "application/zip", null, new byte[1024]));
            assertEquals(201, ok.status(), "exactly the limit is fine: " + ok.body());
            assertError(small.post("/browser-sandboxes/" + sid + "/artifacts",
                    upload("trace", "application/zip", null, new byte[1025])), 413, "payload_too_large");
            assertError(small.post("/browser-sandboxes/" + sid + "/artifacts",
                    upload("trace", "application/zip", null, new byte[200_000])), 413, "payload_too_large");
            assertEquals(1, small.call("GET", "/browser-sandboxes/" + sid + "/artifacts", null).json().path("items").size());
            assertEquals("running", Sandboxes.get(small, sid).json().path("state").asText());
        } finally {
            small.close();
        }
    }
}
