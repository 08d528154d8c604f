package io.porthole.bench;

import io.porthole.core.ComputersConfig;
import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Density: how many Chromium computers one server holds while some of them work. {@code active} computers (20) each
 * take a screenshot ({@code POST /computers/{id}/screenshot}) in a loop, with a pause between two; idle computers
 * (each on the bench's loopback test page, then left alone) are added {@code step} at a time (10), and after each step,
 * once the new ones have settled (into standby, when it is on), the active ones' screenshots are timed over a window.
 * The ramp stops when their p99 passes the threshold (1 s), when a create is refused (429: the server's
 * {@code PORTHOLE_MIN_AVAILABLE_MEMORY_MB} admission, or its computer limit, which this server raises to
 * {@code --density-max}), or at {@code --density-max} computers. Each step's row: the computers alive and how many are
 * in standby, the active screenshots' p50 and p99, the host's MemAvailable, the USS of a few idle computers (median),
 * and the host's busy CPU (from {@code /proc/stat}) in all and per computer. Not thread-safe.
 */
final class DensityBench {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** How many idle computers' USS is read per step (a scan of /proc each: kept few, as it takes CPU). */
    private static final int USS_SAMPLES = 3;
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    static final String USAGE = """
                  --density        run the density mode alone (the groups above are skipped): Chromium
                                   computers added --density-step at a time while --density-active of
                                   them take screenshots in a loop, until the active ones' p99 passes
                                   --density-p99-ms, a create is refused (429), or --density-max
                  --density-step   idle computers added per step (default 10)
                  --density-active active computers (default 20)
                  --density-max    computers at most, active included; also the server's computer limit
                                   (default 300)
                  --density-standby-seconds
                                   the server's auto-standby (default 10; 0 = off)
                  --density-window-seconds
                                   how long the active screenshots are timed per step (default 20)
                  --density-pause-ms
                                   pause between two screenshots of an active computer (default 1000)
                  --density-p99-ms the threshold of the active screenshots' p99 (default 1000)
                """;

    /** What the bench lends this mode. */
    record Context(ServerConfig base, String apiKey, HttpClient http, Path workDir, String pageUrl, PrintStream log,
                   Consumer<String> error) {}

    /** The options of this mode, from the bench's {@code --density*} arguments. */
    record Options(boolean on, int step, int active, int max, long standbySeconds, Duration window, Duration pause,
                   double p99LimitMillis) {
        static Options parse(Map<String, String> args) {
            boolean on = false;
            int step = 10;
            int active = 20;
            int max = 300;
            long standby = 10;
            int window = 20;
            int pause = 1000;
            int p99 = 1000;
            for (var e : args.entrySet()) {
                var v = e.getValue();
                switch (e.getKey()) {
                    case "--density" -> on = true;
                    case "--density-step" -> step = Bench.positiveOption(e.getKey(), v);
                    case "--density-active" -> active = Bench.positiveOption(e.getKey(), v);
                    case "--density-max" -> max = Bench.positiveOption(e.getKey(), v);
                    case "--density-standby-seconds" -> standby = Bench.nonNegativeOption(e.getKey(), v);
                    case "--density-window-seconds" -> window = Bench.positiveOption(e.getKey(), v);
                    case "--density-pause-ms" -> pause = Bench.nonNegativeOption(e.getKey(), v);
                    case "--density-p99-ms" -> p99 = Bench.positiveOption(e.getKey(), v);
                    default -> throw new IllegalArgumentException("unknown argument '" + e.getKey() + "'");
                }
            }
            if (max < active) throw new IllegalArgumentException("--density-max must be at least --density-active");
            return new Options(on, step, active, max, standby, Duration.ofSeconds(window), Duration.ofMillis(pause), p99);
        }
    }

    /** One step of the ramp. */
    record StepRow(int computers, int idle, int inStandby, int screenshots, int failed, double p50, double p99,
                   long memAvailableKb, long ussPerIdleKb, double hostCores, double perComputer) {}

    private final Context ctx;
    private final Options options;
    private final List<StepRow> steps = new ArrayList<>();
    private final List<String> activeIds = new ArrayList<>();
    private final List<String> idleIds = new ArrayList<>();
    /** (end nanos, latency nanos) of every active screenshot; failures as latency -1. */
    private final ConcurrentLinkedQueue<long[]> shots = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private String stoppedBecause = "";
    private long memAvailableAtStart;

    DensityBench(Context ctx, Options options) {
        this.ctx = ctx;
        this.options = options;
    }

    void run() throws Exception {
        var dir = ctx.workDir().resolve("density-server");
        Files.createDirectories(dir);
        var c = ctx.base().computers();
        // idle computers must outlive the run: an inactivity timeout of an hour rather than 5 minutes
        var computers = new ComputersConfig(3600, 3600, c.maxLifetimeCapSeconds(), options.max(), c.defaultWidth(),
                c.defaultHeight(), c.screencast(), c.minAvailableMemoryBytes(), options.standbySeconds(), java.util.Map.of());
        memAvailableAtStart = memAvailableKb();
        try (var server = PortholeServer.start(ctx.base().withComputers(computers).toBuilder().dataDir(dir).build())) {
            var api = new PortholeClient(ctx.http(), server.baseUrl(), ctx.apiKey());
            var loops = Executors.newVirtualThreadPerTaskExecutor();
            try {
                ramp(api, loops);
            } finally {
                stop.set(true);
                loops.shutdown();
                loops.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
                deleteAll(api);
            }
        }
    }

    private void ramp(PortholeClient api, java.util.concurrent.ExecutorService loops) throws Exception {
        for (int i = 0; i < options.active(); i++) {
            var id = create(api);
            if (id == null) {
                stoppedBecause = "a create was refused before the active computers were all made: " + stoppedBecause;
                return;
            }
            activeIds.add(id);
        }
        ctx.log().printf(Locale.ROOT, "bench: density: %d active computers made%n", activeIds.size());
        for (var id : activeIds) loops.submit(() -> screenshotLoop(api, id));
        measure(api); // the active ones alone
        while (activeIds.size() + idleIds.size() < options.max()) {
            int n = Math.min(options.step(), options.max() - activeIds.size() - idleIds.size());
            for (int i = 0; i < n; i++) {
                var id = create(api);
                if (id == null) {
                    measure(api);
                    return;
                }
                idleIds.add(id);
            }
            var row = measure(api);
            if (row.p99() > options.p99LimitMillis()) {
                stoppedBecause = String.format(Locale.ROOT, "the active screenshots' p99 (%.0f ms) passed %.0f ms",
                        row.p99(), options.p99LimitMillis());
                return;
            }
        }
        stoppedBecause = "--density-max (" + options.max() + ") reached";
    }

    private void screenshotLoop(PortholeClient api, String id) {
        while (!stop.get()) {
            long t0 = System.nanoTime();
            long took;
            try {
                var r = api.post("/computers/" + id + "/screenshot", "{}", REQUEST_TIMEOUT);
                took = r.status() == 200 && r.json().path("status").asText().equals("success") ? System.nanoTime() - t0 : -1;
            } catch (IOException e) {
                took = -1;
            } catch (InterruptedException e) {
                return;
            }
            shots.add(new long[] {System.nanoTime(), took});
            try {
                Thread.sleep(options.pause().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Creates a computer on the test page; null (and the reason kept) if the server refused it with a 429. */
    private String create(PortholeClient api) throws Exception {
        var r = api.post("/computers", "{}", CREATE_TIMEOUT);
        if (r.status() == 429) {
            stoppedBecause = "a create was refused: " + r.describe();
            ctx.log().println("bench: density: " + stoppedBecause);
            return null;
        }
        if (r.status() != 200) throw new IllegalStateException("POST /computers: " + r.describe());
        var id = r.json().path("id").asText();
        var nav = api.post("/computers/" + id + "/navigate", PortholeClient.JSON.createObjectNode()
                .put("url", ctx.pageUrl()).toString(), REQUEST_TIMEOUT);
        if (nav.status() != 200 || !nav.json().path("status").asText().equals("success")) {
            ctx.error().accept("density: navigate " + id + ": " + nav.describe());
        }
        return id;
    }

    /** Lets the newest computers settle, then times the active screenshots over a window; adds and returns the row. */
    private StepRow measure(PortholeClient api) throws Exception {
        long settle = options.standbySeconds() > 0 ? options.standbySeconds() + 5 : 10;
        Thread.sleep(settle * 1000);
        long[] cpu0 = hostTicks();
        long from = System.nanoTime();
        Thread.sleep(options.window().toMillis());
        long to = System.nanoTime();
        long[] cpu1 = hostTicks();
        var lat = new Samples();
        int failed = 0;
        for (var s : shots) {
            if (s[0] < from || s[0] > to) continue;
            if (s[1] < 0) failed++;
            else lat.add(s[1]);
        }
        shots.removeIf(s -> s[0] <= to);
        double cores = (cpu1[0] - cpu0[0]) / (double) CLOCK_TICKS / ((to - from) / 1e9);
        int total = activeIds.size() + idleIds.size();
        int standby = 0;
        for (var id : idleIds) {
            var r = api.get("/computers/" + id, REQUEST_TIMEOUT);
            if (r.status() == 200 && r.json().path("standby").asBoolean(false)) standby++;
        }
        var uss = new ArrayList<Long>();
        for (int i = 0; i < Math.min(USS_SAMPLES, idleIds.size()); i++) {
            var id = idleIds.get(idleIds.size() - 1 - i * Math.max(1, idleIds.size() / USS_SAMPLES));
            try {
                uss.add(MemoryBench.reading(id).ussKb());
            } catch (RuntimeException e) {
                ctx.error().accept("density: memory of " + id + ": " + e.getMessage());
            }
        }
        uss.sort(null);
        long ussMedian = uss.isEmpty() ? -1 : uss.get((uss.size() - 1) / 2);
        var row = new StepRow(total, idleIds.size(), standby, lat.count(), failed, lat.p50(), lat.p99(),
                memAvailableKb(), ussMedian, cores, cores / total);
        steps.add(row);
        ctx.log().printf(Locale.ROOT, "bench: density: %d computers (%d idle, %d in standby): screenshot p50 %s p99 %s "
                        + "(%d, %d failed), MemAvailable %s, USS per idle computer %s, host CPU %.2f cores (%.2f %% "
                        + "per computer)%n", total, idleIds.size(), standby, Markdown.ms(row.p50()), Markdown.ms(row.p99()),
                row.screenshots(), failed, MemoryBench.mib(row.memAvailableKb()), MemoryBench.mib(ussMedian), cores,
                row.perComputer() * 100);
        return row;
    }

    private void deleteAll(PortholeClient api) throws InterruptedException {
        var all = new ArrayList<String>(activeIds);
        all.addAll(idleIds);
        var failures = new AtomicInteger();
        try (var pool = Executors.newFixedThreadPool(4)) {
            for (var id : all) {
                pool.submit(() -> {
                    try {
                        var r = api.delete("/computers/" + id, CREATE_TIMEOUT);
                        if (r.status() != 204) {
                            failures.incrementAndGet();
                            ctx.error().accept("density: DELETE /computers/" + id + ": " + r.describe());
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                        ctx.error().accept("density: DELETE /computers/" + id + ": " + e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
        ctx.log().printf(Locale.ROOT, "bench: density: %d computers deleted, %d failed%n", all.size() - failures.get(),
                failures.get());
    }

    /** Busy and total ticks of all CPUs, from /proc/stat's first line. */
    private static long[] hostTicks() throws IOException {
        var f = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
        return new long[] {total - idle, total};
    }

    private static long memAvailableKb() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    // ---- output ----

    void print(PrintStream out) {
        var header = List.of("computers", "idle (in standby)", "active screenshots", "p50", "p99", "MemAvailable",
                "USS per idle computer", "host CPU", "CPU per computer");
        var table = new ArrayList<List<String>>();
        for (var r : steps) {
            table.add(List.of(Integer.toString(r.computers()), r.idle() + " (" + r.inStandby() + ")",
                    r.screenshots() + (r.failed() > 0 ? " (" + r.failed() + " failed)" : ""), Markdown.ms(r.p50()),
                    Markdown.ms(r.p99()), MemoryBench.mib(r.memAvailableKb()), MemoryBench.mib(r.ussPerIdleKb()),
                    String.format(Locale.ROOT, "%.2f cores", r.hostCores()),
                    String.format(Locale.ROOT, "%.2f %%", r.perComputer() * 100)));
        }
        Markdown.print(out, header, table);
        out.println();
        StepRow best = null;
        for (var r : steps) if (r.p99() <= options.p99LimitMillis() && (best == null || r.computers() > best.computers())) best = r;
        out.printf(Locale.ROOT, "- density: %d active Chromium computers each taking a screenshot (POST "
                        + "/computers/{id}/screenshot {}) then pausing %d ms, in a loop; idle ones (on the loopback test "
                        + "page) added %d at a time; after each step %s, then the active screenshots timed over %d s; "
                        + "standby %s; host CPU from /proc/stat (all processes on the machine, the server's JVM "
                        + "included), per computer = host CPU / computers; MemAvailable was %s at the start%n",
                options.active(), options.pause().toMillis(), options.step(), options.standbySeconds() > 0
                        ? "a wait of " + (options.standbySeconds() + 5) + " s (the new ones go into standby)" : "a wait of 10 s",
                options.window().toSeconds(), options.standbySeconds() > 0 ? "after " + options.standbySeconds() + " s" : "off",
                MemoryBench.mib(memAvailableAtStart));
        out.println("- stopped: " + stoppedBecause);
        if (best != null) {
            out.printf(Locale.ROOT, "- the most computers with the active screenshots' p99 under %.0f ms: %d (%d idle, "
                    + "%d active)%n", options.p99LimitMillis(), best.computers(), best.idle(), options.active());
        }
        out.println();
    }
}
