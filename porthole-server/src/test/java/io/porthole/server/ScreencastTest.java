package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.engine.cdp.ChromiumConfig;
import io.porthole.testing.SseClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /computers/{id}/screencast} of browser computers: JPEG pictures of the main tab as default SSE events,
 * against a real Chromium and Firefox. A server of its own, which logs its CDP traffic (to see what the driver asks
 * of Chromium) and sends heartbeats every second (so that a viewer who left is noticed soon, even on a still page).
 */
class ScreencastTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<String> METADATA = Set.of("timestamp", "deviceWidth", "deviceHeight", "offsetTop",
            "pageScaleFactor", "scrollOffsetX", "scrollOffsetY");
    private static TestServer t;
    private static WireLog wire;
    private static String id;

    @BeforeAll
    static void server() {
        wire = new WireLog();
        var live = ServerConfig.LiveConfig.defaults();
        t = new TestServer(c -> c.withLive(new ServerConfig.LiveConfig(live.eventsHeartbeat(), Duration.ofSeconds(1),
                live.controlLease(), live.viewerLinkDefault()))
                .withChromium(new ChromiumConfig(Optional.empty(), List.of(), 30, true)));
        id = t.createComputer("{}");
    }

    @AfterAll
    static void cleanUp() {
        if (t != null) {
            t.delete(id);
            t.close();
        }
        if (wire != null) wire.close();
    }

    // ---- helpers ----

    static SseClient open(String path, String key) {
        return SseClient.open(t.http, t.server.baseUrl() + path, Map.of("Authorization", "Bearer " + key));
    }

    static SseClient screencast(String computer) {
        var s = open("/computers/" + computer + "/screencast", TestServer.KEY);
        assertEquals(200, s.status());
        assertTrue(s.header("Content-Type").orElse("").startsWith("text/event-stream"), s.header("Content-Type").toString());
        return s;
    }

    static JsonNode json(SseClient.Event e) {
        try {
            return TestServer.JSON.readTree(e.data());
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    static BufferedImage image(SseClient.Event e) {
        try {
            var img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(json(e).path("image_data").asText())));
            if (img == null) throw new AssertionError("image_data is not a picture ImageIO reads");
            return img;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    /** The picture's colour in its middle (clear of the page's counter, top left). */
    static int[] middle(BufferedImage img) {
        int rgb = img.getRGB(img.getWidth() / 2, img.getHeight() / 2);
        return new int[] {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
    }

    static boolean isBlue(BufferedImage img) {
        var c = middle(img);
        return c[0] < 60 && c[1] < 60 && c[2] > 200;
    }

    static boolean isRed(BufferedImage img) {
        var c = middle(img);
        return c[0] > 200 && c[1] < 60 && c[2] < 60;
    }

    static boolean isWhite(BufferedImage img) {
        var c = middle(img);
        return c[0] > 230 && c[1] > 230 && c[2] > 230;
    }

    /**
     * The first picture of {@code computer} that passes {@code test}; a failure says what the server last sent to
     * and got from its Chromium about screencasts and tabs.
     */
    static SseClient.Event awaitPicture(SseClient stream, String computer, String what, Predicate<BufferedImage> test) {
        try {
            return stream.await(picture(test), WAIT);
        } catch (AssertionError e) {
            throw new AssertionError("no picture " + what + ": " + e.getMessage() + "\nCDP, last messages:\n"
                    + String.join("\n", wire.tail("cdp-" + computer, 40)), e);
        }
    }

    static Predicate<SseClient.Event> picture(Predicate<BufferedImage> test) {
        return e -> e.event().equals("message") && test.test(image(e));
    }

    static JsonNode ok(JsonNode result) {
        assertEquals("success", result.path("status").asText(), result.toString());
        return result;
    }

    static void navigate(String computer, String page) {
        ok(t.action(computer, "navigate", "{\"url\":\"" + t.pages.url(page) + "\"}"));
    }

    /** Waits for {@code n} frames, each a picture different from the one before; returns how many came. */
    static int distinctFrames(SseClient stream, int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        int distinct = 0;
        while (distinct < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new AssertionError("only " + distinct + " new pictures of " + n + " within " + timeout);
            var e = stream.await(x -> x.event().equals("message"), Duration.ofNanos(left));
            var data = json(e).path("image_data").asText();
            if (!data.equals(last)) distinct++;
            last = data;
        }
        return distinct;
    }

    /** A preview event with this many viewers, on a computer's live event stream. */
    static Predicate<SseClient.Event> viewers(String type, int n) {
        return e -> json(e).path("type").asText().equals("preview") && json(e).path("event").asText().equals(type)
                && json(e).path("viewers").asInt() == n;
    }

    // ---- the frames ----

    @Test
    void aFrameIsAJpegOfTheViewportWithCdpsMetadata() {
        navigate(id, "screencast.html");
        try (var stream = screencast(id)) {
            // a still page has a picture for a new viewer at once: what Chromium sends when its screencast starts
            // (or, if an earlier test's viewer still holds the capture, the last picture it sent, then this page's)
            var first = stream.await(x -> true, WAIT);
            assertEquals("message", first.event(), "pictures are default events: " + first);
            var e = isBlue(image(first)) ? first : stream.await(picture(ScreencastTest::isBlue), WAIT);
            assertNotNull(e.id(), "every frame has an id");
            var frame = json(e);
            assertEquals(Set.of("image_data", "metadata"), fieldNames(frame), frame.toString());
            var m = frame.path("metadata");
            assertEquals(METADATA, fieldNames(m), m.toString());
            assertEquals(1280, m.path("deviceWidth").asInt());
            assertEquals(720, m.path("deviceHeight").asInt());
            assertEquals(1.0, m.path("pageScaleFactor").asDouble());
            assertEquals(0.0, m.path("scrollOffsetY").asDouble());
            double now = System.currentTimeMillis() / 1000.0;
            assertTrue(Math.abs(m.path("timestamp").asDouble() - now) < 3600, "seconds since the epoch: " + m);
            var jpeg = Base64.getDecoder().decode(frame.path("image_data").asText());
            assertEquals(0xFF, jpeg[0] & 0xFF);
            assertEquals(0xD8, jpeg[1] & 0xFF, "a JPEG");
            var img = image(e);
            assertEquals(1280, img.getWidth());
            assertEquals(720, img.getHeight());
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        var names = new HashSet<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void anAnimatingPageGivesNewPicturesContinuously() {
        navigate(id, "screencast.html?animate");
        try (var stream = screencast(id)) {
            distinctFrames(stream, 10, WAIT);
            var a = Long.parseLong(stream.await(x -> x.event().equals("message"), WAIT).id());
            var b = Long.parseLong(stream.await(x -> x.event().equals("message"), WAIT).id());
            assertTrue(b > a, "ids increase");
        }
    }

    @Test
    void aChangeOfThePageShowsInALaterFrameAndActionsRunAsUsualMeanwhile() throws Exception {
        navigate(id, "screencast.html");
        try (var stream = screencast(id)) {
            stream.await(picture(ScreencastTest::isBlue), WAIT);
            ok(t.action(id, "click", "{\"x\":640,\"y\":360}"));
            stream.await(picture(ScreencastTest::isRed), WAIT);
            ok(t.action(id, "click", "{\"x\":640,\"y\":360}"));
            stream.await(picture(ScreencastTest::isBlue), WAIT);
        }
        // frames keep coming while actions run, and the actions are not disturbed by the capture
        navigate(id, "screencast.html?animate");
        try (var stream = screencast(id)) {
            stream.await(x -> x.event().equals("message"), WAIT);
            var failure = new AtomicReference<Throwable>();
            var actions = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        var shot = ok(t.action(id, "screenshot", "{\"base64\":true}"));
                        var png = Base64.getDecoder().decode(shot.path("result").path("screenshot_base64").asText());
                        assertEquals(1280, ImageIO.read(new ByteArrayInputStream(png)).getWidth());
                        ok(t.action(id, "scroll", "{\"x\":600,\"y\":300,\"dx\":0,\"dy\":40}"));
                        ok(t.action(id, "type", "{\"text\":\"abc\"}"));
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            distinctFrames(stream, 10, WAIT);
            actions.join(WAIT);
            assertFalse(actions.isAlive(), "the actions finished");
            if (failure.get() != null) throw new AssertionError("an action failed during the screencast", failure.get());
        }
    }

    @Test
    void scrollOffsetsAreInTheMetadata() {
        navigate(id, "screencast.html?tall");
        try (var stream = screencast(id)) {
            stream.await(x -> x.event().equals("message"), WAIT);
            ok(t.action(id, "scroll", "{\"x\":600,\"y\":300,\"dx\":0,\"dy\":500}"));
            stream.await(x -> x.event().equals("message") && json(x).path("metadata").path("scrollOffsetY").asDouble() == 500,
                    WAIT);
        }
    }

    @Test
    void aNewViewportShowsAtItsSize() {
        navigate(id, "screencast.html");
        try (var stream = screencast(id)) {
            stream.await(picture(img -> img.getWidth() == 1280), WAIT);
            try {
                ok(t.action(id, "viewport", "{\"width\":800,\"height\":600}"));
                var e = stream.await(picture(img -> img.getWidth() == 800 && img.getHeight() == 600), WAIT);
                assertEquals(800, json(e).path("metadata").path("deviceWidth").asInt());
                assertEquals(600, json(e).path("metadata").path("deviceHeight").asInt());
            } finally {
                ok(t.action(id, "viewport", "{\"width\":1280,\"height\":720}"));
            }
            stream.await(picture(img -> img.getWidth() == 1280 && img.getHeight() == 720), WAIT);
        }
    }

    @Test
    void theScreencastFollowsTheMainTab() throws Exception {
        navigate(id, "screencast.html");
        var first = t.call("GET", "/computers/" + id + "/tabs", null).json().path("result").path("tabs").get(0)
                .path("tab_id").asText();
        try (var stream = screencast(id)) {
            awaitPicture(stream, id, "of the first tab", ScreencastTest::isBlue);
            // a new tab is the main tab
            var second = ok(t.action(id, "tabs", "{\"url\":\"" + t.pages.url("second.html") + "\"}"))
                    .path("result").path("tab_id").asText();
            awaitPicture(stream, id, "of a new tab", ScreencastTest::isWhite);
            // closing it makes the first the main tab again
            ok(t.call("DELETE", "/computers/" + id + "/tabs/" + second, null).json());
            awaitPicture(stream, id, "of the first tab once the new one closed", ScreencastTest::isBlue);
            // a tab a CDP client opened, once it is made the main tab
            var ws = URI.create(t.server.baseUrl()).resolve("/computers/" + id + "/cdp?token=" + TestServer.KEY)
                    .toString().replaceFirst("^http", "ws");
            try (var client = Sandboxes.Ws.connect(ws)) {
                var created = client.call("Target.createTarget", "{\"url\":\"" + t.pages.url("second.html") + "\"}");
                var third = created.path("result").path("targetId").asText();
                assertFalse(third.isEmpty(), created.toString());
                Await.until("the client's tab to be listed", 20_000, () -> t.call("GET", "/computers/" + id + "/tabs",
                        null).body().contains(third));
                ok(t.action(id, "tabs/" + third + "/switch", null));
                awaitPicture(stream, id, "of the client's tab", ScreencastTest::isWhite);
                ok(t.action(id, "tabs/" + first + "/switch", null));
                awaitPicture(stream, id, "of the first tab, switched back to", ScreencastTest::isBlue);
                ok(t.call("DELETE", "/computers/" + id + "/tabs/" + third, null).json());
            }
        }
    }

    // ---- viewers ----

    @Test
    void twoViewersShareOneCaptureAndTheLastOneOutStopsChromiumsScreencast() {
        // a computer of its own: nobody else watches it
        var c = t.createComputer("{}");
        var name = "cdp-" + c;
        SseClient a = null;
        SseClient b = null;
        try (var events = open("/computers/" + c + "/events", TestServer.KEY)) {
            navigate(c, "screencast.html?animate");
            a = screencast(c);
            a.await(x -> x.event().equals("message"), WAIT);
            // (a start without a first picture in time is made again: count from the one that brought it)
            int startsForA = wire.sent(name, "Page.startScreencast").size();
            assertTrue(startsForA >= 1);
            b = screencast(c);
            b.await(x -> x.event().equals("message"), WAIT);
            events.await(viewers("viewer_joined", 2), WAIT);
            var starts = wire.sent(name, "Page.startScreencast");
            assertEquals(startsForA, starts.size(), "one capture for both viewers: " + starts);
            var start = starts.getLast();
            var session = start.path("sessionId").asText();
            assertEquals("jpeg", start.path("params").path("format").asText());
            assertEquals(1280, start.path("params").path("maxWidth").asInt());
            assertEquals(720, start.path("params").path("maxHeight").asInt());
            a.close();
            events.await(viewers("viewer_left", 1), WAIT);
            distinctFrames(b, 3, WAIT);
            assertTrue(wire.sent(name, "Page.stopScreencast").stream().noneMatch(m -> m.path("id").asLong()
                    > start.path("id").asLong()), "the capture runs while anyone watches");
            b.close();
            events.await(viewers("viewer_left", 0), WAIT);
            // Chromium is told to stop, on the session it was capturing, and says it has
            var stop = new AtomicReference<JsonNode>();
            Await.until("Page.stopScreencast", 20_000, () -> {
                wire.sent(name, "Page.stopScreencast").stream().filter(m -> m.path("sessionId").asText().equals(session)
                        && m.path("id").asLong() > start.path("id").asLong()).findFirst().ifPresent(stop::set);
                return stop.get() != null;
            });
            var answer = new AtomicReference<JsonNode>();
            Await.until("the answer to Page.stopScreencast", 20_000, () -> {
                wire.answer(name, stop.get().path("id").asLong()).ifPresent(answer::set);
                return answer.get() != null;
            });
            assertTrue(answer.get().has("result") && !answer.get().has("error"), answer.get().toString());
            assertEquals(startsForA, wire.sent(name, "Page.startScreencast").size(), "and nothing started it again");
        } finally {
            if (a != null) a.close();
            if (b != null) b.close();
            t.delete(c);
        }
    }

    @Test
    void aViewerThatDoesNotReadDoesNotHoldBackAnother() throws Exception {
        // large pictures (random pixels), so that the stalled viewer's socket buffers fill after a few
        navigate(id, "screencast.html?noise");
        var base = URI.create(t.server.baseUrl());
        try (var stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            var request = "GET /computers/" + id + "/screencast HTTP/1.1\r\nHost: " + base.getHost() + ":"
                    + base.getPort() + "\r\nAuthorization: Bearer " + TestServer.KEY + "\r\nAccept: text/event-stream\r\n\r\n";
            stalled.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            try (var stream = screencast(id)) {
                // far more than the stalled viewer's socket can hold (Linux gives a socket at most tcp_wmem's
                // 4 MiB to send and its small receive buffer): the server has long stopped writing to it
                long bytes = 0;
                int frames = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (bytes < 24L << 20 || frames < 30) {
                    assertTrue(System.nanoTime() < deadline, "only " + frames + " frames, " + bytes + " bytes");
                    bytes += stream.await(x -> x.event().equals("message"), WAIT).data().length();
                    frames++;
                }
            }
        }
    }

    @Test
    void theNativeSurfaceHasTheSameStream() {
        navigate(id, "screencast.html");
        try (var stream = open("/browser-sandboxes/" + id + "/screencast", TestServer.KEY)) {
            assertEquals(200, stream.status());
            var e = stream.await(x -> true, WAIT);
            assertEquals("message", e.event());
            assertEquals(METADATA, fieldNames(json(e).path("metadata")));
            if (!isBlue(image(e))) stream.await(picture(ScreencastTest::isBlue), WAIT);
        }
    }

    // ---- Firefox ----

    @Test
    void firefoxIsWatchedTheSameWay() {
        var fx = Sandboxes.create(t, "{\"browser\":\"firefox\"}").path("id").asText();
        try {
            navigate(fx, "screencast.html?tall");
            try (var stream = open("/browser-sandboxes/" + fx + "/screencast", TestServer.KEY)) {
                assertEquals(200, stream.status());
                var e = stream.await(x -> true, WAIT);
                assertEquals("message", e.event(), e.toString());
                var frame = json(e);
                assertEquals(Set.of("image_data", "metadata"), fieldNames(frame));
                assertEquals(METADATA, fieldNames(frame.path("metadata")));
                var img = image(e);
                assertEquals(frame.path("metadata").path("deviceWidth").asInt(), img.getWidth());
                assertEquals(frame.path("metadata").path("deviceHeight").asInt(), img.getHeight());
                assertTrue(isBlue(img), List.of(middle(img)).toString());
                ok(t.action(fx, "click", "{\"x\":300,\"y\":300}"));
                stream.await(picture(ScreencastTest::isRed), WAIT);
                ok(t.action(fx, "scroll", "{\"x\":300,\"y\":300,\"dx\":0,\"dy\":500}"));
                stream.await(x -> x.event().equals("message")
                        && json(x).path("metadata").path("scrollOffsetY").asDouble() == 500, WAIT);
            }
            navigate(fx, "screencast.html?animate");
            try (var stream = open("/computers/" + fx + "/screencast", TestServer.KEY)) {
                distinctFrames(stream, 5, WAIT);
            }
            // the stream ends with the computer
            try (var stream = open("/browser-sandboxes/" + fx + "/screencast", TestServer.KEY)) {
                stream.await(x -> x.event().equals("message"), WAIT);
                Sandboxes.delete(t, fx);
                assertTrue(stream.awaitEnd(WAIT), "the stream closes when the computer ends");
            }
        } finally {
            Sandboxes.delete(t, fx);
        }
    }

    // ---- recording ----

    @Test
    void aRecordedBrowserLeavesAVideoOfItsScreencast() {
        var sandbox = Sandboxes.create(t, "{\"recordVideo\":true}").path("id").asText();
        try {
            navigate(sandbox, "screencast.html?animate");
            // the recording is a viewer of the same capture: once a viewer has pictures, so has it
            try (var stream = open("/browser-sandboxes/" + sandbox + "/screencast", TestServer.KEY)) {
                distinctFrames(stream, 10, WAIT);
            }
            Sandboxes.delete(t, sandbox);
            var video = new AtomicReference<JsonNode>();
            Await.until("the recording to be stored", 30_000, () -> {
                for (var a : t.call("GET", "/browser-sandboxes/" + sandbox + "/artifacts", null).json().path("items")) {
                    if (a.path("type").asText().equals("video")) video.set(a);
                }
                return video.get() != null;
            });
            assertEquals("recording.mp4", video.get().path("name").asText(), video.get().toString());
            var got = t.call("GET", URI.create(video.get().path("downloadURL").asText()).getPath(), null);
            assertEquals(200, got.status());
            var mp4 = got.raw().body();
            assertTrue(mp4.length > 1000, "a video of some size: " + mp4.length);
            assertEquals("ftyp", new String(mp4, 4, 4, StandardCharsets.US_ASCII), "an MP4");
        } finally {
            Sandboxes.delete(t, sandbox);
        }
    }

    // ---- ends and errors ----

    @Test
    void theStreamEndsWhenTheComputerEndsOrItsBrowserDies() {
        var ended = t.createComputer("{}");
        try (var stream = screencast(ended)) {
            stream.await(x -> x.event().equals("message"), WAIT);
            t.delete(ended);
            assertTrue(stream.awaitEnd(WAIT), "the stream closes when the computer ends");
        }
        var crashed = t.createComputer("{}");
        try (var stream = screencast(crashed)) {
            stream.await(x -> x.event().equals("message"), WAIT);
            // whatever the command's own answer (its computer is ending under it)
            t.post("/computers/" + crashed + "/exec/sync", "{\"command\":\"kill -9 $(pidof chromium)\",\"timeout_seconds\":20}");
            assertTrue(stream.awaitEnd(WAIT), "the stream closes when the browser dies");
        } finally {
            t.delete(crashed);
        }
    }

    @Test
    void errorsAreClear() {
        try (var anonymous = open("/computers/" + id + "/screencast", "nope")) {
            assertEquals(401, anonymous.status());
        }
        try (var other = open("/computers/" + id + "/screencast", t.keyB())) {
            assertEquals(404, other.status());
        }
        try (var other = open("/browser-sandboxes/" + id + "/screencast", t.keyB())) {
            assertEquals(404, other.status());
        }
        try (var unknown = open("/computers/comp_unknown/screencast", TestServer.KEY)) {
            assertEquals(404, unknown.status());
        }
        var ended = t.createComputer("{}");
        t.delete(ended);
        try (var stream = screencast(ended)) {
            var e = stream.await(x -> true, WAIT);
            assertEquals("error", e.event(), e.toString());
            assertEquals("computer_not_running", json(e).path("code").asText());
            assertFalse(json(e).path("message").asText().isBlank());
            assertTrue(stream.awaitEnd(WAIT));
        }
    }

    /**
     * What the server sent to and got from its Chromiums: the CDP wire log ({@code PORTHOLE_CDP_LOG}), kept here
     * instead of printed.
     */
    static final class WireLog extends Handler implements AutoCloseable {
        private record Message(String name, boolean sent, String json) {}

        private final Logger logger = Logger.getLogger("io.porthole.cdp.wire");
        /** Appended on the CDP reader thread: cheap to add to. */
        private final Queue<Message> messages = new ConcurrentLinkedQueue<>();

        WireLog() {
            setLevel(Level.ALL);
            logger.setUseParentHandlers(false);
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            var p = r.getParameters();
            if (p == null || p.length != 2 || !(p[1] instanceof String json)) return;
            if (json.contains("\"Page.screencastFrameAck\"")) return; // not needed here
            if (json.contains("\"Page.screencastFrame\"")) {
                // pictures: many, and only their session matters here
                var at = json.indexOf("\"sessionId\":\"", json.indexOf("\"method\""));
                json = "{\"method\":\"Page.screencastFrame\"" + (at < 0 ? "" : ",\"sessionId\":\""
                        + json.substring(at + 13, Math.min(json.length(), at + 19)) + "…\"") + "}";
            }
            var sent = r.getMessage().contains("->");
            messages.add(new Message(String.valueOf(p[0]), sent, json));
        }

        /** The commands of this method sent on the named connection, in order. */
        List<JsonNode> sent(String name, String method) {
            var out = new ArrayList<JsonNode>();
            for (var m : messages) {
                if (!m.sent || !m.name.equals(name) || !m.json.contains("\"" + method + "\"")) continue;
                var node = parse(m.json);
                if (node.path("method").asText().equals(method)) out.add(node);
            }
            return out;
        }

        /** The last messages on the named connection about screencasts, targets and visibility, one a line. */
        List<String> tail(String name, int n) {
            var out = new ArrayList<String>();
            for (var m : messages) {
                if (!m.name.equals(name)) continue;
                var j = m.json.length() > 300 ? m.json.substring(0, 300) + "…" : m.json;
                if (m.sent && !(j.contains("Screencast") || j.contains("Target."))) continue;
                if (!m.sent && !(j.contains("screencast") || j.contains("Target.") || j.contains("\"result\":{}"))) continue;
                out.add((m.sent ? "-> " : "<- ") + j);
            }
            return out.size() > n ? out.subList(out.size() - n, out.size()) : out;
        }

        /** The answer to the command with this id on the named connection. */
        Optional<JsonNode> answer(String name, long commandId) {
            for (var m : messages) {
                if (m.sent || !m.name.equals(name) || !m.json.contains("\"id\":" + commandId)) continue;
                var node = parse(m.json);
                if (node.path("id").asLong() == commandId) return Optional.of(node);
            }
            return Optional.empty();
        }

        private static JsonNode parse(String json) {
            try {
                return TestServer.JSON.readTree(json);
            } catch (IOException e) {
                return TestServer.JSON.createObjectNode();
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setUseParentHandlers(true);
        }
    }
}
