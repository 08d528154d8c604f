package io.porthole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.core.ComputersConfig;
import io.porthole.core.PoolShape;
import io.porthole.core.internal.Steps;
import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The warm pool rows (issue 12), each against a baseline measured in the same run. Each side has an in-process server
 * of its own (data under the bench's work directory, a limit of {@link #MAX_COMPUTERS} computers), closed with its
 * computers when its rows are done:
 *
 * <ul>
 *   <li><b>create → ready from the pool</b>: {@code POST /computers {}} on a server with {@code PORTHOLE_POOL=chromium:1},
 *       each create made only once {@code GET /admin/pool} says the pool is full again and nothing is starting (so
 *       every create is a claim: checked by the pool's {@code claims} and {@code misses} and by the {@code created}
 *       replay event's {@code pooled}), each followed by an untimed delete; against the same create on a server of
 *       this build without a pool (cold), and a bare Chromium launch (as the create → ready row of {@link Bench});
 *       the three sides rotate. Also the claim of a pooled computer that waited in standby (frozen);
 *   <li><b>the full lifecycle</b>: create, Playwright's {@code connectOverCDP} to the computer's CDP endpoint,
 *       {@code goto} the bench's test page, disconnect, delete, from the pool and cold; against the same Playwright
 *       steps on a bare Chromium that is already running. Playwright runs in one long-lived node process
 *       ({@code playwright-lifecycle.js}), so node's start is not timed;
 *   <li><b>a burst</b> of creates at once: with pools of the sizes asked for and without a pool, and a burst of
 *       bare Chromium launches; wall time, each create's time, and how many the pool served.
 * </ul>
 *
 * Not thread-safe.
 */
final class PoolBench {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POOL_FULL_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
    /** The computer limit of these servers: room for a burst and a full pool at once. */
    static final int MAX_COMPUTERS = 64;
    /** After the pool is full again, before the next side: the new pooled browser's own start-up work settles. */
    private static final long SETTLE_MILLIS = 300;
    /** After a big pool is full, before a burst. */
    private static final long BURST_SETTLE_MILLIS = 3000;
    private static final int WARMUP = 2;
    /** The standby time of the server whose pooled computers wait frozen. */
    private static final long STANDBY_SECONDS = 1;
    /** What a browser computer is taken to need, to decide whether a burst beside a full pool fits in memory. */
    private static final long BROWSER_BYTES = 400L << 20;
    private static final long MEMORY_MARGIN = 2L << 30;
    private static final String PAGE_TITLE = "porthole bench";

    /** The pool rows' own options: {@code --pool-iterations}, {@code --pool-lifecycle-iterations}, {@code --pool-burst}, {@code --pool-burst-pools}. */
    record Settings(int iterations, int lifecycleIterations, int burst, List<Integer> burstPools) {
        static final Settings DEFAULTS = new Settings(50, 20, 20, List.of(4, 20));
        static final String USAGE = """
                  --pool-iterations
                                   creates from the pool per side (pool, cold, bare launch), measured,
                                   after 2 warm-up; 0 for none (default 50)
                  --pool-lifecycle-iterations
                                   create + Playwright connect + goto + delete per side, measured, after
                                   2 warm-up; 0 for none (default 20)
                  --pool-burst     creates sent at once in the burst rows; 0 for none (default 20)
                  --pool-burst-pools
                                   pool sizes the burst runs against, besides no pool (default 4,20)
                """.stripTrailing();

        Settings with(String name, String value) {
            return switch (name) {
                case "--pool-iterations" -> new Settings(count(name, value), lifecycleIterations, burst, burstPools);
                case "--pool-lifecycle-iterations" -> new Settings(iterations, count(name, value), burst, burstPools);
                case "--pool-burst" -> new Settings(iterations, lifecycleIterations, count(name, value), burstPools);
                case "--pool-burst-pools" -> {
                    var sizes = new ArrayList<Integer>();
                    for (var s : value.split(",")) if (!s.isBlank()) sizes.add(positive(name, s.trim()));
                    yield new Settings(iterations, lifecycleIterations, burst, List.copyOf(sizes));
                }
                default -> throw new IllegalArgumentException("unknown argument '" + name + "'");
            };
        }

        /** A number of iterations or creates; 0 leaves those rows out. */
        private static int count(String name, String value) {
            return value.equals("0") ? 0 : positive(name, value);
        }

        private static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n < 1) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " needs a whole number >= 1, not '" + value + "'");
            }
        }
    }

    /** What the bench lends these rows. */
    record Context(ServerConfig base, String apiKey, HttpClient http, Path workDir, Path chromium, String pageUrl,
                   Settings settings, Set<RawBrowser> liveRaw, String marker, PrintStream log, Consumer<String> error) {}

    /** One row: Porthole's samples and the baseline's. */
    private record Row(String operation, Samples porthole, Samples raw, String note) {}

    /** One burst: what it ran against, and what happened. */
    private record Burst(String what, int pool, int creates, int ok, int pooled, long claims, long misses,
                         int maxStarting, long wallNanos, Samples each, String note) {}

    private final Context ctx;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<Burst> bursts = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** The server's own steps of the measured claims (Computers logs them at DEBUG), by step. */
    private final Map<String, Samples> claimSteps = new LinkedHashMap<>();
    private final Samples claimServer = new Samples();
    /** The same for the claims of pooled computers in standby. */
    private final Map<String, Samples> standbyClaimSteps = new LinkedHashMap<>();
    private final Samples standbyClaimServer = new Samples();
    /** The lifecycle rows' parts, by side and part. */
    private final Map<String, Samples> parts = new LinkedHashMap<>();
    private int servers;
    /** Lifecycles from the pool during which the pool's refill had started by the time the delete answered. */
    private int refillsDuringLifecycle;
    private int rawCounter;

    PoolBench(Context ctx) {
        this.ctx = ctx;
    }

    void run() {
        for (var step : List.<Step>of(this::claims, this::standbyClaims, this::lifecycle, this::bursts)) {
            try {
                step.run();
            } catch (Exception e) {
                ctx.error().accept("pool: " + e);
            }
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    // ---- create -> ready from the pool ----

    private void claims() throws Exception {
        if (ctx.settings().iterations() == 0) return;
        var pool = new Samples();
        var cold = new Samples();
        var launch = new Samples();
        rows.put("create → ready, from the pool", new Row("create → ready, from the pool", pool, cold,
                "POST /computers {} on a server with PORTHOLE_POOL=chromium:1, made once GET /admin/pool says it is full"
                        + " and nothing starts, so that each is a claim (checked), vs the same on a server of this build"
                        + " without a pool (raw column: a cold create)"));
        rows.put("create → ready, from the pool, vs a bare launch", new Row("create → ready, from the pool, vs a bare"
                + " launch", pool, launch, "porthole column = the row above's; raw = a bare Chromium launched until it"
                + " answers Target.getTargets (as Bench's create → ready row)"));
        rows.put("create → ready, cold, vs a bare launch", new Row("create → ready, cold, vs a bare launch", cold, launch,
                "porthole column = the cold creates of the first row (a server without a pool); raw = the bare launches"));
        var listener = new StepListener();
        try (var pooled = server("claims", "chromium:1", ComputersConfig.DEFAULT_STANDBY_AFTER_SECONDS);
             var unpooled = server("cold", "off", ComputersConfig.DEFAULT_STANDBY_AFTER_SECONDS)) {
            var p = api(pooled);
            var c = api(unpooled);
            int n = ctx.settings().iterations();
            int notPooled = 0;
            var deletes = new Samples[] {new Samples(), new Samples()};
            for (int i = 0; i < WARMUP + n; i++) {
                boolean measured = i >= WARMUP;
                var line = new StringBuilder("bench: pool claims " + (measured ? "iteration " + (i - WARMUP + 1) + "/" + n
                        : "warm-up " + (i + 1) + "/" + WARMUP) + ":");
                for (int side = 0; side < 3; side++) {
                    int turn = (side + i) % 3;
                    awaitFull(p, POOL_FULL_TIMEOUT);
                    Thread.sleep(SETTLE_MILLIS);
                    try {
                        if (turn == 0) {
                            var before = poolStats(p);
                            listener.begin();
                            var created = create(p);
                            listener.end(measured ? this::keepClaimSteps : null);
                            var after = poolStats(p);
                            boolean claimed = after.path("claims").asLong() == before.path("claims").asLong() + 1
                                    && after.path("misses").asLong() == before.path("misses").asLong();
                            boolean flagged = pooledFlag(p, created.id());
                            long d0 = System.nanoTime();
                            delete(p, created.id());
                            if (measured) deletes[0].add(System.nanoTime() - d0);
                            if (!claimed || !flagged) {
                                notPooled++;
                                throw new IllegalStateException("create " + created.id() + " was not served by the pool"
                                        + " (claims " + before.path("claims") + " → " + after.path("claims") + ", misses "
                                        + before.path("misses") + " → " + after.path("misses") + ", pooled " + flagged + ")");
                            }
                            if (measured) pool.add(created.nanos());
                            line.append(String.format(Locale.ROOT, " pool %.1f ms;", created.nanos() / 1e6));
                        } else if (turn == 1) {
                            var created = create(c);
                            boolean flagged = pooledFlag(c, created.id());
                            long d0 = System.nanoTime();
                            delete(c, created.id());
                            if (measured) deletes[1].add(System.nanoTime() - d0);
                            if (flagged) throw new IllegalStateException("a create on the server without a pool says pooled");
                            if (measured) cold.add(created.nanos());
                            line.append(String.format(Locale.ROOT, " cold %.0f ms;", created.nanos() / 1e6));
                        } else {
                            long nanos = launchAndKill();
                            if (measured) launch.add(nanos);
                            line.append(String.format(Locale.ROOT, " bare launch %.0f ms;", nanos / 1e6));
                        }
                    } catch (Exception e) {
                        (turn == 0 ? pool : turn == 1 ? cold : launch).error();
                        ctx.error().accept("pool claims (" + (turn == 0 ? "pool" : turn == 1 ? "cold" : "launch") + "): "
                                + e.getMessage());
                    }
                }
                ctx.log().println(line);
            }
            var stats = poolStats(p);
            notes.add(String.format(Locale.ROOT, "claims: the pooled server's GET /admin/pool at the end: claims %d, misses"
                            + " %d, started %d, failed %d (warm-up included); creates not served by the pool: %d",
                    stats.path("claims").asLong(), stats.path("misses").asLong(), shape(stats).path("started").asLong(),
                    shape(stats).path("failed").asLong(), notPooled));
            notes.add("claims: the untimed deletes right after each create (after GET replay-events) took p50 "
                    + Markdown.ms(deletes[0].p50()) + " (p99 " + Markdown.ms(deletes[0].p99()) + ") from the pool, and "
                    + Markdown.ms(deletes[1].p50()) + " (p99 " + Markdown.ms(deletes[1].p99()) + ") cold");
        } finally {
            listener.close();
        }
    }

    private void keepClaimSteps(List<Steps.Step> steps, long total) {
        for (var s : steps) claimSteps.computeIfAbsent(s.name(), k -> new Samples()).add(s.nanos());
        claimServer.add(total);
    }

    private void keepStandbyClaimSteps(List<Steps.Step> steps, long total) {
        for (var s : steps) standbyClaimSteps.computeIfAbsent(s.name(), k -> new Samples()).add(s.nanos());
        standbyClaimServer.add(total);
    }

    /** The claim of a pooled computer that waited long enough to be in standby (frozen), against an awake one's. */
    private void standbyClaims() throws Exception {
        if (ctx.settings().iterations() == 0) return;
        var frozen = new Samples();
        var awake = rows.get("create → ready, from the pool").porthole();
        rows.put("create → ready, from the pool, pooled computer in standby", new Row("create → ready, from the pool,"
                + " pooled computer in standby", frozen, awake, "the same create on a server with standby after "
                + STANDBY_SECONDS + " s, made " + (STANDBY_SECONDS + 1) + " s after the pool was full, so that the"
                + " pooled computer waits frozen and the claim thaws it; raw column = the awake claims of the first row"));
        int n = Math.max(1, ctx.settings().iterations() / 2);
        int wasFrozen = 0;
        var listener = new StepListener();
        try (var pooled = server("claims-standby", "chromium:1", STANDBY_SECONDS)) {
            var p = api(pooled);
            for (int i = 0; i < WARMUP + n; i++) {
                boolean measured = i >= WARMUP;
                awaitFull(p, POOL_FULL_TIMEOUT);
                Thread.sleep(TimeUnit.SECONDS.toMillis(STANDBY_SECONDS + 1));
                var frozenBefore = frozenComputers();
                try {
                    var before = poolStats(p);
                    listener.begin();
                    var created = create(p);
                    listener.end(measured ? this::keepStandbyClaimSteps : null);
                    var after = poolStats(p);
                    delete(p, created.id());
                    if (after.path("claims").asLong() != before.path("claims").asLong() + 1) {
                        throw new IllegalStateException("create " + created.id() + " was not served by the pool");
                    }
                    if (measured) {
                        frozen.add(created.nanos());
                        if (frozenBefore.contains(created.id())) wasFrozen++;
                    }
                    ctx.log().printf(Locale.ROOT, "bench: pool claim in standby %s: %.1f ms (%s)%n", measured
                                    ? "iteration " + (i - WARMUP + 1) + "/" + n : "warm-up " + (i + 1) + "/" + WARMUP,
                            created.nanos() / 1e6, frozenBefore.contains(created.id()) ? "was frozen" : "was NOT frozen");
                } catch (Exception e) {
                    frozen.error();
                    ctx.error().accept("pool claim in standby: " + e.getMessage());
                }
            }
        } finally {
            listener.close();
        }
        notes.add("claims in standby: " + wasFrozen + " of " + frozen.count() + " measured claims took a computer whose"
                + " freezer cgroup read frozen just before (v1 freezer.state FROZEN or v2 cgroup.freeze 1)");
    }

    // ---- create, connect, goto, delete ----

    private void lifecycle() throws Exception {
        if (ctx.settings().lifecycleIterations() == 0) return;
        var pooledRow = new Row("full lifecycle, from the pool", new Samples(), new Samples(), "POST /computers {} (a claim,"
                + " as above) + Playwright chromium.connectOverCDP(ws://…/computers/{id}/cdp, Authorization header) +"
                + " page.goto(the bench's test page) on the browser's first page + browser.close() (disconnects) +"
                + " DELETE /computers/{id}, timed from the bench (one long-lived node process runs Playwright) vs the same"
                + " Playwright steps on a bare Chromium already running (connect, goto, disconnect)");
        var coldRow = new Row("full lifecycle, cold", new Samples(), pooledRow.raw(), "the same on the server without a"
                + " pool; raw column = the row above's");
        rows.put(pooledRow.operation(), pooledRow);
        rows.put(coldRow.operation(), coldRow);
        var prepared = NodeClient.prepare(ctx.marker());
        if (prepared.client() == null) {
            notes.add("full lifecycle rows skipped: " + prepared.unavailable());
            return;
        }
        notes.add("Playwright: playwright-core " + prepared.client().playwrightVersion() + " on node "
                + prepared.client().version());
        var process = prepared.client().start("playwright-lifecycle.js", Map.of(), ctx.marker());
        RawBrowser raw = null;
        try (var node = new NodeLoop(process);
             var pooled = server("lifecycle", "chromium:1", ComputersConfig.DEFAULT_STANDBY_AFTER_SECONDS);
             var unpooled = server("lifecycle-cold", "off", ComputersConfig.DEFAULT_STANDBY_AFTER_SECONDS)) {
            var p = api(pooled);
            var c = api(unpooled);
            raw = RawBrowser.launch(ctx.chromium(), ctx.workDir().resolve("raw").resolve("pool-lifecycle"), ctx.http(),
                    Bench.WIDTH, Bench.HEIGHT, LAUNCH_TIMEOUT);
            ctx.liveRaw().add(raw);
            int n = ctx.settings().lifecycleIterations();
            for (int i = 0; i < WARMUP + n; i++) {
                boolean measured = i >= WARMUP;
                var line = new StringBuilder("bench: pool lifecycle " + (measured ? "iteration " + (i - WARMUP + 1) + "/"
                        + n : "warm-up " + (i + 1) + "/" + WARMUP) + ":");
                var page = ctx.pageUrl() + "?n=" + i;
                for (int side = 0; side < 3; side++) {
                    int turn = (side + i) % 3;
                    awaitFull(p, POOL_FULL_TIMEOUT);
                    Thread.sleep(SETTLE_MILLIS);
                    var who = turn == 0 ? "pool" : turn == 1 ? "cold" : "raw";
                    try {
                        if (turn < 2) {
                            var server = turn == 0 ? pooled : unpooled;
                            var api = turn == 0 ? p : c;
                            var before = turn == 0 ? poolStats(p) : null;
                            long t0 = System.nanoTime();
                            var created = create(api);
                            var cdp = server.baseUrl().replaceFirst("^http", "ws") + "/computers/" + created.id() + "/cdp";
                            long t1 = System.nanoTime();
                            var answer = node.call(cdp, page, Map.of("Authorization", "Bearer " + ctx.apiKey()));
                            long t2 = System.nanoTime();
                            var del = api.delete("/computers/" + created.id(), REQUEST_TIMEOUT);
                            long t3 = System.nanoTime();
                            if (del.status() != 204) throw new IllegalStateException("DELETE: " + del.describe());
                            if (turn == 0 && !pooledFlag(api, created.id())) {
                                throw new IllegalStateException(created.id() + " was not served by the pool");
                            }
                            // the pool's refill of the claimed computer: under way, or done, by the end
                            var after = turn == 0 ? poolStats(p) : null;
                            boolean refilled = turn == 0 && (after.path("starting").asInt() > 0
                                    || shape(after).path("started").asLong() > shape(before).path("started").asLong());
                            if (measured && refilled) refillsDuringLifecycle++;
                            if (measured) {
                                (turn == 0 ? pooledRow : coldRow).porthole().add(t3 - t0);
                                part(who, "create", created.nanos());
                                part(who, "connectOverCDP", nanos(answer.path("connectMs").asDouble()));
                                part(who, "goto", nanos(answer.path("gotoMs").asDouble()));
                                part(who, "disconnect", nanos(answer.path("closeMs").asDouble()));
                                part(who, "node round trip, less its own timings", (t2 - t1) - nanos(answer.path("connectMs")
                                        .asDouble() + answer.path("gotoMs").asDouble() + answer.path("closeMs").asDouble()));
                                part(who, "delete", t3 - t2);
                            }
                            line.append(String.format(Locale.ROOT, " %s %.0f ms (create %.0f, connect %.0f, goto %.0f,"
                                            + " disconnect %.0f, delete %.0f);", who, (t3 - t0) / 1e6,
                                    created.nanos() / 1e6, answer.path("connectMs").asDouble(),
                                    answer.path("gotoMs").asDouble(), answer.path("closeMs").asDouble(), (t3 - t2) / 1e6));
                        } else {
                            long t0 = System.nanoTime();
                            var answer = node.call(raw.devtoolsUrl(), page, Map.of());
                            long t1 = System.nanoTime();
                            if (measured) {
                                pooledRow.raw().add(t1 - t0);
                                part(who, "connectOverCDP", nanos(answer.path("connectMs").asDouble()));
                                part(who, "goto", nanos(answer.path("gotoMs").asDouble()));
                                part(who, "disconnect", nanos(answer.path("closeMs").asDouble()));
                            }
                            line.append(String.format(Locale.ROOT, " raw %.0f ms (connect %.0f, goto %.0f, disconnect"
                                            + " %.0f);", (t1 - t0) / 1e6, answer.path("connectMs").asDouble(),
                                    answer.path("gotoMs").asDouble(), answer.path("closeMs").asDouble()));
                        }
                    } catch (Exception e) {
                        (turn == 0 ? pooledRow.porthole() : turn == 1 ? coldRow.porthole() : pooledRow.raw()).error();
                        ctx.error().accept("pool lifecycle (" + who + "): " + e.getMessage());
                    }
                }
                ctx.log().println(line);
            }
            notes.add("full lifecycle from the pool: in " + refillsDuringLifecycle + " of " + pooledRow.porthole().count()
                    + " measured runs the pool's refill (a new pooled computer starting, " + "from 250 ms after the"
                    + " create answered) was under way or done when the delete answered (GET /admin/pool: starting,"
                    + " or started grew)");
        } finally {
            if (raw != null) {
                raw.close();
                ctx.liveRaw().remove(raw);
            }
        }
    }

    private void part(String side, String part, long nanos) {
        parts.computeIfAbsent(side + "\u0000" + part, k -> new Samples()).add(nanos);
    }

    private static long nanos(double millis) {
        return Math.round(millis * 1e6);
    }

    /** The node process that runs Playwright: one JSON request a line in, one answer a line out. */
    private static final class NodeLoop implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();

        NodeLoop(Process process) {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofVirtual().name("bench-node-out").start(() -> {
                try (var r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) answers.add(line);
                } catch (IOException ignored) {
                    // it ended
                }
            });
        }

        /** Connects, goes to {@code page}, disconnects; the answer, or throws if it failed. */
        JsonNode call(String cdp, String page, Map<String, String> headers) throws Exception {
            var req = PortholeClient.JSON.createObjectNode().put("cdp", cdp).put("page", page);
            var h = req.putObject("headers");
            headers.forEach(h::put);
            in.write(req.toString() + "\n");
            in.flush();
            var line = answers.poll(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IllegalStateException("playwright-lifecycle.js did not answer within " + NODE_TIMEOUT.toSeconds()
                        + " s" + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
            }
            var answer = PortholeClient.JSON.readTree(line);
            if (!answer.path("ok").asBoolean()) throw new IllegalStateException("playwright: " + answer.path("error").asText());
            if (!answer.path("title").asText().equals(PAGE_TITLE)) {
                throw new IllegalStateException("the page's title is '" + answer.path("title").asText() + "'");
            }
            return answer;
        }

        @Override
        public void close() {
            try {
                in.close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    // ---- bursts ----

    private void bursts() throws Exception {
        int n = ctx.settings().burst();
        if (n == 0) return;
        var sizes = new ArrayList<Integer>();
        sizes.add(0);
        sizes.addAll(ctx.settings().burstPools());
        for (int pool : sizes) {
            long available = memAvailable();
            long needed = (long) (n + pool) * BROWSER_BYTES + MEMORY_MARGIN;
            if (pool > 0 && available > 0 && available < needed) {
                notes.add(String.format(Locale.ROOT, "burst with a pool of %d skipped: %d MiB of memory available, %d MiB"
                        + " wanted (%d browsers × %d MiB + %d MiB)", pool, available >> 20, needed >> 20, n + pool,
                        BROWSER_BYTES >> 20, MEMORY_MARGIN >> 20));
                continue;
            }
            try {
                burst(n, pool);
            } catch (Exception e) {
                ctx.error().accept("pool burst (pool " + pool + "): " + e);
            }
        }
        try {
            rawBurst(n);
        } catch (Exception e) {
            ctx.error().accept("pool burst (bare launches): " + e);
        }
    }

    private void burst(int n, int pool) throws Exception {
        var setting = pool > 0 ? "chromium:" + pool : "off";
        try (var server = server("burst-" + pool, setting, ComputersConfig.DEFAULT_STANDBY_AFTER_SECONDS)) {
            var api = api(server);
            if (pool > 0) {
                long t0 = System.nanoTime();
                awaitFull(api, POOL_FULL_TIMEOUT.multipliedBy(2));
                ctx.log().printf(Locale.ROOT, "bench: pool burst: the pool of %d was full after %.1f s%n", pool,
                        (System.nanoTime() - t0) / 1e9);
                Thread.sleep(BURST_SETTLE_MILLIS);
            }
            var before = pool > 0 ? poolStats(api) : null;
            var ids = new ConcurrentHashMap<Integer, String>();
            var took = new ConcurrentHashMap<Integer, Long>();
            var failures = new ConcurrentHashMap<Integer, String>();
            var go = new CountDownLatch(1);
            var threads = new ArrayList<Thread>();
            for (int k = 0; k < n; k++) {
                int at = k;
                threads.add(Thread.ofVirtual().name("bench-burst-" + k).start(() -> {
                    try {
                        go.await();
                        var created = create(api);
                        ids.put(at, created.id());
                        took.put(at, created.nanos());
                    } catch (Exception e) {
                        failures.put(at, e.getMessage());
                    }
                }));
            }
            // while the burst runs: the most pooled computers seen starting at once (a refill competing with it)
            var sampling = new AtomicBoolean(pool > 0);
            var maxStarting = new AtomicInteger();
            var refillSeen = new StringBuilder();
            var released = new java.util.concurrent.atomic.AtomicLong();
            var sampler = Thread.ofVirtual().name("bench-burst-pool").start(() -> {
                while (sampling.get()) {
                    try {
                        var st = poolStats(api);
                        // an answer that came after the burst's last create answered is not the burst's
                        if (!sampling.get()) return;
                        int starting = st.path("starting").asInt();
                        if (starting > 0 && maxStarting.get() == 0 && released.get() > 0) {
                            synchronized (refillSeen) {
                                refillSeen.append(String.format(Locale.ROOT, "a refill was first seen starting %.0f ms"
                                                + " after the release, when %d of %d creates had answered (ready %d,"
                                                + " claims %d, misses %d)", (System.nanoTime() - released.get()) / 1e6,
                                        ids.size() + failures.size(), n, st.path("ready").asInt(),
                                        st.path("claims").asLong(), st.path("misses").asLong()));
                            }
                        }
                        maxStarting.accumulateAndGet(starting, Math::max);
                        Thread.sleep(25);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            long t0 = System.nanoTime();
            released.set(t0);
            go.countDown();
            for (var t : threads) t.join(CREATE_TIMEOUT.plusSeconds(30));
            sampling.set(false);
            long wall = System.nanoTime() - t0;
            sampler.join(Duration.ofSeconds(10));
            var after = pool > 0 ? poolStats(api) : null;
            var each = new Samples();
            took.values().forEach(each::add);
            for (int k = 0; k < failures.size(); k++) each.error();
            int pooled = 0;
            for (var id : ids.values()) if (pooledFlag(api, id)) pooled++;
            var deleting = new ArrayList<Thread>();
            for (var id : ids.values()) {
                deleting.add(Thread.ofVirtual().start(() -> {
                    try {
                        delete(api, id);
                    } catch (Exception e) {
                        ctx.error().accept("pool burst: DELETE /computers/" + id + ": " + e.getMessage());
                    }
                }));
            }
            for (var t : deleting) t.join(REQUEST_TIMEOUT);
            var note = failures.isEmpty() ? "" : failures.size() + " failed: " + failures.values().iterator().next();
            synchronized (refillSeen) {
                if (!refillSeen.isEmpty()) note = (note.isEmpty() ? "" : note + "; ") + refillSeen;
            }
            bursts.add(new Burst(pool > 0 ? "pool of " + pool + " (PORTHOLE_POOL=chromium:" + pool + ")" : "no pool (cold)",
                    pool, n, ids.size(), pooled,
                    after == null ? 0 : after.path("claims").asLong() - before.path("claims").asLong(),
                    after == null ? 0 : after.path("misses").asLong() - before.path("misses").asLong(),
                    maxStarting.get(), wall, each, note));
            ctx.log().printf(Locale.ROOT, "bench: pool burst of %d, %s: wall %.0f ms, p50 %.0f ms, p99 %.0f ms, %d from"
                    + " the pool, %d failed%n", n, setting, wall / 1e6, each.p50(), each.p99(), pooled, failures.size());
            if (!failures.isEmpty()) ctx.error().accept("pool burst (" + setting + "): " + note);
        }
    }

    private void rawBurst(int n) throws Exception {
        var browsers = new ConcurrentHashMap<Integer, RawBrowser>();
        var took = new ConcurrentHashMap<Integer, Long>();
        var failures = new ConcurrentHashMap<Integer, String>();
        var go = new CountDownLatch(1);
        var threads = new ArrayList<Thread>();
        int first = rawCounter;
        rawCounter += n;
        for (int k = 0; k < n; k++) {
            int at = k;
            var dir = ctx.workDir().resolve("raw").resolve("pool-burst-" + (first + k));
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    long t0 = System.nanoTime();
                    var b = RawBrowser.launch(ctx.chromium(), dir, ctx.http(), Bench.WIDTH, Bench.HEIGHT, LAUNCH_TIMEOUT);
                    took.put(at, System.nanoTime() - t0);
                    browsers.put(at, b);
                    ctx.liveRaw().add(b);
                } catch (Exception e) {
                    failures.put(at, e.getMessage());
                }
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (var t : threads) t.join(LAUNCH_TIMEOUT.plusSeconds(30));
        long wall = System.nanoTime() - t0;
        for (var b : browsers.values()) {
            b.close();
            ctx.liveRaw().remove(b);
        }
        var each = new Samples();
        took.values().forEach(each::add);
        for (int k = 0; k < failures.size(); k++) each.error();
        var note = failures.isEmpty() ? "" : failures.size() + " failed: " + failures.values().iterator().next();
        bursts.add(new Burst("bare Chromium launches", 0, n, browsers.size(), 0, 0, 0, 0, wall, each, note));
        ctx.log().printf(Locale.ROOT, "bench: pool burst of %d bare launches: wall %.0f ms, p50 %.0f ms, p99 %.0f ms%n",
                n, wall / 1e6, each.p50(), each.p99());
    }

    // ---- servers and computers ----

    /** A server of this bench's own with the warm pool {@code pool} (PORTHOLE_POOL's syntax) and this standby time. */
    private PortholeServer server(String name, String pool, long standbySeconds) throws IOException {
        var dir = ctx.workDir().resolve("pool-server-" + (++servers) + "-" + name);
        Files.createDirectories(dir);
        var base = ctx.base();
        var c = base.computers();
        var computers = new ComputersConfig(c.defaultMaxLifetimeSeconds(), c.defaultInactivityTimeoutSeconds(),
                c.maxLifetimeCapSeconds(), MAX_COMPUTERS, c.defaultWidth(), c.defaultHeight(), c.screencast(),
                c.minAvailableMemoryBytes(), standbySeconds, PoolShape.parse(pool, c.defaultWidth(), c.defaultHeight(),
                Map.of()));
        return PortholeServer.start(base.withComputers(computers).toBuilder().dataDir(dir).build());
    }

    private PortholeClient api(PortholeServer server) {
        return new PortholeClient(ctx.http(), server.baseUrl(), ctx.apiKey());
    }

    private record Created(String id, long nanos) {}

    private static Created create(PortholeClient api) throws Exception {
        long t0 = System.nanoTime();
        var r = api.post("/computers", "{}", CREATE_TIMEOUT);
        long t1 = System.nanoTime();
        var id = r.json() == null ? "" : r.json().path("id").asText("");
        if (r.status() != 200 || id.isEmpty() || !r.json().path("status").asText().equals("running")) {
            throw new IllegalStateException("POST /computers: " + r.describe());
        }
        return new Created(id, t1 - t0);
    }

    private static void delete(PortholeClient api, String id) throws Exception {
        var r = api.delete("/computers/" + id, REQUEST_TIMEOUT);
        if (r.status() != 204) throw new IllegalStateException("DELETE /computers/" + id + ": " + r.describe());
    }

    /** Whether the computer's {@code created} replay event says it came from the pool. */
    private static boolean pooledFlag(PortholeClient api, String id) throws Exception {
        var r = api.get("/computers/" + id + "/replay-events?limit=50", REQUEST_TIMEOUT);
        if (r.status() != 200) throw new IllegalStateException("GET replay-events of " + id + ": " + r.describe());
        for (var e : r.json().path("items")) {
            if (e.path("type").asText().equals("created")) return e.path("data").path("pooled").asBoolean(false);
        }
        throw new IllegalStateException(id + " has no created event");
    }

    private static JsonNode poolStats(PortholeClient api) throws Exception {
        var r = api.get("/admin/pool", REQUEST_TIMEOUT);
        if (r.status() != 200 || r.json() == null) throw new IllegalStateException("GET /admin/pool: " + r.describe());
        return r.json();
    }

    private static JsonNode shape(JsonNode stats) {
        return stats.path("shapes").path(0);
    }

    /** Waits (bounded, polling every 20 ms) until the pool has all its computers ready and none starting. */
    private static void awaitFull(PortholeClient api, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var s = poolStats(api);
            if (s.path("ready").asInt() == s.path("target").asInt() && s.path("starting").asInt() == 0) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the pool was not full within " + timeout.toSeconds() + " s: " + s);
            }
            Thread.sleep(20);
        }
    }

    /** A bare Chromium launched until it answers Target.getTargets, then killed (untimed); the launch's nanoseconds. */
    private long launchAndKill() throws IOException {
        var dir = ctx.workDir().resolve("raw").resolve("pool-" + (++rawCounter));
        long t0 = System.nanoTime();
        var b = RawBrowser.launch(ctx.chromium(), dir, ctx.http(), Bench.WIDTH, Bench.HEIGHT, LAUNCH_TIMEOUT);
        long took = System.nanoTime() - t0;
        ctx.liveRaw().add(b);
        try {
            return took;
        } finally {
            b.close();
            ctx.liveRaw().remove(b);
        }
    }

    /** The ids of the computers whose freezer cgroup is frozen now (cgroup v1 or v2), from their group's name. */
    private static Set<String> frozenComputers() {
        var out = new HashSet<String>();
        for (var root : List.of(Path.of("/sys/fs/cgroup/freezer"), Path.of("/sys/fs/cgroup/unified"), Path.of("/sys/fs/cgroup"))) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> dirs = Files.walk(root, 4)) {
                // a computer's group is porthole/<instance>.<computer id> (porthole/<instance>/<computer id> before)
                dirs.filter(d -> d.getFileName() != null && d.getFileName().toString().contains("comp_")).forEach(d -> {
                    try {
                        var v1 = d.resolve("freezer.state");
                        var v2 = d.resolve("cgroup.freeze");
                        if ((Files.isRegularFile(v1) && Files.readString(v1).trim().equals("FROZEN"))
                                || (Files.isRegularFile(v2) && Files.readString(v2).trim().equals("1"))) {
                            var name = d.getFileName().toString();
                            out.add(name.substring(name.indexOf("comp_")));
                        }
                    } catch (IOException | RuntimeException gone) {
                        // ended meanwhile
                    }
                });
            } catch (IOException | RuntimeException e) {
                // not readable here
            }
        }
        return out;
    }

    private static long memAvailable() {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("\\D", "")) << 10;
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /** The server's own create steps (Computers logs them at DEBUG), for the creates made between begin and end. */
    private static final class StepListener extends Handler {
        private final Logger logger = Logger.getLogger("io.porthole.core.Computers");
        private final Level level = logger.getLevel();
        private Steps captured;

        StepListener() {
            setLevel(Level.ALL);
            logger.setLevel(Level.FINE);
            logger.addHandler(this);
        }

        synchronized void begin() {
            captured = null;
        }

        synchronized void end(StepsSink sink) {
            if (sink != null && captured != null) sink.accept(captured.steps(), captured.totalNanos());
            captured = null;
        }

        @Override
        public synchronized void publish(LogRecord record) {
            var params = record.getParameters();
            if (params != null && params.length >= 2 && params[1] instanceof Steps steps) captured = steps;
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
            // Bench's CreateSteps may have set it too; FINE stays if it did
            if (level != null) logger.setLevel(level);
        }
    }

    private interface StepsSink {
        void accept(List<Steps.Step> steps, long totalNanos);
    }

    // ---- output ----

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "Warm pool (PoolBench): %d claims per side, %d lifecycles per side (after %d warm-up each),"
                        + " bursts of %d; servers of this build with at most %d computers%n%n",
                ctx.settings().iterations(), ctx.settings().lifecycleIterations(), WARMUP, ctx.settings().burst(),
                MAX_COMPUTERS);
        var header = List.of("operation", "n", "porthole p50", "porthole p99", "raw p50", "raw p99", "ratio p50");
        var table = new ArrayList<List<String>>();
        for (var r : rows.values()) {
            var n = r.porthole().count() + (r.porthole().errors() > 0 ? " (" + r.porthole().errors() + " failed)" : "");
            table.add(List.of(r.operation(), n, Markdown.ms(r.porthole().p50()), Markdown.ms(r.porthole().p99()),
                    Markdown.ms(r.raw().p50()), Markdown.ms(r.raw().p99()), Markdown.ratio(r.porthole().p50(), r.raw().p50())));
        }
        Markdown.print(out, header, table);
        out.println();
        for (var r : rows.values()) out.println("- " + r.operation() + ": " + r.note());
        out.printf(Locale.ROOT, "- before every side of the claim and lifecycle rows the bench waits until the pool is full"
                + " (GET /admin/pool: ready = target, starting 0), then %d ms; p99 is nearest-rank%n", SETTLE_MILLIS);
        out.println();
        if (claimServer.count() > 0) {
            var st = new ArrayList<List<String>>();
            st.add(stepRow("POST /computers {} from the pool, whole (client)", rows.get("create → ready, from the pool").porthole()));
            st.add(stepRow("the server's create (Steps total)", claimServer));
            for (var e : claimSteps.entrySet()) st.add(stepRow("  " + e.getKey(), e.getValue()));
            if (standbyClaimServer.count() > 0) {
                st.add(stepRow("POST /computers {} from the pool in standby, whole (client)", rows.get("create → ready,"
                        + " from the pool, pooled computer in standby").porthole()));
                st.add(stepRow("the server's create (Steps total), in standby", standbyClaimServer));
                for (var e : standbyClaimSteps.entrySet()) st.add(stepRow("  " + e.getKey() + ", in standby", e.getValue()));
            }
            Markdown.print(out, List.of("create from the pool, where the time goes", "n", "p50", "min", "max"), st);
            out.println();
            out.println("- the server's own step timings (io.porthole.core.internal.Steps, logged by Computers at DEBUG) of"
                    + " the measured claims; each step runs from the end of the one before");
            out.println();
        }
        if (!parts.isEmpty()) {
            var pt = new ArrayList<List<String>>();
            for (var e : parts.entrySet()) {
                var key = e.getKey().split("\u0000");
                pt.add(List.of(key[0], key[1], Integer.toString(e.getValue().count()), Markdown.ms(e.getValue().p50()),
                        Markdown.ms(e.getValue().p99())));
            }
            Markdown.print(out, List.of("full lifecycle, by part", "part", "n", "p50", "p99"), pt);
            out.println();
        }
        if (!bursts.isEmpty()) {
            var bt = new ArrayList<List<String>>();
            for (var b : bursts) {
                bt.add(List.of(b.what(), b.ok() + " of " + b.creates(), b.pool() > 0 ? b.pooled() + " (claims " + b.claims()
                                + ", misses " + b.misses() + ")" : "—", b.pool() > 0 ? Integer.toString(b.maxStarting()) : "—",
                        Markdown.ms(b.wallNanos() / 1e6), Markdown.ms(b.each().p50()), Markdown.ms(b.each().p99())));
            }
            Markdown.print(out, List.of("burst of " + ctx.settings().burst() + " creates at once", "ready", "from the pool",
                    "refills seen during", "wall", "each p50", "each p99"), bt);
            out.println();
            out.println("- all creates (POST /computers {}) are released together from virtual threads once the pool is full"
                    + " (then " + BURST_SETTLE_MILLIS + " ms); wall = from the release until the last answer; \"from the"
                    + " pool\" = created events with pooled true; \"refills seen during\" = the most pooled computers"
                    + " GET /admin/pool (every 25 ms) saw starting at once during the burst; the bare launches are"
                    + " RawBrowser.launch (until Target.getTargets answers) from as many threads at once");
            for (var b : bursts) if (!b.note().isEmpty()) out.println("- " + b.what() + ": " + b.note());
            out.println();
        }
        for (var n : notes) out.println("- " + n);
        out.println();
    }

    private static List<String> stepRow(String what, Samples s) {
        return List.of(what, Integer.toString(s.count()), Markdown.ms(s.p50()), Markdown.ms(s.min()),
                Markdown.ms(s.percentile(100)));
    }
}
