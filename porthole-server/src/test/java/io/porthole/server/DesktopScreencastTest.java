package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.Processes;
import io.porthole.testing.SseClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /computers/{id}/screencast} of a desktop: H.264 from ffmpeg inside the computer's sandbox, which parses
 * and decodes (with the host's ffmpeg) to the screen's size, starts every viewer at a keyframe with SPS and PPS, and
 * has keyframes all along; the pointer's position and shape; one encoder shared by the viewers and gone with the
 * last of them or with the computer; the errors; and typing that stays exact while the encoder runs.
 */
class DesktopScreencastTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int NAL_IDR = 5;
    private static final int NAL_SPS = 7;
    private static final int NAL_PPS = 8;
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void desktop() {
        t = TestServer.get();
        id = t.createComputer("{\"kind\":\"desktop\"}");
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    /**
     * Every test's viewers have left: the encoder is gone (the server learns that a client has gone when it next
     * writes to it), so the next test starts a capture of its own.
     */
    @AfterEach
    void noEncoderLeft() {
        awaitNoEncoder(id);
    }

    static SseClient watch(TestServer server, String computer) {
        var s = SseClient.open(server.http, server.server.baseUrl() + "/computers/" + computer + "/screencast",
                Map.of("Authorization", "Bearer " + TestServer.KEY));
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

    static Predicate<SseClient.Event> named(String name) {
        return e -> e.event().equals(name);
    }

    /** The first event of each of these names, in any order (await alone would skip the others). */
    static Map<String, SseClient.Event> firstOfEach(SseClient viewer, String... names) {
        var wanted = java.util.Set.of(names);
        var seen = new java.util.HashMap<String, SseClient.Event>();
        while (seen.size() < wanted.size()) {
            var e = viewer.await(x -> wanted.contains(x.event()) && !seen.containsKey(x.event()), WAIT);
            seen.put(e.event(), e);
        }
        return seen;
    }

    static byte[] nalus(SseClient.Event h264) {
        return Base64.getDecoder().decode(json(h264).path("nalu_data").asText());
    }

    /** The types of an Annex-B stream's NAL units, in order. */
    static List<Integer> nalTypes(byte[] b) {
        var types = new ArrayList<Integer>();
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                types.add(b[i + 3] & 0x1f);
                i += 3;
            }
        }
        return types;
    }

    static boolean isKeyframe(SseClient.Event e) {
        return nalTypes(nalus(e)).contains(NAL_IDR);
    }

    /** A keyframe as a decoder can start there: SPS, then PPS, then the IDR slices. */
    static void assertStartsAtKeyframe(SseClient.Event first) {
        var types = nalTypes(nalus(first));
        assertTrue(types.size() >= 3, "NAL units " + types);
        assertEquals(NAL_SPS, types.get(0), "SPS first: " + types);
        assertEquals(NAL_PPS, types.get(1), "then PPS: " + types);
        assertTrue(types.subList(2, types.size()).stream().allMatch(n -> n == NAL_IDR), "then IDR slices: " + types);
    }

    private static String sh(String computer, String command) {
        var r = t.post("/computers/" + computer + "/exec/sync",
                TestServer.JSON.createObjectNode().put("command", command).put("timeout_seconds", 20).toString());
        assertEquals(200, r.status(), r.body());
        return r.json().path("stdout").asText();
    }

    /** Moves the pointer with an action (there is no route of its own: {@code /execute} with {@code mouse_move}). */
    private static void move(int x, int y) {
        ok(t.action(id, "execute", "{\"action\":{\"type\":\"mouse_move\",\"x\":" + x + ",\"y\":" + y + "}}"));
    }

    private static void ok(JsonNode r) {
        assertEquals("success", r.path("status").asText(), r.toString());
    }

    /** The computer's ffmpeg processes, as the host sees its sandbox's processes. */
    private static List<ProcessHandle> encoders(String computer) {
        return Processes.ofComputer(computer).stream()
                .filter(h -> h.info().command().map(c -> c.endsWith("/ffmpeg")).orElse(false)).toList();
    }

    private static void awaitNoEncoder(String computer) {
        Await.until("the encoder of " + computer + " to be gone", 20_000, () -> encoders(computer).isEmpty());
    }

    /** Runs the host's ffmpeg (or ffprobe) and returns what it printed; fails the test if it fails. */
    private static String run(List<String> argv) throws Exception {
        var p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), argv + " did not finish");
        assertEquals(0, p.exitValue(), argv + ": " + out);
        return out;
    }

    @Test
    void aRecordedDesktopLeavesAVideoThatDecodesAtItsScreenSize() throws Exception {
        var desktop = t.createComputer("{\"kind\":\"desktop\",\"record_video\":true,\"display\":{\"width\":800,\"height\":600}}");
        try {
            // the recording watches the same encoder: once a viewer has had pictures, so has it
            try (var viewer = watch(t, desktop)) {
                for (int i = 0; i < 40; i++) viewer.await(named("h264"), WAIT);
            }
        } finally {
            t.delete(desktop);
        }
        // stored before the delete was answered; desktops list their files on the Computers API
        var items = t.call("GET", "/computers/" + desktop + "/artifacts", null).json().path("items");
        JsonNode video = null;
        for (var a : items) if (a.path("type").asText().equals("video")) video = a;
        assertTrue(video != null, "a video artifact: " + items);
        assertEquals("recording.mp4", video.path("name").asText());
        var url = java.net.URI.create(video.path("downloadURL").asText()).getPath();
        assertTrue(url.startsWith("/computers/" + desktop + "/artifacts/"), url);
        var got = t.call("GET", url, null);
        assertEquals(200, got.status());
        var file = Files.createTempFile("recording-", ".mp4");
        try {
            Files.write(file, got.raw().body());
            var probe = TestServer.JSON.readTree(run(List.of("/usr/bin/ffprobe", "-v", "error", "-count_frames",
                    "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", file.toString())));
            var stream = probe.path("streams").path(0);
            assertEquals("h264", stream.path("codec_name").asText(), probe.toString());
            assertEquals(800, stream.path("width").asInt(), probe.toString());
            assertEquals(600, stream.path("height").asInt(), probe.toString());
            assertTrue(stream.path("nb_read_frames").asInt() >= 10, "pictures: " + probe);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theFirstPictureIsAKeyframeAndTheStreamDecodesToTheScreenSize() throws Exception {
        var stream = new ByteArrayOutputStream();
        int pictures = 0;
        try (var viewer = watch(t, id)) {
            var first = viewer.await(named("h264"), WAIT);
            assertStartsAtKeyframe(first);
            stream.writeBytes(nalus(first));
            // some pictures while the screen changes
            sh(id, "DISPLAY=:1 setsid -f xterm -geometry 60x10+600+300 -e sh -c 'while :; do date; done' >/dev/null 2>&1");
            for (pictures = 1; pictures < 60; pictures++) stream.writeBytes(nalus(viewer.await(named("h264"), WAIT)));
        } finally {
            sh(id, "pkill -f 'while :; do dat[e]'; true"); // [e]: not the shell that runs pkill
        }
        var file = Files.createTempFile("screencast-", ".h264");
        try {
            Files.write(file, stream.toByteArray());
            var probe = TestServer.JSON.readTree(run(List.of("/usr/bin/ffprobe", "-v", "error", "-f", "h264",
                    "-count_frames", "-show_entries", "stream=width,height,profile,nb_read_frames,has_b_frames",
                    "-of", "json", file.toString())));
            var s = probe.path("streams").path(0);
            assertEquals(1280, s.path("width").asInt(), probe.toString());
            assertEquals(720, s.path("height").asInt(), probe.toString());
            assertEquals("Constrained Baseline", s.path("profile").asText(), probe.toString());
            assertEquals(0, s.path("has_b_frames").asInt(), probe.toString());
            assertEquals(pictures, s.path("nb_read_frames").asInt(), "every picture decodes: " + probe);
            // and decodes without a single complaint
            var said = run(List.of("/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-f", "h264", "-i", file.toString(),
                    "-f", "null", "-"));
            assertEquals("", said.strip());
            // the last picture is the screen: the xterm's white page (20,20 to about 930,560, its lower part
            // empty) far brighter than the bare root window (black) at the bottom right, not a blank frame
            var png = Files.createTempFile("screencast-", ".png");
            try {
                run(List.of("/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "h264", "-i", file.toString(),
                        "-vf", "select=eq(n\\," + (pictures - 1) + ")", "-frames:v", "1", png.toString()));
                var image = ImageIO.read(png.toFile());
                assertEquals(1280, image.getWidth());
                double xterm = brightness(image, 40, 420, 520, 120);
                double root = brightness(image, 1150, 600, 120, 110);
                assertTrue(xterm > 160 && root < 60, "xterm " + xterm + ", root window " + root);
            } finally {
                Files.deleteIfExists(png);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The mean of R, G and B over a rectangle, 0-255. */
    private static double brightness(java.awt.image.BufferedImage image, int x, int y, int w, int h) {
        long sum = 0;
        for (int j = y; j < y + h; j++) {
            for (int i = x; i < x + w; i++) {
                int p = image.getRGB(i, j);
                sum += (p >> 16 & 0xff) + (p >> 8 & 0xff) + (p & 0xff);
            }
        }
        return sum / (3.0 * w * h);
    }

    @Test
    void keyframesComeAllAlong() {
        try (var viewer = watch(t, id)) {
            assertStartsAtKeyframe(viewer.await(named("h264"), WAIT));
            // every 2 s by the encoder's configuration: over 12 s of pictures that is 6; at least 3 on a busy machine
            int keyframes = 0;
            int pictures = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(12)) {
                var e = viewer.await(named("h264"), WAIT);
                pictures++;
                if (isKeyframe(e)) {
                    keyframes++;
                    assertStartsAtKeyframe(e);
                }
            }
            assertTrue(keyframes >= 3, keyframes + " keyframes in " + pictures + " pictures over 12 s");
            assertTrue(pictures > keyframes, pictures + " pictures, " + keyframes + " keyframes");
        }
    }

    @Test
    void twoViewersShareOneEncoderAndALateOneStartsAtAKeyframe() {
        try (var first = watch(t, id)) {
            assertStartsAtKeyframe(first.await(named("h264"), WAIT));
            // past the first keyframe: the next viewer joins in the middle of a group of pictures
            first.await(e -> e.event().equals("h264") && !isKeyframe(e), WAIT);
            try (var second = watch(t, id)) {
                assertStartsAtKeyframe(second.await(named("h264"), WAIT));
                second.await(named("h264"), WAIT);
                assertEquals(1, encoders(id).size(), "one encoder: " + encoders(id));
                assertEquals("1", sh(id, "pgrep -c -x ffmpeg").strip(), "one ffmpeg, seen inside");
            }
            // the first still watches: the encoder goes on
            first.await(named("h264"), WAIT);
            assertEquals(1, encoders(id).size());
        }
        awaitNoEncoder(id);
        assertEquals("0", sh(id, "pgrep -c -x ffmpeg").strip(), "no ffmpeg left inside");
    }

    @Test
    void theEncoderRunsInsideTheComputersSandboxAndSeesNothingOfTheServer() {
        try (var viewer = watch(t, id)) {
            viewer.await(named("h264"), WAIT);
            var encoder = encoders(id);
            assertEquals(1, encoder.size(), encoder.toString());
            // in the sandbox's pid namespace, as its user, with its environment and none of the server's
            var inside = sh(id, "p=$(pgrep -x ffmpeg); id -u; tr '\\0' '\\n' < /proc/$p/environ | sort; readlink /proc/$p/cwd");
            assertTrue(inside.startsWith("1000\n"), inside);
            assertFalse(inside.contains("JAVA_HOME") || inside.contains("MAVEN") || inside.contains("PORTHOLE"), inside);
            assertTrue(inside.strip().endsWith("\n/"), inside);
        }
        awaitNoEncoder(id);
    }

    @Test
    void thePointersPositionFollowsAMoveMadeByAnAction() {
        move(1100, 650);
        try (var viewer = watch(t, id)) {
            var start = viewer.await(named("cursor_position"), WAIT);
            assertEquals(1100, json(start).path("x").asInt(), start.data());
            assertEquals(650, json(start).path("y").asInt(), start.data());
            move(500, 400);
            viewer.await(e -> e.event().equals("cursor_position") && json(e).path("x").asInt() == 500
                    && json(e).path("y").asInt() == 400, WAIT);
            ok(t.action(id, "click", "{\"x\":1200,\"y\":690}"));
            viewer.await(e -> e.event().equals("cursor_position") && json(e).path("x").asInt() == 1200
                    && json(e).path("y").asInt() == 690, WAIT);
        }
    }

    @Test
    void thePointersShapeComesAtTheStartAndWhenItChanges() throws Exception {
        // on the root window, clear of the xterm (20,20 to about 930,560)
        move(1200, 680);
        try (var viewer = watch(t, id)) {
            var root = viewer.await(named("cursor_update"), WAIT);
            var rootImage = cursor(root);
            move(300, 200);
            var overXterm = viewer.await(named("cursor_update"), WAIT);
            var xtermImage = cursor(overXterm);
            assertFalse(java.util.Arrays.equals(rootImage, xtermImage), "the xterm's cursor differs from the root's");
            move(1210, 690);
            var back = viewer.await(named("cursor_update"), WAIT);
            assertArrayEquals(rootImage, cursor(back), "the root's cursor again");
        }
    }

    /** A cursor_update's picture, checked against its size and hotspot. */
    private static byte[] cursor(SseClient.Event e) throws IOException {
        var c = json(e);
        var png = Base64.getDecoder().decode(c.path("image_data").asText());
        var image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(c.path("width").asInt(), image.getWidth(), e.data());
        assertEquals(c.path("height").asInt(), image.getHeight(), e.data());
        assertTrue(image.getColorModel().hasAlpha(), "a cursor has transparent pixels");
        int x = c.path("hotspot_x").asInt();
        int y = c.path("hotspot_y").asInt();
        assertTrue(x >= 0 && x < image.getWidth() && y >= 0 && y < image.getHeight(), e.data());
        return png;
    }

    @Test
    void theEncoderIsGoneWhenTheComputerEnds() throws Exception {
        var other = t.createComputer("{\"kind\":\"desktop\",\"display\":{\"width\":801,\"height\":601}}");
        List<ProcessHandle> processes;
        try (var viewer = watch(t, other)) {
            var first = viewer.await(named("h264"), WAIT);
            assertStartsAtKeyframe(first);
            assertEquals(1, encoders(other).size());
            processes = Processes.ofComputer(other);
            t.delete(other);
            assertTrue(viewer.awaitEnd(WAIT), "the stream ends with the computer");
        }
        var left = Processes.awaitComputerGone(processes, 20_000);
        assertTrue(left.isEmpty(), "left: " + left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList());
    }

    @Test
    void aScreenOfOddSizeIsSentWithoutItsLastColumnAndRow() throws Exception {
        var other = t.createComputer("{\"kind\":\"desktop\",\"display\":{\"width\":801,\"height\":601}}");
        try (var viewer = watch(t, other)) {
            var first = nalus(viewer.await(named("h264"), WAIT));
            var file = Files.createTempFile("screencast-", ".h264");
            try {
                Files.write(file, first);
                var probe = TestServer.JSON.readTree(run(List.of("/usr/bin/ffprobe", "-v", "error", "-f", "h264",
                        "-show_entries", "stream=width,height", "-of", "json", file.toString())));
                assertEquals(800, probe.path("streams").path(0).path("width").asInt(), probe.toString());
                assertEquals(600, probe.path("streams").path(0).path("height").asInt(), probe.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } finally {
            t.delete(other);
        }
    }

    @Test
    void anEncoderKilledInsideEndsTheStreamWithAnErrorAndTheNextViewerStartsAnother() {
        try (var viewer = watch(t, id)) {
            viewer.await(named("h264"), WAIT);
            sh(id, "pkill -KILL -x ffmpeg");
            var error = viewer.await(named("error"), WAIT);
            assertEquals("stream_ended", json(error).path("code").asText(), error.data());
            assertTrue(json(error).path("message").asText().contains("ffmpeg"), error.data());
            assertTrue(viewer.awaitEnd(WAIT));
        }
        try (var viewer = watch(t, id)) {
            assertStartsAtKeyframe(viewer.await(named("h264"), WAIT));
        }
        awaitNoEncoder(id);
    }

    @Test
    void anUnknownComputerOrNoKeyIsAnOrdinaryError() {
        var unknown = t.call("GET", "/computers/nope/screencast", null);
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("not_found", unknown.json().path("code").asText(), unknown.body());
        var noKey = t.request("GET", "/computers/" + id + "/screencast", null, Map.of());
        assertEquals(401, noKey.status(), noKey.body());
    }

    @Test
    void withoutFfmpegTheServerRunsDesktopsAndRefusesTheirScreencastSayingWhy() {
        try (var logs = new LogCapture()) {
            var server = new TestServer(c -> c.withLive(c.live().withFfmpeg(Path.of("/nonexistent/ffmpeg"))));
            try {
                Await.until("the server to say desktop screencasts are off", 20_000, () -> logs.warningsOrTraces().stream()
                        .anyMatch(l -> l.contains("desktop screencasts are off") && l.contains("/nonexistent/ffmpeg")));
                var desktop = server.createComputer("{\"kind\":\"desktop\"}");
                try (var viewer = watch(server, desktop)) {
                    var error = viewer.await(named("error"), WAIT);
                    assertEquals("unavailable", json(error).path("code").asText(), error.data());
                    var message = json(error).path("message").asText();
                    assertTrue(message.contains("ffmpeg") && message.contains("apt-get install ffmpeg"), message);
                    assertTrue(viewer.awaitEnd(WAIT));
                }
                ok(server.action(desktop, "screenshot", "{}"));
                server.delete(desktop);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void unicodeTypedWithEveryCoreBusyArrivesExactlyWhileTheScreenIsWatched() throws Exception {
        sh(id, "xdotool search --classname xterm windowactivate --sync");
        ok(t.action(id, "click", "{\"x\":100,\"y\":100}"));
        var busy = new ArrayList<Process>();
        try (var viewer = watch(t, id)) {
            viewer.await(named("h264"), WAIT);
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                busy.add(new ProcessBuilder("/bin/sh", "-c", "while :; do :; done")
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            var lines = DesktopTest.UNICODE_LINES;
            for (int i = 0; i < lines.size(); i++) {
                ok(t.action(id, "hotkey", "{\"keys\":[\"Control\",\"u\"]}"));
                var command = "echo '" + lines.get(i) + "' > /workspace/watched" + i + ".txt\n";
                ok(t.action(id, "type", TestServer.JSON.createObjectNode().put("text", command).toString()));
            }
            for (int i = 0; i < lines.size(); i++) {
                var path = "/workspace/watched" + i + ".txt";
                var expected = lines.get(i) + "\n";
                Await.until(path + " to read '" + expected + "'", 10_000,
                        () -> sh(id, "cat " + path + " 2>/dev/null").equals(expected));
            }
            // the stream went on meanwhile
            viewer.await(named("h264"), WAIT);
        } finally {
            for (var p : busy) p.destroyForcibly();
            for (var p : busy) p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
