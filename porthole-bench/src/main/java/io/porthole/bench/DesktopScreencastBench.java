package io.porthole.bench;

import io.porthole.core.live.CaptureSettings;
import io.porthole.desktop.FfmpegEncoder;
import io.porthole.desktop.FlvH264Reader;
import io.porthole.testing.SseClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The desktop screencast rows: pictures a second a viewer gets and the encoder's CPU, on a screen that changes all
 * the time (an xterm running {@code ls -l /usr/bin} in a loop over the desktop's own xterm), against the same ffmpeg
 * command ({@link FfmpegEncoder#command}) run directly on a raw Xvfb desktop of the same programs, read with the same
 * FLV reader. The sides alternate, one encoder and one redrawing xterm at a time; each round watches for a warm-up
 * and then a measured window.
 *
 * <p>Porthole's pictures are counted where a viewer gets them: {@code event: h264} on
 * {@code GET /computers/{id}/screencast}, after the hub, base64 and HTTP. CPU is read from {@code /proc/<pid>/stat}
 * (user + system, and of reaped children) at the start and end of the window: of the ffmpeg process alone, and of
 * every process of the desktop (Porthole: the computer's sandbox, with the pointer's relay; raw: the processes with
 * the raw desktop's marker).
 */
final class DesktopScreencastBench {
    private static final Duration WARMUP = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REDRAW_TITLE = "porthole-bench-redraw";
    private static final String TAG = "screencast";
    /** The xterm that keeps the screen changing, over the desktop's own one. */
    static final List<String> REDRAW = List.of("/usr/bin/xterm", "-fa", "DejaVu Sans Mono", "-fs", "11",
            "-geometry", "100x30+20+20", "-title", REDRAW_TITLE, "-e", "sh", "-c", "while :; do ls -l /usr/bin; done");

    /** What the rows need of the bench that runs them. */
    interface Host {
        PortholeClient api();

        String baseUrl();

        String apiKey();

        /** A new desktop computer, deleted by the bench's cleanup if not by the caller. */
        String createDesktop() throws Exception;

        void deleteComputer(String id) throws Exception;

        RawDesktop startRawDesktop(String tag) throws IOException;

        void killRawDesktop(RawDesktop desktop);

        void error(String message);

        PrintStream log();
    }

    /** Reads the raw encoder's pipe: a platform thread, as the server reads its own. */
    private static final java.util.concurrent.ExecutorService READER = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon(true).name("bench-ffmpeg-reader", 0).factory());

    private final Host host;
    private final int rounds;
    private final Duration window;
    private final CaptureSettings settings = CaptureSettings.DEFAULTS;
    private final Samples fpsPorthole = new Samples();
    private final Samples fpsRaw = new Samples();
    private final Samples encoderCpuPorthole = new Samples();
    private final Samples encoderCpuRaw = new Samples();
    private final Samples desktopCpuPorthole = new Samples();
    private final Samples desktopCpuRaw = new Samples();
    private final Samples encoderRssPorthole = new Samples();
    private final Samples encoderRssRaw = new Samples();
    private final Samples mbitPorthole = new Samples();
    private final Samples mbitRaw = new Samples();
    private final long clockTicks;

    DesktopScreencastBench(Host host, int rounds, Duration window) {
        this.host = host;
        this.rounds = rounds;
        this.window = window;
        this.clockTicks = clockTicks();
    }

    void run() throws Exception {
        var id = host.createDesktop();
        RawDesktop raw = null;
        try {
            raw = host.startRawDesktop(TAG);
            for (int i = 0; i < rounds; i++) {
                var label = "desktop screencast round " + (i + 1) + "/" + rounds;
                boolean portholeFirst = i % 2 == 0;
                var line = new StringBuilder("bench: " + label + ":");
                for (int side = 0; side < 2; side++) {
                    boolean portholeTurn = (side == 0) == portholeFirst;
                    try {
                        line.append(portholeTurn ? " porthole " + porthole(id) : " raw " + raw(raw)).append(';');
                    } catch (Exception e) {
                        host.error(label + " (" + (portholeTurn ? "porthole" : "raw") + "): " + e.getMessage());
                        line.append(portholeTurn ? " porthole FAILED;" : " raw FAILED;");
                    }
                }
                host.log().println(line);
            }
        } finally {
            if (raw != null) host.killRawDesktop(raw);
            host.deleteComputer(id);
        }
    }

    // ---- Porthole: a viewer of /computers/{id}/screencast ----

    private String porthole(String id) throws Exception {
        sh(id, "setsid -f " + String.join(" ", quoted(REDRAW)) + " </dev/null >/dev/null 2>&1");
        var http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (var viewer = SseClient.open(http, host.baseUrl() + "/computers/" + id + "/screencast",
                Map.of("Authorization", "Bearer " + host.apiKey()))) {
            if (viewer.status() != 200) throw new IllegalStateException("GET /screencast answered " + viewer.status());
            awaitPicture(viewer, WAIT);
            var encoder = only(Procs.ofComputer(id, ns -> { }).stream().filter(p -> isFfmpeg(p.cmdline())).toList(),
                    "the computer's ffmpeg");
            Supplier<List<Long>> desktop = () -> Procs.ofComputer(id, ns -> { }).stream().map(Procs.Proc::pid).toList();
            drain(viewer, WARMUP);
            var before = ticks(List.of(encoder.pid()), false);
            var desktopBefore = ticks(desktop.get(), true);
            long t0 = System.nanoTime();
            long[] counted = drain(viewer, window);
            long elapsed = System.nanoTime() - t0;
            var after = ticks(List.of(encoder.pid()), false);
            var desktopAfter = ticks(desktop.get(), true);
            double fps = counted[0] / seconds(elapsed);
            double cpu = cores(before, after, elapsed);
            fpsPorthole.addValue(fps);
            mbitPorthole.addValue(counted[1] * 8 / 1e6 / seconds(elapsed));
            encoderCpuPorthole.addValue(cpu);
            desktopCpuPorthole.addValue(cores(desktopBefore, desktopAfter, elapsed));
            encoderRssPorthole.addValue(rssMb(encoder.pid()));
            return summary(fps, cpu);
        } finally {
            // the bracket keeps the pattern from matching the shell that runs pkill
            var pattern = REDRAW_TITLE.substring(0, REDRAW_TITLE.length() - 1) + "[" + REDRAW_TITLE.charAt(REDRAW_TITLE.length() - 1) + "]";
            sh(id, "pkill -f -- '-title " + pattern + "'; true");
        }
    }

    /** Reads the viewer's events for {@code d}: returns the pictures and their bytes (decoded from base64). */
    private static long[] drain(SseClient viewer, Duration d) throws IOException {
        long deadline = System.nanoTime() + d.toNanos();
        long pictures = 0;
        long bytes = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return new long[] {pictures, bytes};
            var e = viewer.next(Duration.ofNanos(left));
            if (e.isEmpty() || e.get().isComment()) continue;
            var event = e.get().event();
            if (event.equals("error")) throw new IOException("the screencast failed: " + e.get().data());
            if (!event.equals("h264")) continue;
            pictures++;
            var json = PortholeClient.JSON.readTree(e.get().data());
            bytes += json.path("nalu_data").asText().length() * 3L / 4;
        }
    }

    private static void awaitPicture(SseClient viewer, Duration timeout) {
        viewer.await(e -> e.event().equals("h264"), timeout);
    }

    private void sh(String id, String command) throws Exception {
        var body = PortholeClient.JSON.createObjectNode().put("command", command).put("timeout_seconds", 20).toString();
        var r = host.api().post("/computers/" + id + "/exec/sync", body, WAIT);
        if (r.status() != 200 || r.json() == null || r.json().path("exit_code").asInt(-1) != 0) {
            throw new IllegalStateException("exec '" + command + "': " + r.describe());
        }
    }

    // ---- raw: the same ffmpeg command on a raw Xvfb ----

    private String raw(RawDesktop raw) throws Exception {
        var redraw = raw.background("redraw", REDRAW);
        Process ffmpeg = null;
        try {
            var argv = FfmpegEncoder.command(FfmpegEncoder.DEFAULT, ":" + raw.display(), Bench.WIDTH, Bench.HEIGHT, settings);
            ffmpeg = raw.piped("ffmpeg", argv);
            var pictures = new AtomicLong();
            var bytes = new AtomicLong();
            var first = new CompletableFuture<Void>();
            var reader = ffmpeg;
            var done = CompletableFuture.runAsync(() -> {
                try (var in = new java.io.BufferedInputStream(reader.getInputStream(), 1 << 16)) {
                    var flv = new FlvH264Reader(in, 1 << 24);
                    while (true) {
                        var p = flv.next();
                        if (p.isEmpty()) break;
                        pictures.incrementAndGet();
                        bytes.addAndGet(p.get().nalus().length);
                        first.complete(null);
                    }
                } catch (IOException e) {
                    first.completeExceptionally(e);
                }
            }, READER);
            first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Thread.sleep(WARMUP.toMillis()); // the warm-up's length, as on Porthole's side
            var desktop = RawDesktop.MARKER_NAME + "_DESKTOP=" + TAG;
            var before = ticks(List.of(ffmpeg.pid()), false);
            var desktopBefore = ticks(pids(Procs.withEnvironment(desktop)), true);
            long n0 = pictures.get();
            long b0 = bytes.get();
            long t0 = System.nanoTime();
            Thread.sleep(window.toMillis()); // the measured window: the reader counts meanwhile
            long elapsed = System.nanoTime() - t0;
            long n = pictures.get() - n0;
            long b = bytes.get() - b0;
            var after = ticks(List.of(ffmpeg.pid()), false);
            var desktopAfter = ticks(pids(Procs.withEnvironment(desktop)), true);
            double fps = n / seconds(elapsed);
            double cpu = cores(before, after, elapsed);
            fpsRaw.addValue(fps);
            mbitRaw.addValue(b * 8 / 1e6 / seconds(elapsed));
            encoderCpuRaw.addValue(cpu);
            desktopCpuRaw.addValue(cores(desktopBefore, desktopAfter, elapsed));
            encoderRssRaw.addValue(rssMb(ffmpeg.pid()));
            ffmpeg.destroyForcibly();
            ffmpeg.waitFor(10, TimeUnit.SECONDS);
            done.get(10, TimeUnit.SECONDS);
            return summary(fps, cpu);
        } finally {
            if (ffmpeg != null) ffmpeg.destroyForcibly();
            redraw.descendants().forEach(ProcessHandle::destroyForcibly);
            redraw.destroyForcibly();
            redraw.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---- /proc ----

    private static boolean isFfmpeg(String cmdline) {
        return cmdline.startsWith(FfmpegEncoder.DEFAULT + " ");
    }

    private static Procs.Proc only(List<Procs.Proc> found, String what) {
        if (found.size() != 1) throw new IllegalStateException(found.size() + " of " + what + ": " + found);
        return found.getFirst();
    }

    private static List<Long> pids(List<Procs.Proc> procs) {
        return procs.stream().map(Procs.Proc::pid).toList();
    }

    /** CPU ticks of each process: user + system, and with {@code children} those of its reaped children. */
    private static Map<Long, Long> ticks(List<Long> pids, boolean children) {
        var out = new HashMap<Long, Long>();
        for (long pid : pids) {
            try {
                var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
                // after the command's closing parenthesis: state is field 3, utime 14, stime 15, cutime 16, cstime 17
                var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                if (children) t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                out.put(pid, t);
            } catch (IOException | RuntimeException e) {
                // ended
            }
        }
        return out;
    }

    /** Cores used over the window: the ticks the processes alive at its end gained since its start. */
    private double cores(Map<Long, Long> before, Map<Long, Long> after, long elapsedNanos) {
        long ticks = 0;
        for (var e : after.entrySet()) ticks += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        return ticks / (double) clockTicks / seconds(elapsedNanos);
    }

    private static double rssMb(long pid) {
        try {
            for (var line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | RuntimeException e) {
            // ended
        }
        return Double.NaN;
    }

    private static long clockTicks() {
        try {
            var p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            p.waitFor(10, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    private static String summary(double fps, double cores) {
        return String.format(Locale.ROOT, "%.1f fps, ffmpeg %.2f cores", fps, cores);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static List<String> quoted(List<String> argv) {
        var out = new ArrayList<String>();
        for (var a : argv) out.add("'" + a.replace("'", "'\\''") + "'");
        return out;
    }

    // ---- results ----

    /** The rows: header and cells, for the bench's table printer. */
    List<List<String>> table() {
        var rows = new ArrayList<List<String>>();
        rows.add(row("desktop H.264, pictures/s a viewer gets (goal ≥ 20)", fpsPorthole, fpsRaw, "%.1f"));
        rows.add(row("encoder CPU, cores (goal ≤ 0.5)", encoderCpuPorthole, encoderCpuRaw, "%.2f"));
        rows.add(row("whole desktop CPU while watched, cores", desktopCpuPorthole, desktopCpuRaw, "%.2f"));
        rows.add(row("encoder RSS, MiB", encoderRssPorthole, encoderRssRaw, "%.0f"));
        rows.add(row("H.264 bit rate, Mbit/s", mbitPorthole, mbitRaw, "%.2f"));
        return rows;
    }

    static List<String> header() {
        return List.of("desktop screencast", "n", "porthole p50", "porthole range", "raw p50", "raw range", "ratio p50");
    }

    private static List<String> row(String what, Samples p, Samples r, String format) {
        return List.of(what, Integer.toString(p.count()), f(format, p.p50()), range(format, p), f(format, r.p50()),
                range(format, r), Double.isNaN(p.p50()) || Double.isNaN(r.p50()) || r.p50() == 0 ? "—"
                        : String.format(Locale.ROOT, "%.2f", p.p50() / r.p50()));
    }

    private static String f(String format, double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, format, v);
    }

    private static String range(String format, Samples s) {
        return s.count() == 0 ? "—" : f(format, s.min()) + "–" + f(format, s.percentile(100));
    }

    /** What the rows measured, for the notes under the table. */
    List<String> notes() {
        return List.of(String.format(Locale.ROOT, "desktop screencast: %d rounds per side, each %d s of warm-up and %d s "
                        + "measured, sides alternating; the screen changes all the time (an xterm over the desktop's own "
                        + "running `ls -l /usr/bin` in a loop); %d fps asked, keyframe every %d s; the encoder: %s",
                rounds, WARMUP.toSeconds(), window.toSeconds(), settings.maxFps(), settings.keyframeIntervalSeconds(),
                String.join(" ", FfmpegEncoder.command(FfmpegEncoder.DEFAULT, ":N", Bench.WIDTH, Bench.HEIGHT, settings))),
                "desktop screencast: Porthole counts `event: h264` where a viewer gets them (SSE, after the hub and "
                        + "base64); raw counts the pictures the same FLV reader reads from ffmpeg's pipe; CPU is "
                        + "/proc/<pid>/stat user+system over the window (the whole desktop's also counts reaped "
                        + "children: the loop's ls processes)");
    }
}
