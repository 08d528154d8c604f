package io.porthole.bench;

import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The auto-standby rows, each against the same thing with standby off, in one run:
 *
 * <ul>
 *   <li><b>idle CPU per computer</b>: {@code n} computers of one kind left alone on a server with standby off, then on
 *       one with standby on, in four states: a browser on the bench's still test page, a browser on a page that keeps
 *       itself busy as many sites do (a spinning square and a counter updated ten times a second), a desktop as it
 *       starts, and a desktop with a clock in a second xterm (redrawn five times a second). After a settling time (by
 *       which all of the second server's are in standby) the CPU of every process of every computer is read from
 *       {@code /proc} (utime + stime, and their reaped children's) at the start and the end of a window, and so is this
 *       JVM's, which runs the server (the bench itself only sleeps then);
 *   <li><b>the first action after standby</b> against the same action on the same computer awake, right after it:
 *       a click and a screenshot ({@code POST /computers/{id}/click}, {@code …/screenshot}), on a browser and on a
 *       desktop, on a server that puts computers into standby after 1 s; the server's own account of each thaw
 *       ({@code thawMillis} of the {@code lifecycle woke} replay event) is shown too.
 * </ul>
 *
 * Each side has a server of its own (in this JVM, its data under the bench's work directory), closed with its
 * computers when its rows are done. Not thread-safe.
 */
final class StandbyBench {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** How long the idle rows wait after the last create before their window. */
    private static final Duration SETTLE = Duration.ofSeconds(20);
    /** The standby time of the idle rows' "on" server; all its computers are in standby well within {@link #SETTLE}. */
    private static final long IDLE_STANDBY_SECONDS = 5;
    /** The standby time of the latency rows' server: as short as it goes, so that the rows take little time. */
    private static final long LATENCY_STANDBY_SECONDS = 1;
    private static final Duration STANDBY_WAIT = Duration.ofSeconds(60);
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux
    private static final int LATENCY_WARMUP = 2;

    /** What the bench lends these rows. */
    record Context(ServerConfig base, String apiKey, HttpClient http, Path workDir, String pageUrl, int computers,
                   Duration window, int iterations, PrintStream log, Consumer<String> error) {}

    /** A page that keeps itself busy, as many sites do: an animation and a counter redrawn ten times a second. */
    static final String BUSY_PAGE = "data:text/html,<title>busy</title><div id=c></div><div style='width:40px;"
            + "height:40px;background:%23c33;animation:s 1s linear infinite'></div><style>@keyframes s{to{transform:"
            + "rotate(360deg)}}</style><script>setInterval(()=>{c.textContent=Date.now()},100)</script>";
    /** A clock in an xterm of the desktop's, over its own one, redrawn five times a second. */
    static final String CLOCK = "setsid -f /usr/bin/xterm -geometry 40x5+600+400 -e sh -c 'while :; do date +%T.%N; "
            + "sleep 0.2; done' </dev/null >/dev/null 2>&1";

    /** What the idle computers show: their kind, and a page or program that keeps them busy (or nothing). */
    private record Scenario(String kind, String name, boolean busy) {}

    private static final List<Scenario> SCENARIOS = List.of(new Scenario("browser", "still page", false),
            new Scenario("browser", "busy page", true), new Scenario("desktop", "as started", false),
            new Scenario("desktop", "clock in an xterm", true));

    /** One idle row: CPU in cores per computer (its processes) and of the server, and how many were in standby. */
    private record Idle(Scenario scenario, boolean standby, int computers, double perComputer, double server,
                        int inStandbyBefore, int inStandbyAfter, int processes) {}

    private final Context ctx;
    private final List<Idle> idle = new ArrayList<>();
    private final Map<String, Samples> latency = new LinkedHashMap<>();
    private final Map<String, Samples> thaw = new LinkedHashMap<>();
    private int servers;

    StandbyBench(Context ctx) {
        this.ctx = ctx;
    }

    void run() throws Exception {
        for (var scenario : SCENARIOS) {
            for (boolean on : new boolean[] {false, true}) {
                try {
                    idle(scenario, on);
                } catch (Exception e) {
                    ctx.error().accept("standby idle CPU, " + scenario.kind() + " " + scenario.name()
                            + (on ? ", standby on" : ", standby off") + ": " + e);
                }
            }
        }
        for (var kind : List.of("browser", "desktop")) {
            try {
                latency(kind);
            } catch (Exception e) {
                ctx.error().accept("standby latency, " + kind + ": " + e);
            }
        }
    }

    // ---- idle CPU ----

    private void idle(Scenario scenario, boolean on) throws Exception {
        var label = scenario.kind() + " (" + scenario.name() + "), standby " + (on ? "on" : "off");
        try (var server = server(on ? IDLE_STANDBY_SECONDS : 0, 100)) {
            var api = new PortholeClient(ctx.http(), server.baseUrl(), ctx.apiKey());
            var ids = new ArrayList<String>();
            for (int i = 0; i < ctx.computers(); i++) {
                var id = create(api, scenario.kind());
                ids.add(id);
                if (scenario.busy()) busy(api, id, scenario.kind());
            }
            ctx.log().printf(Locale.ROOT, "bench: standby idle %s: %d computers made, settling %d s%n", label,
                    ids.size(), SETTLE.toSeconds());
            Thread.sleep(SETTLE.toMillis());
            if (on) awaitAll(api, ids);
            int before = inStandby(api, ids);
            var pids = new ArrayList<Long>();
            for (var id : ids) for (var p : Procs.ofComputer(id, ns -> { })) pids.add(p.pid());
            var ticksBefore = ticks(pids);
            long jvmBefore = jvmCpuNanos();
            long t0 = System.nanoTime();
            Thread.sleep(ctx.window().toMillis());
            long elapsed = System.nanoTime() - t0;
            var ticksAfter = ticks(pids);
            long jvmAfter = jvmCpuNanos();
            int after = inStandby(api, ids);
            long ticks = 0;
            for (var e : ticksAfter.entrySet()) ticks += e.getValue() - ticksBefore.getOrDefault(e.getKey(), 0L);
            double seconds = elapsed / 1e9;
            var row = new Idle(scenario, on, ids.size(), ticks / (double) CLOCK_TICKS / seconds / ids.size(),
                    (jvmAfter - jvmBefore) / 1e9 / seconds, before, after, pids.size());
            idle.add(row);
            ctx.log().printf(Locale.ROOT, "bench: standby idle %s: %.4f cores per computer (%d processes), server %.4f"
                            + " cores, in standby %d/%d before and %d after%n", label, row.perComputer(), pids.size(),
                    row.server(), before, ids.size(), after);
            for (var id : ids) delete(api, id);
        }
    }

    /** Makes the computer busy: the busy page on a browser, the clock on a desktop. */
    private static void busy(PortholeClient api, String id, String kind) throws Exception {
        var r = kind.equals("browser")
                ? api.post("/computers/" + id + "/navigate", PortholeClient.JSON.createObjectNode().put("url", BUSY_PAGE)
                        .toString(), REQUEST_TIMEOUT)
                : api.post("/computers/" + id + "/exec/sync", PortholeClient.JSON.createObjectNode().put("command", CLOCK)
                        .put("timeout_seconds", 20).toString(), REQUEST_TIMEOUT);
        boolean ok = r.status() == 200 && (kind.equals("browser") ? r.json().path("status").asText().equals("success")
                : r.json().path("exit_code").asInt(-1) == 0);
        if (!ok) throw new IllegalStateException("making " + id + " busy: " + r.describe());
    }

    private void awaitAll(PortholeClient api, List<String> ids) throws Exception {
        long deadline = System.nanoTime() + STANDBY_WAIT.toNanos();
        while (inStandby(api, ids) < ids.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + inStandby(api, ids) + " of " + ids.size()
                        + " computers went into standby within " + STANDBY_WAIT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static int inStandby(PortholeClient api, List<String> ids) throws Exception {
        int n = 0;
        for (var id : ids) if (standby(api, id)) n++;
        return n;
    }

    private static boolean standby(PortholeClient api, String id) throws Exception {
        var r = api.get("/computers/" + id, REQUEST_TIMEOUT);
        if (r.status() != 200) throw new IllegalStateException("GET /computers/" + id + ": " + r.describe());
        return r.json().path("standby").asBoolean(false);
    }

    /** utime + stime of each process and of its reaped children, in ticks, by pid; processes gone are left out. */
    private static Map<Long, Long> ticks(List<Long> pids) {
        var out = new HashMap<Long, Long>();
        for (long pid : pids) {
            try {
                var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
                // after the command's closing parenthesis: utime is field 14, stime 15, cutime 16, cstime 17
                var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]));
            } catch (IOException | RuntimeException e) {
                // ended
            }
        }
        return out;
    }

    private static long jvmCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    // ---- the first action after standby ----

    private void latency(String kind) throws Exception {
        try (var server = server(LATENCY_STANDBY_SECONDS, 50)) {
            var api = new PortholeClient(ctx.http(), server.baseUrl(), ctx.apiKey());
            var id = create(api, kind);
            var actions = List.of("click", "screenshot");
            for (var a : actions) {
                latency.put(kind + " " + a + ", first after standby", new Samples());
                latency.put(kind + " " + a + ", awake", new Samples());
            }
            int total = LATENCY_WARMUP + ctx.iterations();
            for (int i = 0; i < total; i++) {
                boolean measured = i >= LATENCY_WARMUP;
                for (var a : actions) {
                    awaitStandby(api, id);
                    long asleep = action(api, id, kind, a);
                    long awake = action(api, id, kind, a);
                    if (measured) {
                        latency.get(kind + " " + a + ", first after standby").add(asleep);
                        latency.get(kind + " " + a + ", awake").add(awake);
                    }
                }
                ctx.log().printf(Locale.ROOT, "bench: standby latency %s %s %d/%d%n", kind, measured ? "iteration"
                        : "warm-up", measured ? i - LATENCY_WARMUP + 1 : i + 1, measured ? ctx.iterations() : LATENCY_WARMUP);
            }
            var thaws = new Samples();
            var events = api.get("/computers/" + id + "/replay-events?limit=1000", REQUEST_TIMEOUT);
            for (var e : events.json().path("items")) {
                if (e.path("type").asText().equals("woke")) thaws.addValue(e.path("data").path("thawMillis").asDouble());
            }
            thaw.put(kind, thaws);
            delete(api, id);
        }
    }

    private static void awaitStandby(PortholeClient api, String id) throws Exception {
        long deadline = System.nanoTime() + STANDBY_WAIT.toNanos();
        while (!standby(api, id)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(id + " did not go into standby");
            Thread.sleep(20);
        }
    }

    /** One action's round trip in nanoseconds; throws unless it succeeded. */
    private long action(PortholeClient api, String id, String kind, String action) throws Exception {
        var body = action.equals("click") ? (kind.equals("desktop") ? "{\"x\":1000,\"y\":600}" : "{\"x\":10,\"y\":10}") : "{}";
        long t0 = System.nanoTime();
        var r = api.post("/computers/" + id + "/" + action, body, REQUEST_TIMEOUT);
        long took = System.nanoTime() - t0;
        if (r.status() != 200 || !r.json().path("status").asText().equals("success")) {
            throw new IllegalStateException(action + " on " + id + ": " + r.describe());
        }
        return took;
    }

    // ---- servers and computers ----

    /** A server of this bench's own, standby after {@code standbySeconds} (0: off), its scheduler every {@code tickMillis}. */
    private PortholeServer server(long standbySeconds, long tickMillis) throws IOException {
        var dir = ctx.workDir().resolve("standby-server-" + (++servers));
        Files.createDirectories(dir);
        var base = ctx.base();
        return PortholeServer.start(base.withComputers(base.computers().withStandbyAfter(standbySeconds))
                .withSchedulerTickMillis(tickMillis).toBuilder().dataDir(dir).build());
    }

    private String create(PortholeClient api, String kind) throws Exception {
        var r = api.post("/computers", kind.equals("desktop") ? "{\"kind\":\"desktop\"}" : "{}", CREATE_TIMEOUT);
        if (r.status() != 200) throw new IllegalStateException("POST /computers (" + kind + "): " + r.describe());
        var id = r.json().path("id").asText();
        if (kind.equals("browser")) {
            var nav = api.post("/computers/" + id + "/navigate", PortholeClient.JSON.createObjectNode()
                    .put("url", ctx.pageUrl()).toString(), REQUEST_TIMEOUT);
            if (nav.status() != 200 || !nav.json().path("status").asText().equals("success")) {
                throw new IllegalStateException("navigate " + id + ": " + nav.describe());
            }
        }
        return id;
    }

    private void delete(PortholeClient api, String id) throws Exception {
        var r = api.delete("/computers/" + id, REQUEST_TIMEOUT);
        if (r.status() != 204) ctx.error().accept("DELETE /computers/" + id + ": " + r.describe());
    }

    // ---- output ----

    void print(PrintStream out) {
        var header = List.of("idle computer", "computers", "standby", "CPU per computer", "server JVM",
                "in standby (start / end)", "processes");
        var table = new ArrayList<List<String>>();
        for (var r : idle) {
            table.add(List.of(r.scenario().kind() + ", " + r.scenario().name(), Integer.toString(r.computers()),
                    r.standby() ? "on (" + IDLE_STANDBY_SECONDS + " s)" : "off",
                    percent(r.perComputer()), percent(r.server()), r.inStandbyBefore() + " / " + r.inStandbyAfter(),
                    Integer.toString(r.processes())));
        }
        Markdown.print(out, header, table);
        out.println();
        out.printf(Locale.ROOT, "- idle: %d computers of a kind at once, left alone for %d s after the last create, then "
                        + "CPU over a %d s window: every process of every computer (utime + stime and their reaped "
                        + "children's, from /proc), as %% of one core per computer; the server JVM (in which the bench "
                        + "only sleeps then) as %% of one core in all. The busy page: %s; the clock: %s%n",
                ctx.computers(), SETTLE.toSeconds(), ctx.window().toSeconds(), BUSY_PAGE, CLOCK);
        for (var scenario : SCENARIOS) {
            Idle off = null;
            Idle on = null;
            for (var r : idle) {
                if (!r.scenario().equals(scenario)) continue;
                if (r.standby()) on = r;
                else off = r;
            }
            if (off != null && on != null) {
                out.printf(Locale.ROOT, "- %s, %s: standby takes an idle computer from %s to %s of a core (%d such"
                                + " computers: from %s to %s), and the server from %s to %s%n", scenario.kind(),
                        scenario.name(), percent(off.perComputer()), percent(on.perComputer()), off.computers(),
                        percent(off.perComputer() * off.computers()), percent(on.perComputer() * on.computers()),
                        percent(off.server()), percent(on.server()));
            }
        }
        out.println();
        var lh = List.of("first action after standby", "n", "p50", "p99", "awake p50", "awake p99", "ratio p50", "added p50");
        var lt = new ArrayList<List<String>>();
        for (var e : latency.entrySet()) {
            if (!e.getKey().endsWith(", first after standby")) continue;
            var name = e.getKey().substring(0, e.getKey().length() - ", first after standby".length());
            var asleep = e.getValue();
            var awake = latency.get(name + ", awake");
            lt.add(List.of(name, Integer.toString(asleep.count()), Markdown.ms(asleep.p50()), Markdown.ms(asleep.p99()),
                    Markdown.ms(awake.p50()), Markdown.ms(awake.p99()), Markdown.ratio(asleep.p50(), awake.p50()),
                    Markdown.ms(asleep.p50() - awake.p50())));
        }
        Markdown.print(out, lh, lt);
        out.println();
        out.printf(Locale.ROOT, "- first action after standby: one computer on a server with standby after %d s; each "
                + "iteration waits until it is in standby (GET /computers/{id} says so), times the action, then times the "
                + "same action again at once (awake); %d iterations per action after %d warm-up%n",
                LATENCY_STANDBY_SECONDS, ctx.iterations(), LATENCY_WARMUP);
        for (var e : thaw.entrySet()) {
            out.printf(Locale.ROOT, "- %s: the server's own account of its %d thaws (lifecycle woke, thawMillis): p50 %s,"
                            + " p99 %s%n", e.getKey(), e.getValue().count(), Markdown.ms(e.getValue().p50()),
                    Markdown.ms(e.getValue().p99()));
        }
        out.println();
    }

    private static String percent(double cores) {
        return String.format(Locale.ROOT, cores < 0.01 ? "%.3f %%" : "%.2f %%", cores * 100);
    }
}
