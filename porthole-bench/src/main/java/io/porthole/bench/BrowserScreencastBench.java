package io.porthole.bench;

import static io.porthole.engine.cdp.CdpConnection.params;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.engine.cdp.CdpConnection;
import io.porthole.testing.SseClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * The screencast rows: {@code GET /computers/{id}/screencast} against CDP's own screencast on a Chromium started
 * directly ({@link RawBrowser}), in the same run, on the page {@code screencast.html} of porthole-testing (served by
 * its {@link io.porthole.testing.PageServer} on loopback):
 *
 * <ul>
 *   <li><b>frames a second</b> on an animating 1280×720 page (a new picture every animation frame), one viewer:
 *       an SSE client against a raw client that acknowledges every frame at once;
 *   <li><b>CPU per watched computer</b> with 1 and with 5 viewers, while the page animates: the server's JVM
 *       (the viewers are {@code curl} processes, not counted) plus the computer's processes, against the raw
 *       browser's processes plus this JVM (the raw client); the raw side's 5 viewers are 5 CDP sessions, each
 *       with its own screencast, which is what a viewer without a hub has to do;
 *   <li><b>latency</b> from a page change to the frame at the viewer: a click (the page turns from blue to red on
 *       mousedown, and back) until the first frame that shows the new colour arrives, timed from before the click
 *       is sent (HTTP {@code POST /click}; raw: {@code Input.dispatchMouseEvent}) to when the frame's event was
 *       read off the stream (decoded afterwards, off the clock);
 *   <li>Firefox: frames a second and CPU with one viewer (no raw baseline: BiDi has no screencast).
 * </ul>
 *
 * CPU is read from {@code /proc}: this JVM's CPU time, and utime + stime (+ children's) of every process of the
 * computer's sandbox or of the raw browser, alive at the start and the end of the window. Not thread-safe.
 */
final class BrowserScreencastBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(20);
    private static final int WIDTH = 1280;
    private static final int HEIGHT = 720;
    /** How long a rate or a CPU share is measured, after a settling time. */
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofSeconds(2);
    /** Rate windows per side. */
    private static final int RATE_REPEATS = 3;
    /** Clicks per side for the latency row, after a few not counted. */
    private static final int LATENCY_CLICKS = 30;
    private static final int LATENCY_WARMUP = 3;
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux
    private static final int JPEG_QUALITY = 60;

    /** What the bench lends these rows. */
    record Context(PortholeClient api, String baseUrl, String apiKey, HttpClient http, Path chromium, Path workDir,
                   String markerEntry, Set<String> liveComputers, Set<RawBrowser> liveRaw, PrintStream log,
                   Consumer<String> note, Consumer<String> error) {}

    /** CPU over one window: the server (or raw client) process, the browser's processes, and frames a viewer got. */
    private record Cpu(double serverCores, double browserCores, double framesPerSecond) {
        double total() {
            return serverCores + browserCores;
        }
    }

    private final Context c;
    private final Samples fpsPorthole = new Samples();
    private final Samples fpsRaw = new Samples();
    private final Samples fpsFirefox = new Samples();
    private final Samples latencyPorthole = new Samples();
    private final Samples latencyRaw = new Samples();
    private final Samples latencyFirefox = new Samples();
    private final Map<String, Cpu> cpu = new LinkedHashMap<>();
    private io.porthole.testing.PageServer pages;
    private int curlCounter;

    BrowserScreencastBench(Context context) {
        this.c = context;
    }

    void run() throws Exception {
        pages = io.porthole.testing.PageServer.start();
        String computer = null;
        RawBrowser raw = null;
        try {
            computer = create("{}");
            raw = RawBrowser.launch(c.chromium(), c.workDir().resolve("raw").resolve("screencast"), c.http(), WIDTH,
                    HEIGHT, Duration.ofSeconds(30));
            c.liveRaw().add(raw);
            raw.attachToPage(WIDTH, HEIGHT);
            rates(computer, raw);
            cpuRows(computer, raw);
            latency(computer, raw);
        } finally {
            if (raw != null) {
                raw.close();
                c.liveRaw().remove(raw);
            }
            if (computer != null) delete(computer);
        }
        var firefox = create("{\"engine\":\"firefox\"}");
        try {
            navigate(firefox, "screencast.html?animate");
            for (int i = 0; i < RATE_REPEATS; i++) fpsFirefox.addValue(portholeRate(firefox));
            cpu.put("Firefox, animating, nobody watching", portholeCpu(firefox, 0));
            cpu.put("Firefox, animating, 1 viewer", portholeCpu(firefox, 1));
            cpu.put("Firefox, animating, 5 viewers", portholeCpu(firefox, 5));
            navigate(firefox, "screencast.html");
            cpu.put("Firefox, still page, 1 viewer", portholeCpu(firefox, 1));
            firefoxLatency(firefox);
        } finally {
            delete(firefox);
            pages.close();
        }
    }

    // ---- frames a second ----

    private void rates(String computer, RawBrowser raw) throws Exception {
        navigate(computer, "screencast.html?animate");
        raw.navigate(pages.url("screencast.html?animate"), REQUEST_TIMEOUT);
        for (int i = 0; i < RATE_REPEATS; i++) {
            boolean portholeFirst = i % 2 == 0;
            for (int side = 0; side < 2; side++) {
                if ((side == 0) == portholeFirst) {
                    fpsPorthole.addValue(portholeRate(computer));
                } else {
                    fpsRaw.addValue(rawRate(raw));
                }
            }
            c.log().printf(Locale.ROOT, "bench: screencast rate %d/%d: porthole %.1f fps, raw %.1f fps%n", i + 1,
                    RATE_REPEATS, fpsPorthole.p50(), fpsRaw.p50());
        }
        navigate(computer, "screencast.html");
        raw.navigate(pages.url("screencast.html"), REQUEST_TIMEOUT);
    }

    /** Frames one SSE viewer gets a second, over {@link #WINDOW} after {@link #SETTLE}. */
    private double portholeRate(String computer) throws InterruptedException {
        try (var stream = viewer(computer)) {
            long settleEnd = System.nanoTime() + SETTLE.toNanos();
            long end = settleEnd + WINDOW.toNanos();
            int frames = 0;
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                var e = stream.next(Duration.ofNanos(left));
                if (e.isEmpty() || e.get().isComment() || !e.get().event().equals("message")) continue;
                if (e.get().receivedNanos() >= settleEnd && e.get().receivedNanos() < end) frames++;
            }
            return frames / (WINDOW.toNanos() / 1e9);
        }
    }

    /** Frames a raw CDP client gets a second, acknowledging each at once, over the same window. */
    private double rawRate(RawBrowser raw) throws InterruptedException {
        var cast = new RawCast(raw.cdp(), raw.sessionId());
        try {
            long settleEnd = System.nanoTime() + SETTLE.toNanos();
            long end = settleEnd + WINDOW.toNanos();
            int frames = 0;
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) break;
                var f = cast.frames.poll(left, TimeUnit.NANOSECONDS);
                if (f != null && f.receivedNanos() >= settleEnd && f.receivedNanos() < end) frames++;
            }
            return frames / (WINDOW.toNanos() / 1e9);
        } finally {
            cast.close();
        }
    }

    // ---- CPU ----

    private void cpuRows(String computer, RawBrowser raw) throws Exception {
        navigate(computer, "screencast.html?animate");
        raw.navigate(pages.url("screencast.html?animate"), REQUEST_TIMEOUT);
        // the idle baselines: the page animating, nobody watching
        cpu.put("Chromium, animating, nobody watching", portholeCpu(computer, 0));
        cpu.put("raw Chromium, animating, nobody watching", rawCpu(raw, 0));
        for (int viewers : new int[] {1, 5}) {
            cpu.put("Chromium, animating, " + viewers + " viewer" + (viewers == 1 ? "" : "s"), portholeCpu(computer, viewers));
            cpu.put("raw Chromium, animating, " + viewers + " CDP screencast" + (viewers == 1 ? "" : "s"),
                    rawCpu(raw, viewers));
        }
        navigate(computer, "screencast.html");
        raw.navigate(pages.url("screencast.html"), REQUEST_TIMEOUT);
        cpu.put("Chromium, still page, 1 viewer", portholeCpu(computer, 1));
        cpu.put("raw Chromium, still page, 1 CDP screencast", rawCpu(raw, 1));
    }

    /** CPU of the server and the computer while {@code viewers} curl processes read its screencast. */
    private Cpu portholeCpu(String computer, int viewers) throws Exception {
        var curls = new ArrayList<Process>();
        var files = new ArrayList<Path>();
        try {
            for (int i = 0; i < viewers; i++) {
                var file = c.workDir().resolve("screencast-" + (++curlCounter) + ".sse");
                files.add(file);
                var pb = new ProcessBuilder("/usr/bin/curl", "-sN", "-H", "Authorization: Bearer " + c.apiKey(),
                        "-o", file.toString(), c.baseUrl() + "/computers/" + computer + "/screencast")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                var marker = c.markerEntry().split("=", 2);
                pb.environment().put(marker[0], marker[1]);
                curls.add(pb.start());
            }
            Thread.sleep(SETTLE.toMillis());
            var pids = sandboxPids(computer);
            long[] offsets = new long[viewers];
            for (int i = 0; i < viewers; i++) offsets[i] = size(files.get(i));
            var b0 = cpuTicks(pids);
            long j0 = jvmCpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(WINDOW.toMillis());
            long j1 = jvmCpuNanos();
            long t1 = System.nanoTime();
            var b1 = cpuTicks(pids);
            int frames = 0;
            for (int i = 0; i < viewers; i++) frames += dataLinesFrom(files.get(i), offsets[i]);
            for (var p : curls) if (!p.isAlive()) c.note().accept("a curl viewer of " + computer + " ended early");
            double wall = (t1 - t0) / 1e9;
            return new Cpu((j1 - j0) / 1e9 / wall, delta(b0, b1) / (double) CLOCK_TICKS / wall,
                    viewers == 0 ? 0 : frames / (double) viewers / wall);
        } finally {
            for (var p : curls) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
                if (p.isAlive()) p.destroyForcibly();
            }
            for (var f : files) Files.deleteIfExists(f);
        }
    }

    /** CPU of the raw browser and of this JVM (the raw client) while {@code sessions} CDP screencasts run. */
    private Cpu rawCpu(RawBrowser raw, int sessions) throws Exception {
        var casts = new ArrayList<RawCast>();
        try {
            for (int i = 0; i < sessions; i++) {
                var session = i == 0 ? raw.sessionId() : raw.cdp().call("Target.attachToTarget", params()
                        .put("targetId", raw.targetId()).put("flatten", true), null, RawBrowser.CALL_TIMEOUT)
                        .path("sessionId").asText();
                casts.add(new RawCast(raw.cdp(), session));
            }
            Thread.sleep(SETTLE.toMillis());
            var pids = Procs.matching(raw.marker()).stream().map(Procs.Proc::pid).toList();
            long counted0 = casts.stream().mapToLong(RawCast::count).sum();
            var b0 = cpuTicks(pids);
            long j0 = jvmCpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(WINDOW.toMillis());
            long j1 = jvmCpuNanos();
            long t1 = System.nanoTime();
            var b1 = cpuTicks(pids);
            long counted1 = casts.stream().mapToLong(RawCast::count).sum();
            double wall = (t1 - t0) / 1e9;
            return new Cpu((j1 - j0) / 1e9 / wall, delta(b0, b1) / (double) CLOCK_TICKS / wall,
                    sessions == 0 ? 0 : (counted1 - counted0) / (double) sessions / wall);
        } finally {
            for (int i = 0; i < casts.size(); i++) {
                casts.get(i).close();
                if (i > 0) {
                    raw.cdp().send("Target.detachFromTarget", params().put("sessionId", casts.get(i).session), null);
                }
            }
        }
    }

    private List<Long> sandboxPids(String computer) {
        return Procs.ofComputer(computer, n -> {}).stream().map(Procs.Proc::pid).toList();
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime + cutime + cstime of each process, in clock ticks. */
    private static Map<Long, Long> cpuTicks(List<Long> pids) {
        var out = new HashMap<Long, Long>();
        for (var pid : pids) {
            try {
                var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
                var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields 14-17 of stat(5), counted from the state (field 3) here
                out.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]));
            } catch (IOException | RuntimeException e) {
                // ended
            }
        }
        return out;
    }

    private static long delta(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (var e : after.entrySet()) {
            var b = before.get(e.getKey());
            if (b != null) sum += Math.max(0, e.getValue() - b);
        }
        return sum;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static int dataLinesFrom(Path file, long offset) throws IOException {
        if (!Files.exists(file)) return 0;
        var bytes = Files.readAllBytes(file);
        int count = 0;
        var text = new String(bytes, (int) Math.min(offset, bytes.length), bytes.length - (int) Math.min(offset,
                bytes.length), StandardCharsets.US_ASCII);
        for (var line : text.split("\n")) if (line.startsWith("data:")) count++;
        return count;
    }

    // ---- latency ----

    private void latency(String computer, RawBrowser raw) throws Exception {
        navigate(computer, "screencast.html");
        raw.navigate(pages.url("screencast.html"), REQUEST_TIMEOUT);
        try (var stream = viewer(computer)) {
            var cast = new RawCast(raw.cdp(), raw.sessionId());
            try {
                boolean portholeRed = false;
                boolean rawRed = false;
                awaitColour(() -> next(stream), false);
                awaitColour(() -> cast.next(), false);
                for (int i = 0; i < LATENCY_WARMUP + LATENCY_CLICKS; i++) {
                    boolean measured = i >= LATENCY_WARMUP;
                    boolean portholeFirst = i % 2 == 0;
                    for (int side = 0; side < 2; side++) {
                        Thread.sleep(300); // a still page before each change
                        if ((side == 0) == portholeFirst) {
                            portholeRed = !portholeRed;
                            long t0 = System.nanoTime();
                            var res = c.api().post("/computers/" + computer + "/click", "{\"x\":640,\"y\":360}",
                                    REQUEST_TIMEOUT);
                            if (!res.ok()) throw new IllegalStateException("POST /click: " + res.describe());
                            long at = awaitColour(() -> next(stream), portholeRed);
                            if (measured) latencyPorthole.add(at - t0);
                        } else {
                            rawRed = !rawRed;
                            long t0 = System.nanoTime();
                            raw.click(640, 360);
                            long at = awaitColour(() -> cast.next(), rawRed);
                            if (measured) latencyRaw.add(at - t0);
                        }
                    }
                }
            } finally {
                cast.close();
            }
        }
    }

    /** The same clicks on a Firefox computer (no baseline). */
    private void firefoxLatency(String computer) throws Exception {
        try (var stream = viewer(computer)) {
            boolean red = false;
            awaitColour(() -> next(stream), false);
            for (int i = 0; i < LATENCY_WARMUP + LATENCY_CLICKS; i++) {
                Thread.sleep(300);
                red = !red;
                long t0 = System.nanoTime();
                var res = c.api().post("/computers/" + computer + "/click", "{\"x\":640,\"y\":360}", REQUEST_TIMEOUT);
                if (!res.ok()) throw new IllegalStateException("POST /click: " + res.describe());
                long at = awaitColour(() -> next(stream), red);
                if (i >= LATENCY_WARMUP) latencyFirefox.add(at - t0);
            }
        }
    }

    /** One picture: when it was read off the wire, and its JPEG. */
    private record Picture(long receivedNanos, byte[] jpeg) {}

    private static Picture next(SseClient stream) {
        long deadline = System.nanoTime() + FRAME_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var e = stream.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e.isEmpty() || e.get().isComment() || !e.get().event().equals("message")) continue;
            try {
                var data = JSON.readTree(e.get().data()).path("image_data").asText();
                return new Picture(e.get().receivedNanos(), Base64.getDecoder().decode(data));
            } catch (IOException x) {
                throw new IllegalStateException("a frame that is not JSON: " + x.getMessage());
            }
        }
        return null;
    }

    /** Reads pictures until one shows red (or blue): when it arrived. */
    private static long awaitColour(Supplier<Picture> pictures, boolean red) throws IOException {
        long deadline = System.nanoTime() + FRAME_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var p = pictures.get();
            if (p == null) break;
            var img = ImageIO.read(new ByteArrayInputStream(p.jpeg()));
            int rgb = img.getRGB(img.getWidth() / 2, img.getHeight() / 2);
            int r = (rgb >> 16) & 0xff;
            int b = rgb & 0xff;
            if (red ? r > 200 && b < 60 : b > 200 && r < 60) return p.receivedNanos();
        }
        throw new IllegalStateException("no " + (red ? "red" : "blue") + " picture within " + FRAME_TIMEOUT.toSeconds()
                + " s");
    }

    // ---- Porthole's side ----

    private String create(String body) throws Exception {
        var res = c.api().post("/computers", body, CREATE_TIMEOUT);
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (res.status() != 200 || id.isEmpty()) throw new IllegalStateException("POST /computers " + body + ": " + res.describe());
        c.liveComputers().add(id);
        return id;
    }

    private void delete(String id) throws Exception {
        var res = c.api().delete("/computers/" + id, REQUEST_TIMEOUT);
        if (res.status() == 204) c.liveComputers().remove(id);
        else c.error().accept("DELETE /computers/" + id + ": " + res.describe());
    }

    private void navigate(String id, String page) throws Exception {
        var res = c.api().post("/computers/" + id + "/navigate", "{\"url\":\"" + pages.url(page) + "\"}", REQUEST_TIMEOUT);
        JsonNode json = res.json();
        if (!res.ok() || json == null || !json.path("status").asText().equals("success")) {
            throw new IllegalStateException("navigate to " + page + ": " + res.describe());
        }
    }

    private SseClient viewer(String computer) {
        var s = SseClient.open(c.http(), c.baseUrl() + "/computers/" + computer + "/screencast",
                Map.of("Authorization", "Bearer " + c.apiKey()));
        if (s.status() != 200) {
            s.close();
            throw new IllegalStateException("GET /computers/" + computer + "/screencast answered " + s.status());
        }
        return s;
    }

    // ---- the raw side ----

    /**
     * A raw CDP screencast on one session: {@code Page.startScreencast} with Porthole's settings, every frame
     * acknowledged as it arrives, frames queued with the time they were read.
     */
    private static final class RawCast implements AutoCloseable {
        final String session;
        final LinkedBlockingQueue<Picture> frames = new LinkedBlockingQueue<>();
        private final CdpConnection cdp;
        private volatile boolean closed;
        private volatile long count;

        RawCast(CdpConnection cdp, String session) {
            this.cdp = cdp;
            this.session = session;
            cdp.onEvent(e -> {
                if (closed || !e.method().equals("Page.screencastFrame") || !e.sessionId().equals(session)) return;
                long at = System.nanoTime();
                cdp.send("Page.screencastFrameAck", params().put("sessionId", e.params().path("sessionId").asInt()), session);
                count++;
                frames.add(new Picture(at, Base64.getDecoder().decode(e.params().path("data").asText())));
                while (frames.size() > 100) frames.poll();
            });
            cdp.call("Page.startScreencast", params().put("format", "jpeg").put("quality", JPEG_QUALITY)
                    .put("maxWidth", WIDTH).put("maxHeight", HEIGHT), session, RawBrowser.CALL_TIMEOUT);
        }

        long count() {
            return count;
        }

        Picture next() {
            try {
                return frames.poll(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                cdp.call("Page.stopScreencast", params(), session, RawBrowser.CALL_TIMEOUT);
            } catch (RuntimeException e) {
                // the browser is going
            }
        }
    }

    // ---- results ----

    void print(PrintStream out) {
        out.println();
        out.println("Screencast (GET /computers/{id}/screencast, SSE) vs CDP's own screencast on a Chromium started "
                + "directly; 1280×720, JPEG quality " + JPEG_QUALITY + ", Porthole at its default 20 fps cap");
        out.println();
        var rates = new ArrayList<List<String>>();
        rates.add(List.of("frames/s, animating page, 1 viewer", Integer.toString(fpsPorthole.count()),
                fps(fpsPorthole.p50()), fps(fpsPorthole.min()), fps(fpsRaw.p50()), fps(fpsRaw.min())));
        rates.add(List.of("frames/s, Firefox, animating page, 1 viewer", Integer.toString(fpsFirefox.count()),
                fps(fpsFirefox.p50()), fps(fpsFirefox.min()), "—", "—"));
        Markdown.print(out, List.of("rate", "windows", "porthole p50", "porthole min", "raw p50", "raw min"), rates);
        out.println();
        var lat = new ArrayList<List<String>>();
        lat.add(List.of("page change → frame at the viewer", Integer.toString(latencyPorthole.count()),
                Markdown.ms(latencyPorthole.p50()), Markdown.ms(latencyPorthole.p99()), Markdown.ms(latencyRaw.p50()),
                Markdown.ms(latencyRaw.p99()), Markdown.ratio(latencyPorthole.p50(), latencyRaw.p50())));
        lat.add(List.of("Firefox: page change → frame at the viewer", Integer.toString(latencyFirefox.count()),
                Markdown.ms(latencyFirefox.p50()), Markdown.ms(latencyFirefox.p99()), "—", "—", "—"));
        Markdown.print(out, List.of("latency", "n", "porthole p50", "porthole p99", "raw p50", "raw p99", "ratio p50"),
                lat);
        out.println();
        var cpuTable = new ArrayList<List<String>>();
        for (var e : cpu.entrySet()) {
            var v = e.getValue();
            cpuTable.add(List.of(e.getKey(), cores(v.serverCores()), cores(v.browserCores()), cores(v.total()),
                    v.framesPerSecond() == 0 ? "—" : fps(v.framesPerSecond())));
        }
        Markdown.print(out, List.of("CPU, " + WINDOW.toSeconds() + " s window", "server / raw client", "browser", "total",
                "frames/s per viewer"), cpuTable);
        out.println();
        out.println("- rate: frames read by one viewer in a " + WINDOW.toSeconds() + " s window after " + SETTLE.toSeconds()
                + " s, " + RATE_REPEATS + " windows per side alternating; raw acknowledges every frame at once "
                + "(no cap), Porthole holds its acks to the 20 fps cap");
        out.println("- latency: from before the click is sent (POST /click; raw: Input.dispatchMouseEvent move, press, "
                + "release) to the arrival of the first frame showing the page's new colour (it changes on mousedown); "
                + LATENCY_CLICKS + " clicks per side after " + LATENCY_WARMUP + ", alternating, 300 ms apart");
        out.println("- CPU in cores (1.0 = one core busy): server = the Porthole JVM (the viewers are curl processes, not "
                + "counted), raw client = this JVM during the raw windows (a CdpConnection acknowledging frames); "
                + "browser = utime+stime (and reaped children's) of the computer's sandbox processes or the raw "
                + "browser's, alive at both ends of the window; the raw side's N viewers are N CDP sessions with a "
                + "screencast each");
    }

    private static String fps(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String cores(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f", v);
    }
}
