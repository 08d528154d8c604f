package io.porthole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.engine.cdp.ChromiumConfig;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Porthole against the same work done directly, on this machine, in one run. Starts a Porthole server in-process
 * and a loopback page server, then measures, interleaving Porthole and the baseline (a Chromium launched and
 * driven over raw CDP; Xvfb, openbox and xterm started directly; commands run with ProcessBuilder):
 *
 * <ol>
 *   <li>create → ready and delete of a computer, against launch + one CDP round trip and kill + profile removal;
 *   <li>the same for a desktop computer, against Xvfb + openbox + xterm started and killed directly;
 *   <li>click and screenshot round trips on one computer at a test page, against the same CDP commands;
 *   <li>exec round trips ({@code true}) on that computer, against {@code bash -c true} run directly;
 *   <li>click, type and screenshot round trips on a desktop, against the same X requests sent by Porthole's X11
 *       client straight to a raw desktop's socket, and against xdotool and xwd run directly;
 *   <li>egress throughput: curl inside a browser computer downloading a large body from the loopback page server
 *       through the computer's egress proxy, against the same curl run directly;
 *   <li>Playwright ({@code chromium.connectOverCDP}, in Node.js) on a browser sandbox through its {@code connect.cdp}
 *       endpoint, against the same script on a Chromium started directly with {@code --remote-debugging-port};
 *       skipped, with a note, where node or npm is missing;
 *   <li>suspend and resume of that sandbox (the server's cgroup freezer), against the same freezer on a cgroup
 *       holding a raw Chromium, and against SIGSTOP/SIGCONT of its processes;
 *   <li>resident memory of a computer's process tree, against the baseline's;
 *   <li>the screencast: frames a second, CPU with 1 and 5 viewers, and the delay from a page change to a frame,
 *       against CDP's own screencast ({@link BrowserScreencastBench});
 *   <li>auto-standby: idle CPU per computer with standby off and on, and the first action after standby against the
 *       same action awake ({@link StandbyBench});
 *   <li>memory per idle computer (USS, PSS, RSS, cgroup) against the bare browser or desktop ({@link MemoryBench}).
 *   <li>the warm pool: create from the pool, the full lifecycle with Playwright and bursts of creates, against cold
 *       creates and bare launches ({@link PoolBench}).
 *   <li>store operations on SQLite against the same on PostgreSQL ({@link StoreBench}).
 *   <li>a cluster of two nodes: actions, creates and Playwright through a node that does not own the computer,
 *       against the same through its owner ({@link ClusterBench}).
 * </ol>
 *
 * With {@code --density} it runs the density mode alone ({@link DensityBench}).
 *
 * Prints a table of p50/p99 and the ratio of p50s, and one of throughputs. Cleans up whatever it started, and
 * checks that no process of its own is left (browsers, sandboxes, raw desktops). Exit code 0 on success, 1 on a
 * failure or a leftover process, 2 on bad arguments.
 *
 * <pre>
 * java -cp porthole-bench/target/classes:porthole-bench/target/lib/* io.porthole.bench.Bench [--iterations=10]
 *     [--actions=100] [--warmup=2] [--action-warmup=10] [--settle-ms=1000] [--egress-iterations=5]
 *     [--egress-mib=64] [--playwright-iterations=10] [--playwright-clicks=50] [--chromium=/usr/bin/chromium]
 *     [--verbose]
 * </pre>
 */
public final class Bench {
    private static final String API_KEY = "ph_bench_" + Long.toHexString(System.nanoTime());
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DESKTOP_TIMEOUT = Duration.ofSeconds(30);
    /** Where desktop clicks go, in screen pixels: on the root window, clear of the xterm (20,20 to about 930,560). */
    private static final int[][] DESKTOP_POINTS = {{1000, 600}, {1100, 650}, {1180, 690}};
    /** What the desktop type rows type into the focused xterm: 20 characters each, then the line is cleared. */
    static final String TYPE_ASCII = "the quick brown fox ";
    static final String TYPE_NON_ASCII = "ñandú, Ελληνικά 日本語!";
    static final int WIDTH = 1280;
    static final int HEIGHT = 720;
    private static final Path CURL = Path.of("/usr/bin/curl");
    /** curl's report of a download: "bytes seconds". */
    private static final String CURL_FORMAT = "%{size_download} %{time_total}";
    /** exec/sync's own bound for one download, and the HTTP request's (a little longer). */
    private static final int EGRESS_TIMEOUT_SECONDS = 120;
    private static final Duration EGRESS_REQUEST_TIMEOUT = Duration.ofSeconds(EGRESS_TIMEOUT_SECONDS + 15);

    /** Command-line options. */
    record Options(int iterations, int actions, int warmup, int actionWarmup, long settleMillis,
                   int egressIterations, int egressMib, int playwrightIterations, int playwrightClicks,
                   Path chromium, Set<String> only, boolean verbose, int standbyComputers, int standbyWindowSeconds,
                   int standbyIterations, Map<String, String> groupArgs, PoolBench.Settings pool) {
        /** The groups of rows {@code --only} names, in the order they run. */
        static final List<String> GROUPS = List.of("browser", "desktop", "egress", "sandboxes", "screencast", "standby",
                "memory", "pool", "store", "cluster", "firefox");
        static final String USAGE = """
                usage: script/bench [--iterations=N] [--actions=M] [--warmup=W] [--action-warmup=K]
                                    [--settle-ms=MS] [--egress-iterations=E] [--egress-mib=S]
                                    [--playwright-iterations=P] [--playwright-clicks=C]
                                    [--chromium=PATH] [--only=GROUP,...] [--verbose]
                                    [--standby-computers=K] [--standby-window-seconds=S]
                                    [--standby-iterations=I] [--memory-...] [--density ...]
                                    [--pool-iterations=N] [--pool-lifecycle-iterations=N]
                                    [--pool-burst=N] [--pool-burst-pools=N,...]
                                    [--store-iterations=N] [--cluster-...]
                  --iterations     computers (browser, and desktop) created and deleted per side, measured
                                   (default 10)
                  --actions        click, screenshot and exec round trips per side, measured, on a browser
                                   computer and on a desktop; also suspend/resume round trips on a browser
                                   sandbox (default 100)
                  --warmup         create/delete iterations run first and discarded (default 2)
                  --action-warmup  action iterations run first and discarded (default 10)
                  --settle-ms      pause after a browser is ready before its memory is read (default 1000)
                  --egress-iterations
                                   downloads per side through the egress proxy and directly, measured,
                                   after one warm-up each (default 5)
                  --egress-mib     size of that download, in MiB (default 64)
                  --playwright-iterations
                                   runs of the Playwright script per side (connectOverCDP, goto, clicks,
                                   screenshot), measured, after --warmup runs each (default 10)
                  --playwright-clicks
                                   clicks in each of those runs (default 50)
                  --chromium       the browser binary, for Porthole and the baseline (default /usr/bin/chromium)
                  --only           run only these groups of rows (default all): browser (create/delete,
                                   isolation, click, screenshot, exec), desktop (create/delete, click, type,
                                   screenshot), egress, sandboxes (Playwright, suspend/resume),
                                   screencast (desktop H.264 pictures/s and encoder CPU; browser
                                   frames/s, CPU and latency against CDP's own screencast),
                                   standby (idle CPU per computer with standby off and on; the first
                                   action after standby against the same action awake), memory (memory
                                   per idle computer against the bare browser or desktop),
                                   pool (create from the warm pool, the full lifecycle with
                                   Playwright, bursts of creates; PoolBench), store (store operations
                                   on SQLite and on PostgreSQL; StoreBench), cluster (two nodes on
                                   PostgreSQL: actions, creates and Playwright through the node that
                                   owns the computer and through the other; ClusterBench), firefox
                                   (Firefox headless against headful on its own Xvfb: create,
                                   memory, click, screenshot; FirefoxDisplayBench)
                  --verbose        show the server's INFO logs
                  --standby-computers
                                   computers of a kind left idle at once for the standby CPU rows
                                   (default 10)
                  --standby-window-seconds
                                   how long their CPU is measured (default 30)
                  --standby-iterations
                                   first actions after standby per action and kind, measured, after 2
                                   warm-up (default 10)
                """ + PoolBench.Settings.USAGE.stripTrailing()
                + "\n" + MemoryBench.USAGE + FirefoxDisplayBench.USAGE + StoreBench.USAGE + ClusterBench.USAGE + DensityBench.USAGE.stripTrailing();

        static Options parse(String[] args) {
            int iterations = 10;
            int actions = 100;
            int warmup = 2;
            int actionWarmup = 10;
            long settle = 1000;
            int egressIterations = 5;
            int egressMib = 64;
            int playwrightIterations = 10;
            int playwrightClicks = 50;
            Path chromium = Path.of("/usr/bin/chromium");
            Set<String> only = Set.copyOf(GROUPS);
            boolean verbose = false;
            int standbyComputers = 10;
            int standbyWindow = 30;
            int standbyIterations = 10;
            var groupArgs = new LinkedHashMap<String, String>();
            var pool = PoolBench.Settings.DEFAULTS;
            for (var a : args) {
                var eq = a.indexOf('=');
                var name = eq < 0 ? a : a.substring(0, eq);
                var value = eq < 0 ? "" : a.substring(eq + 1);
                if (name.startsWith("--memory-") || name.startsWith("--density") || name.startsWith("--store-")
                        || name.startsWith("--cluster-") || name.startsWith("--firefox-")) {
                    groupArgs.put(name, value);
                    continue;
                }
                switch (name) {
                    case "--iterations" -> iterations = positive(name, value);
                    case "--actions" -> actions = positive(name, value);
                    case "--warmup" -> warmup = nonNegative(name, value);
                    case "--action-warmup" -> actionWarmup = nonNegative(name, value);
                    case "--settle-ms" -> settle = nonNegative(name, value);
                    case "--egress-iterations" -> egressIterations = positive(name, value);
                    case "--egress-mib" -> {
                        egressMib = positive(name, value);
                        if (egressMib > 1024) throw new IllegalArgumentException(name + " must be at most 1024");
                    }
                    case "--playwright-iterations" -> playwrightIterations = positive(name, value);
                    case "--playwright-clicks" -> playwrightClicks = positive(name, value);
                    case "--chromium" -> chromium = Path.of(value);
                    case "--only" -> {
                        only = Set.of(value.split(","));
                        for (var g : only) {
                            if (!GROUPS.contains(g)) throw new IllegalArgumentException(name + " takes " + GROUPS + ", not '" + g + "'");
                        }
                    }
                    case "--verbose" -> verbose = true;
                    case "--standby-computers" -> standbyComputers = positive(name, value);
                    case "--standby-window-seconds" -> standbyWindow = positive(name, value);
                    case "--standby-iterations" -> standbyIterations = positive(name, value);
                    case "--pool-iterations", "--pool-lifecycle-iterations", "--pool-burst", "--pool-burst-pools" ->
                            pool = pool.with(name, value);
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            // the groups' own options, checked now so that a bad one is refused before anything starts
            MemoryBench.Options.parse(filter(groupArgs, "--memory-"));
            DensityBench.Options.parse(filter(groupArgs, "--density"));
            StoreBench.Options.parse(filter(groupArgs, "--store-"));
            ClusterBench.Options.parse(filter(groupArgs, "--cluster-"));
            FirefoxDisplayBench.Options.parse(filter(groupArgs, "--firefox-"));
            return new Options(iterations, actions, warmup, actionWarmup, settle, egressIterations, egressMib,
                    playwrightIterations, playwrightClicks, chromium, only, verbose, standbyComputers, standbyWindow,
                    standbyIterations, groupArgs, pool);
        }

        private static int positive(String name, String value) {
            int n = nonNegative(name, value);
            if (n == 0) throw new IllegalArgumentException(name + " must be at least 1");
            return n;
        }

        private static int nonNegative(String name, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n < 0) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " needs a whole number >= 0, not '" + value + "'");
            }
        }
    }

    /** A whole number of at least 1 for the option {@code name}, for the groups' own options. */
    static int positiveOption(String name, String value) {
        return Options.positive(name, value);
    }

    /** A whole number of at least 0 for the option {@code name}, for the groups' own options. */
    static int nonNegativeOption(String name, String value) {
        return Options.nonNegative(name, value);
    }

    /** One row of the latency table: Porthole's samples and the baseline's. */
    private record Row(String operation, Samples porthole, Samples raw, String note) {}

    /** One row of the memory table, in kB, one value per sampled tree. */
    private record MemRow(String what, List<Long> portholeKb, List<Long> rawKb, List<Integer> portholeProcs,
                          List<Integer> rawProcs) {
        static MemRow of(String what, List<List<Procs.Proc>> porthole, List<List<Procs.Proc>> raw,
                         java.util.function.ToLongFunction<Procs.Proc> metric) {
            return new MemRow(what, sums(porthole, metric), sums(raw, metric),
                    porthole.stream().map(List::size).toList(), raw.stream().map(List::size).toList());
        }

        private static List<Long> sums(List<List<Procs.Proc>> trees, java.util.function.ToLongFunction<Procs.Proc> metric) {
            var out = new ArrayList<Long>();
            for (var t : trees) {
                // a process whose smaps could not be read makes the sum unknown
                out.add(t.stream().anyMatch(p -> metric.applyAsLong(p) < 0) ? -1L : t.stream().mapToLong(metric).sum());
            }
            return out;
        }
    }

    private final Options options;
    private final PrintStream out = System.out;
    private final PrintStream log = System.err;
    private final Set<String> liveComputers = ConcurrentHashMap.newKeySet();
    private final Set<RawBrowser> liveRaw = ConcurrentHashMap.newKeySet();
    private final Set<RawDesktop> liveRawDesktops = ConcurrentHashMap.newKeySet();
    /** The raw browsers' freezer cgroups, thawed and removed at cleanup. */
    private final Set<Suspenders.Freezer> liveFreezers = ConcurrentHashMap.newKeySet();
    /** Rows that could not run here (no node, no freezer): shown as skipped. */
    private final Set<String> skipped = ConcurrentHashMap.newKeySet();
    /** The computers whose sandbox was found (a pid namespace of their own). */
    private final Set<String> sandboxed = ConcurrentHashMap.newKeySet();
    private final List<String> notes = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<MemRow> memory = new ArrayList<>();
    /** Egress throughput, MB/s (10^6 bytes a second) by curl's own count, one value per download. */
    private final Samples egressPorthole = new Samples();
    private final Samples egressRaw = new Samples();
    /** The same downloads' exec/sync round trips (Porthole) and process runs (raw), wall clock. */
    private final Samples egressPortholeWall = new Samples();
    private final Samples egressRawWall = new Samples();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Where a create's time goes (CreateSteps): the server's own step timings and the raw launch's phases. */
    private final CreateSteps createSteps = new CreateSteps();
    /** During a Porthole DELETE: when the browser's processes had all exited, and when all were reaped. */
    private final Samples watchExited = new Samples();
    private final Samples watchReaped = new Samples();
    private final Samples watchCrashpadExited = new Samples();
    private final Samples watchCrashpadReaped = new Samples();
    private String loadAtStart = "";
    private int otherBrowsersAtStart;
    private int otherXvfbAtStart;
    private Path tmpRoot;
    private PageServer pages;
    private PortholeServer server;
    private PortholeClient api;
    private boolean cleanedUp;
    private BrowserScreencastBench browserScreencast;
    private int rawCounter;
    private int nextDisplay = 90;
    private DesktopScreencastBench desktopScreencast;
    private StandbyBench standby;
    private MemoryBench memoryBench;
    private FirefoxDisplayBench firefoxDisplay;
    private DensityBench density;
    private PoolBench pool;
    private StoreBench store;
    private ClusterBench cluster;

    private Bench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(Options.USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        configureLogging(options.verbose());
        var bench = new Bench(options);
        var hook = new Thread(bench::cleanup, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = 0;
        try {
            bench.run();
            if (!bench.errors.isEmpty()) code = 1;
        } catch (Exception e) {
            System.err.println("bench: FAILED: " + e);
            e.printStackTrace(System.err);
            code = 1;
        } finally {
            if (!bench.cleanup()) code = 1;
        }
        System.exit(code);
    }

    private static void configureLogging(boolean verbose) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        }
        var root = Logger.getLogger("");
        var level = verbose ? Level.INFO : Level.WARNING;
        root.setLevel(level);
        for (var h : root.getHandlers()) h.setLevel(level);
    }

    // ---- the run ----

    private void run() throws Exception {
        if (!Files.isExecutable(options.chromium())) {
            throw new IllegalStateException(options.chromium() + " is not an executable file; pass --chromium=PATH");
        }
        var missing = RawDesktop.missingProgram();
        if (missing != null) {
            throw new IllegalStateException(missing + " is not installed; the desktop rows need Xvfb, openbox, xterm, "
                    + "xdotool, xprop and xwd (Debian: apt-get install xvfb openbox xterm xdotool x11-utils x11-apps)");
        }
        if (!Files.isExecutable(CURL)) {
            throw new IllegalStateException(CURL + " is not installed; the egress rows need it "
                    + "(Debian: apt-get install curl)");
        }
        long started = System.nanoTime();
        tmpRoot = Files.createTempDirectory("porthole-bench-");
        pages = new PageServer(options.egressMib() * 1024 * 1024);
        // the test page is on loopback, which computers may not reach unless allowed
        var base = ServerConfig.defaults(tmpRoot.resolve("server")).withPort(0).withApiKey(API_KEY)
                .withEgressAllow(List.of("127.0.0.1")).toBuilder().stopComputersOnShutdown(true).build();
        var config = base.withChromium(new ChromiumConfig(Optional.of(options.chromium()), List.of(),
                ChromiumConfig.defaults().startTimeoutSeconds(), false));
        loadAtStart = loadAverage();
        otherBrowsersAtStart = otherBrowsers();
        otherXvfbAtStart = otherXvfb();
        server = PortholeServer.start(config);
        api = new PortholeClient(http, server.baseUrl(), API_KEY);
        checkAuth();

        printHeader();
        var memoryOptions = MemoryBench.Options.parse(filter(options.groupArgs(), "--memory-"));
        var densityOptions = DensityBench.Options.parse(filter(options.groupArgs(), "--density"));
        var only = densityOptions.on() ? Set.<String>of() : options.only();
        if (only.contains("browser")) {
            lifecycle();
            isolationCost();
        }
        if (only.contains("desktop")) desktopLifecycle();
        if (only.contains("browser")) actions();
        if (only.contains("desktop")) desktopActions();
        if (only.contains("egress")) egress();
        if (only.contains("sandboxes")) {
            try {
                sandboxes();
            } catch (Exception e) {
                error("browser sandboxes (Playwright, suspend/resume): " + e);
                deleteLiveComputers();
            }
        }
        if (only.contains("screencast")) desktopScreencast();
        if (only.contains("screencast")) {
            browserScreencast = new BrowserScreencastBench(new BrowserScreencastBench.Context(api, server.baseUrl(),
                    API_KEY, http, options.chromium(), tmpRoot, rawMarker(), liveComputers, liveRaw, log, notes::add,
                    this::error));
            try {
                browserScreencast.run();
            } catch (Exception e) {
                error("browser screencast: " + e);
                deleteLiveComputers();
            }
        }
        if (only.contains("standby")) {
            standby = new StandbyBench(new StandbyBench.Context(config, API_KEY, http, tmpRoot, pages.url(),
                    options.standbyComputers(), Duration.ofSeconds(options.standbyWindowSeconds()),
                    options.standbyIterations(), log, this::error));
            try {
                standby.run();
            } catch (Exception e) {
                error("standby: " + e);
            }
        }
        if (only.contains("memory")) {
            memoryBench = new MemoryBench(new MemoryBench.Context(config, API_KEY, http, tmpRoot, options.chromium(),
                    pages.url(), new MemoryBench.RawDesktops() {
                        public RawDesktop start(String tag) throws IOException { return startRawDesktop(tag); }
                        public void kill(RawDesktop d) {
                            d.kill();
                            liveRawDesktops.remove(d);
                        }
                    }, liveRaw, rawMarker(), log, this::error), memoryOptions);
            memoryBench.run();
        }
        if (densityOptions.on()) {
            density = new DensityBench(new DensityBench.Context(config, API_KEY, http, tmpRoot, pages.url(), log,
                    this::error), densityOptions);
            try {
                density.run();
            } catch (Exception e) {
                error("density: " + e);
            }
        }
        if (only.contains("pool")) {
            pool = new PoolBench(new PoolBench.Context(config, API_KEY, http, tmpRoot, options.chromium(), pages.url(),
                    options.pool(), liveRaw, rawMarker(), log, this::error));
            pool.run();
        }
        if (only.contains("firefox")) {
            firefoxDisplay = new FirefoxDisplayBench(new FirefoxDisplayBench.Context(config, API_KEY, http, tmpRoot,
                    pages.url(), log, this::error), FirefoxDisplayBench.Options.parse(filter(options.groupArgs(), "--firefox-")));
            try {
                firefoxDisplay.run();
            } catch (Exception e) {
                error("firefox: " + e);
            }
        }
        if (only.contains("store")) {
            store = new StoreBench(new StoreBench.Context(tmpRoot,
                    StoreBench.Options.parse(filter(options.groupArgs(), "--store-")), log, this::error));
            try {
                store.run();
            } catch (Exception e) {
                error("store: " + e);
            }
        }
        if (only.contains("cluster")) {
            cluster = new ClusterBench(new ClusterBench.Context(tmpRoot, options.chromium(), pages.url(), http,
                    ClusterBench.Options.parse(filter(options.groupArgs(), "--cluster-")), rawMarker(), log, this::error));
            try {
                cluster.run();
            } catch (Exception e) {
                error("cluster: " + e);
            }
        }
        long jvmRss = Procs.selfRssKb();
        printResults(jvmRss, System.nanoTime() - started);
    }

    /** The arguments of {@code args} whose name starts with {@code prefix}. */
    private static Map<String, String> filter(Map<String, String> args, String prefix) {
        var out = new LinkedHashMap<String, String>();
        args.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k, v);
        });
        return out;
    }

    /** The desktop screencast rows (their own class), run with this bench's server, computers and raw desktops. */
    private void desktopScreencast() {
        var bench = this;
        desktopScreencast = new DesktopScreencastBench(new DesktopScreencastBench.Host() {
            public PortholeClient api() { return api; }
            public String baseUrl() { return server.baseUrl(); }
            public String apiKey() { return API_KEY; }
            public String createDesktop() throws Exception { return bench.createDesktop(); }
            public void deleteComputer(String id) throws Exception {
                var del = api.delete("/computers/" + id, REQUEST_TIMEOUT);
                if (del.status() == 204) liveComputers.remove(id);
                else error("DELETE /computers/" + id + ": " + del.describe());
            }
            public RawDesktop startRawDesktop(String tag) throws IOException { return bench.startRawDesktop(tag); }
            public void killRawDesktop(RawDesktop d) {
                d.kill();
                liveRawDesktops.remove(d);
            }
            public void error(String message) { bench.error(message); }
            public PrintStream log() { return log; }
        }, 3, Duration.ofSeconds(10));
        try {
            desktopScreencast.run();
        } catch (Exception e) {
            error("desktop screencast: " + e);
            deleteLiveComputers();
        }
    }

    /** The environment entry every raw desktop process gets, to find leftovers. */
    private String rawMarker() {
        return RawDesktop.MARKER_NAME + "=" + tmpRoot;
    }

    /** The configured key must open the API. */
    private void checkAuth() throws IOException, InterruptedException {
        var res = api.get("/computers", REQUEST_TIMEOUT);
        if (res.status() != 200) throw new IllegalStateException("GET /computers: " + res.describe());
    }

    private void printHeader() {
        log.printf(Locale.ROOT, "bench: Porthole at %s, test page at %s, work dir %s%n", server.baseUrl(), pages.url(),
                tmpRoot);
        log.printf(Locale.ROOT, "bench: %d create/delete per side (+%d warm-up), %d actions per side (+%d warm-up), "
                        + "%d downloads of %d MiB per side (+1 warm-up), %d Playwright runs of %d clicks per side (+%d "
                + "warm-up)%n", options.iterations(), options.warmup(),
                options.actions(), options.actionWarmup(), options.egressIterations(), options.egressMib(),
                options.playwrightIterations(), options.playwrightClicks(), options.warmup());
    }

    // ---- 1. create -> ready, delete ----

    private void lifecycle() throws Exception {
        var create = row("create → ready", "POST /computers {} vs launch + Target.getTargets");
        var createPage = new Row("create → ready, raw first page set up", create.porthole(), new Samples(),
                "porthole column = the create row's; raw also attaches to its first page (Target.setAutoAttach) and"
                        + " sends it the six commands a computer's new page gets, together, until all have answered:"
                        + " the state a computer's first page is in when its create answers");
        rows.put(createPage.operation(), createPage);
        var delete = row("delete", "DELETE /computers/{id} (204) vs SIGKILL tree, wait until exited, rm profile");
        var deleteReaped = new Row("delete, raw until reaped", delete.porthole(), new Samples(),
                "porthole column = the delete row's; raw also waits until PID 1 has reaped the exited children");
        var memP = new ArrayList<List<Procs.Proc>>();
        var memR = new ArrayList<List<Procs.Proc>>();
        int total = options.warmup() + options.iterations();
        for (int i = 0; i < total; i++) {
            boolean measured = i >= options.warmup();
            var label = measured ? "iteration " + (i - options.warmup() + 1) + "/" + options.iterations()
                    : "warm-up " + (i + 1) + "/" + options.warmup();
            var line = new StringBuilder("bench: lifecycle " + label + ":");
            for (int side = 0; side < 3; side++) {
                int turn = (side + i) % 3; // rotate which side goes first
                boolean portholeTurn = turn == 0;
                try {
                    if (portholeTurn) {
                        portholeLifecycle(measured, create, delete, memP, line);
                    } else if (turn == 1) {
                        rawLifecycle(measured, create, delete, deleteReaped, memR, line);
                    } else {
                        rawFirstPage(measured, createPage, line);
                    }
                } catch (Exception e) {
                    (portholeTurn ? create.porthole() : turn == 1 ? create.raw() : createPage.raw()).error();
                    error("lifecycle " + label + " (" + (portholeTurn ? "porthole" : "raw") + "): " + e.getMessage());
                    line.append(portholeTurn ? " porthole FAILED;" : " raw FAILED;");
                    if (portholeTurn) deleteLiveComputers();
                }
            }
            log.println(line);
        }
        rows.put(deleteReaped.operation(), deleteReaped);
        var when = "at about:blank, " + options.settleMillis() + " ms after ready (median of " + memP.size() + " / "
                + memR.size() + ")";
        memory.add(MemRow.of("RSS sum " + when, memP, memR, Procs.Proc::rssKb));
        memory.add(MemRow.of("private (USS) sum " + when, memP, memR, Procs.Proc::privateKb));
    }

    private void portholeLifecycle(boolean measured, Row create, Row delete, List<List<Procs.Proc>> mem,
                                   StringBuilder line) throws Exception {
        createSteps.begin();
        long t0 = System.nanoTime();
        var res = api.post("/computers", "{}", CREATE_TIMEOUT);
        long t1 = System.nanoTime();
        createSteps.end(measured && res.status() == 200, t1 - t0);
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (!id.isEmpty()) liveComputers.add(id);
        if (res.status() != 200 || id.isEmpty()) throw new IllegalStateException("POST /computers: " + res.describe());
        var status = res.json().path("status").asText();
        if (!status.equals("running")) notes.add("POST /computers answered status '" + status + "' (expected running)");
        sleep(options.settleMillis());
        var tree = sandboxTree(id);
        // watch the browser's processes during DELETE: when they have all exited, when they are all reaped
        var pids = tree.stream().filter(p -> !isCrashpad(p)).map(Procs.Proc::pid).toList();
        var crashpad = tree.stream().filter(Bench::isCrashpad).map(Procs.Proc::pid).toList();
        var exitedAt = new AtomicLong();
        var reapedAt = new AtomicLong();
        var crashpadExitedAt = new AtomicLong();
        var crashpadReapedAt = new AtomicLong();
        long t2 = System.nanoTime();
        var watcher = Thread.ofVirtual().name("bench-delete-watch").start(() -> watch(pids, t2, exitedAt, reapedAt));
        var crashpadWatcher = Thread.ofVirtual().name("bench-delete-watch-crashpad")
                .start(() -> watch(crashpad, t2, crashpadExitedAt, crashpadReapedAt));
        var del = api.delete("/computers/" + id, REQUEST_TIMEOUT);
        long t3 = System.nanoTime();
        watcher.join(Duration.ofSeconds(30));
        crashpadWatcher.join(Duration.ofSeconds(30));
        if (del.status() != 204) throw new IllegalStateException("DELETE /computers/" + id + ": " + del.describe());
        liveComputers.remove(id);
        var left = leftOf(id);
        if (!left.isEmpty()) {
            notes.add("right after DELETE /computers/" + id + " answered 204, " + left.size()
                    + " of its processes were still alive (" + describe(left) + ")");
        }
        if (tree.isEmpty()) throw new IllegalStateException("no process has " + id + " in its command line");
        if (measured) {
            create.porthole().add(t1 - t0);
            delete.porthole().add(t3 - t2);
            if (exitedAt.get() > 0) watchExited.add(exitedAt.get());
            if (reapedAt.get() > 0) watchReaped.add(reapedAt.get());
            if (!crashpad.isEmpty() && crashpadExitedAt.get() > 0) watchCrashpadExited.add(crashpadExitedAt.get());
            if (!crashpad.isEmpty() && crashpadReapedAt.get() > 0) watchCrashpadReaped.add(crashpadReapedAt.get());
            mem.add(tree);
        }
        line.append(String.format(Locale.ROOT, " porthole create %.0f ms, delete %.0f ms;", (t1 - t0) / 1e6,
                (t3 - t2) / 1e6));
    }

    /**
     * What isolation costs at create: the same POST /computers on this server (namespaces, cgroups, the egress
     * forwarder) and on a second server of the same build with PORTHOLE_ISOLATION=none, alternating.
     */
    private void isolationCost() throws Exception {
        var create = row("create → ready, isolated vs not", "POST /computers {} with namespaces (porthole column) vs "
                + "with PORTHOLE_ISOLATION=none (raw column), two servers of this build");
        var config = server.config().withPort(0).withIsolation(ServerConfig.Isolation.NONE).toBuilder()
                .dataDir(tmpRoot.resolve("server-unisolated")).build();
        try (var plain = PortholeServer.start(config)) {
            var plainApi = new PortholeClient(http, plain.baseUrl(), API_KEY);
            int total = options.warmup() + options.iterations();
            for (int i = 0; i < total; i++) {
                boolean measured = i >= options.warmup();
                for (int side = 0; side < 2; side++) {
                    boolean isolatedTurn = (side == 0) == (i % 2 == 0);
                    var client = isolatedTurn ? api : plainApi;
                    long t0 = System.nanoTime();
                    var res = client.post("/computers", "{}", CREATE_TIMEOUT);
                    long t1 = System.nanoTime();
                    var id = res.json() == null ? "" : res.json().path("id").asText("");
                    if (res.status() != 200 || id.isEmpty()) {
                        (isolatedTurn ? create.porthole() : create.raw()).error();
                        error("isolation create (" + (isolatedTurn ? "isolated" : "none") + "): " + res.describe());
                        continue;
                    }
                    client.delete("/computers/" + id, REQUEST_TIMEOUT);
                    if (measured) (isolatedTurn ? create.porthole() : create.raw()).add(t1 - t0);
                }
            }
        }
    }

    /**
     * What is still alive of a computer: its bubblewrap processes, and while they live, everything in their pid
     * namespace and the nsenter processes outside that started it (once its bubblewrap init is gone, the
     * namespace is gone: the kernel kills what was in it).
     */
    private static List<Procs.Proc> leftOf(String id) {
        return Procs.ofComputer(id, n -> {});
    }

    /** Polls until every pid has exited, then until every pid is reaped (bounded); records both, from {@code t0}. */
    private static void watch(List<Long> pids, long t0, AtomicLong exitedAt, AtomicLong reapedAt) {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(25);
        try {
            while (!pids.stream().allMatch(Procs::exited)) {
                if (System.nanoTime() > deadline) return;
                Thread.sleep(2);
            }
            exitedAt.set(System.nanoTime() - t0);
            while (!pids.stream().allMatch(Procs::gone)) {
                if (System.nanoTime() > deadline) return;
                Thread.sleep(2);
            }
            reapedAt.set(System.nanoTime() - t0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void rawLifecycle(boolean measured, Row create, Row delete, Row deleteReaped, List<List<Procs.Proc>> mem,
                              StringBuilder line) throws Exception {
        var dir = tmpRoot.resolve("raw").resolve("b" + (++rawCounter));
        long t0 = System.nanoTime();
        var browser = RawBrowser.launch(options.chromium(), dir, http, WIDTH, HEIGHT, LAUNCH_TIMEOUT);
        long t1 = System.nanoTime();
        liveRaw.add(browser);
        List<Procs.Proc> tree;
        RawBrowser.KillTiming kill;
        try {
            sleep(options.settleMillis());
            tree = Procs.matching(browser.marker());
        } finally {
            kill = browser.kill();
            liveRaw.remove(browser);
        }
        if (measured) {
            create.raw().add(t1 - t0);
            createSteps.raw(browser.phases(), t1 - t0);
            delete.raw().add(kill.exitedNanos());
            deleteReaped.raw().add(kill.reapedNanos());
            mem.add(tree);
        }
        line.append(String.format(Locale.ROOT, " raw launch %.0f ms, kill %.0f ms (reaped %.0f ms);", (t1 - t0) / 1e6,
                kill.exitedNanos() / 1e6, kill.reapedNanos() / 1e6));
    }

    /** A raw launch that also sets up its first page as a computer's is at ready (RawBrowser.setUpFirstPage). */
    private void rawFirstPage(boolean measured, Row createPage, StringBuilder line) throws Exception {
        var dir = tmpRoot.resolve("raw").resolve("b" + (++rawCounter));
        long t0 = System.nanoTime();
        var browser = RawBrowser.launch(options.chromium(), dir, http, WIDTH, HEIGHT, LAUNCH_TIMEOUT, true);
        long t1 = System.nanoTime();
        liveRaw.add(browser);
        try {
            if (measured) createPage.raw().add(t1 - t0);
        } finally {
            browser.kill();
            liveRaw.remove(browser);
        }
        line.append(String.format(Locale.ROOT, " raw launch + first page %.0f ms;", (t1 - t0) / 1e6));
    }

    /** After a failure: ends computers that are still up, so that they do not weigh on later measurements. */
    private void deleteLiveComputers() {
        for (var id : List.copyOf(liveComputers)) {
            try {
                if (api.delete("/computers/" + id, REQUEST_TIMEOUT).status() == 204) liveComputers.remove(id);
            } catch (Exception e) {
                error("DELETE /computers/" + id + " after a failure: " + e.getMessage());
            }
        }
    }

    // ---- 2. desktop create -> ready, delete ----

    private void desktopLifecycle() {
        var create = row("desktop create → ready", "POST /computers {\"kind\":\"desktop\"} vs Xvfb, openbox and xterm "
                + "started directly, each waited for in turn (Porthole polls over its X11 connection: the screen, the "
                + "window manager's EWMH check, the xterm active; the raw side polls the same with xdotool and xprop)");
        var delete = row("desktop delete", "DELETE /computers/{id} (204) vs SIGKILL Xvfb, openbox, xterm and their "
                + "children, wait until exited, rm lock and socket");
        int total = options.warmup() + options.iterations();
        for (int i = 0; i < total; i++) {
            boolean measured = i >= options.warmup();
            var label = measured ? "iteration " + (i - options.warmup() + 1) + "/" + options.iterations()
                    : "warm-up " + (i + 1) + "/" + options.warmup();
            var line = new StringBuilder("bench: desktop lifecycle " + label + ":");
            for (int side = 0; side < 2; side++) {
                boolean portholeTurn = (side == 0) == (i % 2 == 0);
                try {
                    if (portholeTurn) {
                        portholeDesktopLifecycle(measured, create, delete, line);
                    } else {
                        rawDesktopLifecycle(measured, create, delete, line);
                    }
                } catch (Exception e) {
                    (portholeTurn ? create.porthole() : create.raw()).error();
                    error("desktop lifecycle " + label + " (" + (portholeTurn ? "porthole" : "raw") + "): "
                            + e.getMessage());
                    line.append(portholeTurn ? " porthole FAILED;" : " raw FAILED;");
                    if (portholeTurn) deleteLiveComputers();
                }
            }
            log.println(line);
        }
    }

    /** Creates a desktop computer (untimed), and answers its id. */
    private String createDesktop() throws Exception {
        var res = api.post("/computers", "{\"kind\":\"desktop\"}", CREATE_TIMEOUT);
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (!id.isEmpty()) liveComputers.add(id);
        if (res.status() != 200 || id.isEmpty()) {
            throw new IllegalStateException("POST /computers {\"kind\":\"desktop\"}: " + res.describe());
        }
        sandboxTree(id);
        return id;
    }

    /** The processes of computer {@code id} (see {@link Procs#ofComputer}); throws if no sandbox is found. */
    private List<Procs.Proc> sandboxTree(String id) {
        var found = new java.util.concurrent.atomic.AtomicBoolean();
        var tree = Procs.ofComputer(id, n -> found.set(true));
        if (!found.get()) throw new IllegalStateException("no sandbox (pid namespace) found for " + id);
        sandboxed.add(id);
        return tree;
    }

    private void portholeDesktopLifecycle(boolean measured, Row create, Row delete, StringBuilder line) throws Exception {
        long t0 = System.nanoTime();
        var res = api.post("/computers", "{\"kind\":\"desktop\"}", CREATE_TIMEOUT);
        long t1 = System.nanoTime();
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (!id.isEmpty()) liveComputers.add(id);
        if (res.status() != 200 || id.isEmpty()) {
            throw new IllegalStateException("POST /computers {\"kind\":\"desktop\"}: " + res.describe());
        }
        var status = res.json().path("status").asText();
        if (!status.equals("running")) notes.add("POST /computers (desktop) answered status '" + status + "'");
        var tree = sandboxTree(id);
        for (var program : List.of("Xvfb", "openbox", "xterm")) {
            if (tree.stream().noneMatch(p -> p.cmdline().split(" ", 2)[0].endsWith("/" + program))) {
                throw new IllegalStateException("desktop " + id + " is ready but has no " + program + " process");
            }
        }
        long t2 = System.nanoTime();
        var del = api.delete("/computers/" + id, REQUEST_TIMEOUT);
        long t3 = System.nanoTime();
        if (del.status() != 204) throw new IllegalStateException("DELETE /computers/" + id + ": " + del.describe());
        liveComputers.remove(id);
        var left = leftOf(id);
        if (!left.isEmpty()) {
            notes.add("right after DELETE /computers/" + id + " (desktop) answered 204, " + left.size()
                    + " of its processes were still alive (" + describe(left) + ")");
        }
        if (measured) {
            create.porthole().add(t1 - t0);
            delete.porthole().add(t3 - t2);
        }
        line.append(String.format(Locale.ROOT, " porthole create %.0f ms, delete %.0f ms;", (t1 - t0) / 1e6,
                (t3 - t2) / 1e6));
    }

    /** Starts a raw desktop on the next free display; its processes carry the bench's marker and {@code tag}. */
    private RawDesktop startRawDesktop(String tag) throws IOException {
        int display = RawDesktop.freeDisplay(nextDisplay);
        nextDisplay = display + 1;
        var dir = tmpRoot.resolve("raw").resolve(tag);
        var desktop = RawDesktop.start(display, dir, Map.of(RawDesktop.MARKER_NAME, tmpRoot.toString(),
                RawDesktop.MARKER_NAME + "_DESKTOP", tag), WIDTH, HEIGHT, DESKTOP_TIMEOUT);
        liveRawDesktops.add(desktop);
        return desktop;
    }

    private void rawDesktopLifecycle(boolean measured, Row create, Row delete, StringBuilder line) throws Exception {
        var tag = "d" + (++rawCounter);
        long t0 = System.nanoTime();
        var desktop = startRawDesktop(tag);
        long t1 = System.nanoTime();
        long kill;
        try {
            var procs = Procs.withEnvironment(RawDesktop.MARKER_NAME + "_DESKTOP=" + tag);
            if (procs.size() < 3) throw new IllegalStateException("raw desktop " + tag + " has " + procs.size() + " processes");
        } finally {
            kill = desktop.kill();
            liveRawDesktops.remove(desktop);
        }
        if (!desktop.allExited()) error("raw desktop " + tag + ": a process outlived its kill by 10 s");
        if (measured) {
            create.raw().add(t1 - t0);
            delete.raw().add(kill);
        }
        line.append(String.format(Locale.ROOT, " raw start %.0f ms (:%d), kill %.0f ms;", (t1 - t0) / 1e6,
                desktop.display(), kill / 1e6));
    }

    // ---- 3. actions on one computer ----

    private void actions() throws Exception {
        var click = row("click", "POST /click {x,y} vs Input.dispatchMouseEvent ×3");
        var shot = row("screenshot", "POST /screenshot {} (PNG written to disk, URL returned) vs Page.captureScreenshot");
        var shotFetch = new Row("screenshot + GET png", new Samples(), shot.raw(),
                "POST /screenshot then GET screenshot_url; raw column = the screenshot row's");
        var noop = row("no-op round trip", "GET /computers/{id} vs Browser.getVersion");

        var res = api.post("/computers", "{}", CREATE_TIMEOUT);
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (!id.isEmpty()) liveComputers.add(id);
        if (res.status() != 200 || id.isEmpty()) throw new IllegalStateException("POST /computers: " + res.describe());
        sandboxTree(id);
        expectSuccess("navigate", api.post("/computers/" + id + "/navigate",
                "{\"url\":\"" + pages.url() + "\"}", REQUEST_TIMEOUT));

        var browser = RawBrowser.launch(options.chromium(), tmpRoot.resolve("raw").resolve("actions"), http, WIDTH,
                HEIGHT, LAUNCH_TIMEOUT);
        liveRaw.add(browser);
        try {
            browser.attachToPage(WIDTH, HEIGHT);
            browser.navigate(pages.url(), Duration.ofSeconds(30));
            // a hidden page renders no frames, and input that waits for a frame would answer at once
            notes.add("raw page visibility: " + browser.evaluate("document.visibilityState").asText());

            // the two screenshots should be of the same size, or the comparison is not fair
            var first = expectSuccess("screenshot", api.post("/computers/" + id + "/screenshot", "{}", REQUEST_TIMEOUT));
            var rawPng = browser.screenshot();
            var sizes = String.format(Locale.ROOT, "screenshot sizes: porthole %dx%d, raw %dx%d (%d bytes)",
                    first.path("result").path("width").asInt(), first.path("result").path("height").asInt(),
                    pngInt(rawPng, 16), pngInt(rawPng, 20), rawPng.length);
            log.println("bench: " + sizes);
            notes.add(sizes);

            int total = options.actionWarmup() + options.actions();
            for (int i = 0; i < total; i++) {
                boolean measured = i >= options.actionWarmup();
                boolean portholeFirst = i % 2 == 0;
                var path = "/computers/" + id;
                // alternate between two points on the button, so that every click moves the pointer on both
                // sides (a mouse move waits for the next frame; a click where the pointer already is does not)
                int x = PageServer.BUTTON_X + (i % 2 == 0 ? -40 : 40);
                timePair(measured, portholeFirst, click,
                        () -> expectSuccess("click", api.post(path + "/click",
                                "{\"x\":" + x + ",\"y\":" + PageServer.BUTTON_Y + "}", REQUEST_TIMEOUT)),
                        () -> browser.click(x, PageServer.BUTTON_Y));
                timePair(measured, portholeFirst, shot,
                        () -> expectSuccess("screenshot", api.post(path + "/screenshot", "{}", REQUEST_TIMEOUT)),
                        browser::screenshot);
                timeOne(measured, shotFetch.porthole(), "screenshot + GET png", () -> {
                    var r = expectSuccess("screenshot", api.post(path + "/screenshot", "{}", REQUEST_TIMEOUT));
                    var png = api.fetch(r.path("result").path("screenshot_url").asText(), REQUEST_TIMEOUT);
                    if (png.length < 24 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
                        throw new IllegalStateException("screenshot_url did not serve a PNG");
                    }
                });
                timePair(measured, portholeFirst, noop, () -> {
                    var r = api.get(path, REQUEST_TIMEOUT);
                    if (r.status() != 200) throw new IllegalStateException("GET " + path + ": " + r.describe());
                }, browser::noop);
                if ((i + 1) % 20 == 0 || i + 1 == total) log.printf("bench: actions %d/%d%n", i + 1, total);
            }
            // Clicks alone, nothing else in between: a mouse move is delivered with the page's next frame, so
            // what runs between clicks shifts where they fall against frames; here both sides are paced alike.
            var clickOnly = row("click, nothing between", "POST /click {x,y} vs Input.dispatchMouseEvent ×3, back to back");
            for (int i = 0; i < total; i++) {
                boolean measured = i >= options.actionWarmup();
                int x = PageServer.BUTTON_X + (i % 2 == 0 ? -40 : 40);
                var path = "/computers/" + id;
                timePair(measured, i % 2 == 0, clickOnly,
                        () -> expectSuccess("click", api.post(path + "/click",
                                "{\"x\":" + x + ",\"y\":" + PageServer.BUTTON_Y + "}", REQUEST_TIMEOUT)),
                        () -> browser.click(x, PageServer.BUTTON_Y));
            }
            rows.put(shotFetch.operation(), shotFetch);
            // re-order so the fetch row sits after the screenshot row
            var noopRow = rows.remove(noop.operation());
            rows.put(noopRow.operation(), noopRow);

            // a command inside the computer, against the same command run directly
            var execSync = row("exec/sync `true`", "POST /exec/sync {\"command\":\"true\"} on a browser computer vs "
                    + "/bin/bash -c true started with ProcessBuilder and waited for");
            var execStream = new Row("exec (NDJSON stream) `true`", new Samples(), execSync.raw(),
                    "POST /exec {\"command\":\"true\"} until its last line {\"type\":\"exit\",\"code\":0} has been "
                            + "read; raw column = the exec/sync row's");
            rows.put(execStream.operation(), execStream);
            // where the time goes: the same nsenter into the same sandbox, started directly (no HTTP, no server)
            var entered = new Row("exec/sync `true`, raw nsenter", execSync.porthole(), new Samples(),
                    "raw column = the command the server starts for it (nsenter into the computer's namespaces, setsid,"
                            + " /bin/bash -c true), started directly with ProcessBuilder; porthole column = the exec/sync row's");
            rows.put(entered.operation(), entered);
            var anchor = sandboxTree(id).stream().filter(p -> p.cmdline().equals("/bin/sleep infinity")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the sandbox's own process was not found")).pid();
            var nsenterTrue = List.of("/usr/bin/nsenter", "-t", Long.toString(anchor), "-U", "-m", "-p", "-i", "-n", "-u",
                    "-r", "-W", "/workspace", "-S", "1000", "-G", "1000", "--", "/usr/bin/setsid", "/bin/bash", "-c", "true");
            var streamHeaders = new Samples();
            var streamEnd = new Samples();
            var bashTrue = List.of("/bin/bash", "-c", "true");
            for (int i = 0; i < total; i++) {
                boolean measured = i >= options.actionWarmup();
                var path = "/computers/" + id;
                timePair(measured, i % 2 == 0, execSync, () -> {
                    var r = api.post(path + "/exec/sync", "{\"command\":\"true\"}", REQUEST_TIMEOUT);
                    if (r.status() != 200 || r.json() == null || r.json().path("exit_code").asInt(-1) != 0) {
                        throw new IllegalStateException("exec/sync: " + r.describe());
                    }
                }, () -> RawDesktop.Cmd.run(bashTrue, null, REQUEST_TIMEOUT));
                long tn = System.nanoTime();
                RawDesktop.Cmd.run(nsenterTrue, null, REQUEST_TIMEOUT);
                if (measured) entered.raw().add(System.nanoTime() - tn);
                long t0 = System.nanoTime();
                try {
                    var stream = api.postNdjson(path + "/exec", "{\"command\":\"true\"}", REQUEST_TIMEOUT);
                    var r = stream.response();
                    if (r.status() != 200 || r.json() == null || !r.json().path("type").asText().equals("exit")
                            || r.json().path("code").asInt(-1) != 0) {
                        throw new IllegalStateException("exec: HTTP " + r.status() + ", last line " + r.body());
                    }
                    if (measured) {
                        execStream.porthole().add(stream.lastLineAt() - t0);
                        streamHeaders.add(stream.headersAt() - t0);
                        streamEnd.add(stream.endAt() - t0);
                    }
                } catch (Exception e) {
                    execStream.porthole().error();
                    error(execStream.operation() + ": " + e.getMessage());
                }
                if ((i + 1) % 50 == 0 || i + 1 == total) log.printf("bench: exec %d/%d%n", i + 1, total);
            }
            notes.add(String.format(Locale.ROOT, "POST /exec: the response headers arrived after p50 %s (p99 %s), the "
                            + "exit line after p50 %s (p99 %s), the end of the body after p50 %s (p99 %s)",
                    ms(streamHeaders.p50()), ms(streamHeaders.p99()), ms(execStream.porthole().p50()),
                    ms(execStream.porthole().p99()), ms(streamEnd.p50()), ms(streamEnd.p99())));

            // every click must have landed on the button, on both sides
            int expected = 2 * total;
            var html = expectSuccess("html", api.post("/computers/" + id + "/html", "{}", REQUEST_TIMEOUT))
                    .path("result").path("html_content").asText();
            var m = Pattern.compile("<span id=\"count\">(\\d+)</span>").matcher(html);
            int portholeClicks = m.find() ? Integer.parseInt(m.group(1)) : -1;
            int rawClicks = browser.evaluate("window.clicks").asInt(-1);
            var counted = "clicks counted by the page: porthole " + portholeClicks + ", raw " + rawClicks
                    + " (expected " + expected + " minus failed clicks: porthole " + (click.porthole().errors() + clickOnly.porthole().errors())
                    + ", raw " + (click.raw().errors() + clickOnly.raw().errors()) + ")";
            log.println("bench: " + counted);
            if (portholeClicks != expected - (click.porthole().errors() + clickOnly.porthole().errors()) || rawClicks != expected - (click.raw().errors() + clickOnly.raw().errors())) {
                error(counted);
            } else {
                notes.add(counted);
            }

            var treeP = List.of(sandboxTree(id));
            var treeR = List.of(Procs.matching(browser.marker()));
            var when = "at the test page after " + total + " action iterations";
            memory.add(MemRow.of("RSS sum " + when, treeP, treeR, Procs.Proc::rssKb));
            memory.add(MemRow.of("private (USS) sum " + when, treeP, treeR, Procs.Proc::privateKb));
        } finally {
            browser.close();
            liveRaw.remove(browser);
            var del = api.delete("/computers/" + id, REQUEST_TIMEOUT);
            if (del.status() == 204) liveComputers.remove(id);
            else error("DELETE /computers/" + id + ": " + del.describe());
        }
    }

    // ---- 4. actions on one desktop ----

    private void desktopActions() throws Exception {
        var click = row("desktop click", "POST /click {x,y} on a desktop (XTEST motion, press, release and a round trip "
                + "over the server's X11 connection, through the sandbox's relay) vs the same X requests sent by the same "
                + "client straight to the raw Xvfb's socket");
        var noop = row("desktop no-op action", "POST /execute {\"action\":{\"type\":\"wait\",\"ms\":0}} on a desktop "
                + "(HTTP, auth, the dispatcher; nothing sent to the X server) vs one X round trip (GetInputFocus) sent "
                + "straight to the raw Xvfb: what every desktop action costs before its X requests");
        var clickXdotool = new Row("desktop click, raw xdotool", click.porthole(), new Samples(),
                "porthole column = the desktop click row's; raw runs xdotool mousemove X Y click --repeat 1 --delay 1 1 "
                        + "(the arguments of Porthole's xdotool driver, before ADR 0015)");
        rows.put(clickXdotool.operation(), clickXdotool);
        var typeAscii = row("desktop type, 20 ASCII", "POST /type {text} of '" + TYPE_ASCII + "' into the xterm vs the "
                + "same X requests (Porthole's typist, io.porthole.desktop.Keyboard) sent straight to the raw Xvfb");
        var typeAsciiXdotool = new Row("desktop type, 20 ASCII, raw xdotool", typeAscii.porthole(), new Samples(),
                "porthole column = the row above's; raw runs xdotool type --delay 4 (the xdotool driver's arguments)");
        rows.put(typeAsciiXdotool.operation(), typeAsciiXdotool);
        var typeOther = row("desktop type, 20 non-ASCII", "POST /type {text} of '" + TYPE_NON_ASCII + "' (12 distinct "
                + "characters not on the keyboard map; they keep the spare keycodes they are given, so after the first "
                + "iteration no map changes) vs the same X requests sent straight to the raw Xvfb");
        var typeOtherXdotool = new Row("desktop type, 20 non-ASCII, raw xdotool", typeOther.porthole(), new Samples(),
                "porthole column = the row above's; raw runs xdotool type with the xdotool driver's arguments (--delay 4 "
                        + "for its ASCII runs, --delay 60 for the others, each of which xdotool types by remapping a "
                        + "spare keycode and back)");
        rows.put(typeOtherXdotool.operation(), typeOtherXdotool);
        var shot = row("desktop screenshot", "POST /screenshot {} on a desktop (GetImage over the server's X11 connection, "
                + "PNG-encoded and written to disk by the server, URL returned) vs the same GetImage sent straight to "
                + "the raw Xvfb");
        var shotPng = new Row("desktop screenshot, raw + PNG", shot.porthole(), new Samples(),
                "porthole column = the desktop screenshot row's; raw also encodes the image as PNG in this JVM, the way "
                        + "the server does (nothing written)");
        rows.put(shotPng.operation(), shotPng);
        var shotXwd = new Row("desktop screenshot, raw xwd", shot.porthole(), new Samples(),
                "porthole column = the desktop screenshot row's; raw runs xwd -root -silent, read to its end (what the "
                        + "xdotool driver ran, before decoding)");
        rows.put(shotXwd.operation(), shotXwd);

        var id = createDesktop();
        RawDesktop raw = null;
        try {
            raw = startRawDesktop("desktop-actions");
            var desktop = raw;
            var path = "/computers/" + id;

            var first = expectSuccess("screenshot", api.post(path + "/screenshot", "{}", REQUEST_TIMEOUT));
            var image = raw.getImage(WIDTH, HEIGHT);
            var png = image.toPng();
            var sizes = String.format(Locale.ROOT, "desktop screenshot sizes: porthole %dx%d, raw GetImage %dx%d (%d bytes; "
                            + "%d bytes as PNG)", first.path("result").path("width").asInt(),
                    first.path("result").path("height").asInt(), image.width(), image.height(),
                    image.bytesPerLine() * image.height(), png.length);
            log.println("bench: " + sizes);
            notes.add(sizes);

            int total = options.actionWarmup() + options.actions();
            int[] lastPorthole = null;
            int[] lastRaw = null;
            for (int i = 0; i < total; i++) {
                boolean measured = i >= options.actionWarmup();
                boolean portholeFirst = i % 2 == 0;
                // Porthole's pointer goes to A, B, A, B...; the raw one to A, C, B, C...: every click moves it
                var at = DESKTOP_POINTS[i % 2];
                var other = DESKTOP_POINTS[2];
                timePair(measured, portholeFirst, click,
                        () -> expectSuccess("desktop click", api.post(path + "/click",
                                "{\"x\":" + at[0] + ",\"y\":" + at[1] + "}", REQUEST_TIMEOUT)),
                        () -> desktop.clickX11(at[0], at[1]));
                timePair(measured, portholeFirst, noop,
                        () -> expectSuccess("wait", api.post(path + "/execute",
                                "{\"action\":{\"type\":\"wait\",\"ms\":0}}", REQUEST_TIMEOUT)),
                        () -> desktop.x11().sync());
                timeOne(measured, clickXdotool.raw(), clickXdotool.operation() + " (raw)",
                        () -> desktop.click(other[0], other[1]));
                lastPorthole = at;
                lastRaw = other;
                timePair(measured, portholeFirst, shot,
                        () -> expectSuccess("desktop screenshot", api.post(path + "/screenshot", "{}", REQUEST_TIMEOUT)),
                        () -> desktop.getImage(WIDTH, HEIGHT));
                timeOne(measured, shotPng.raw(), shotPng.operation() + " (raw)",
                        () -> desktop.getImage(WIDTH, HEIGHT).toPng());
                timeOne(measured, shotXwd.raw(), shotXwd.operation() + " (raw)", desktop::xwd);
                timePair(measured, portholeFirst, typeAscii, () -> typeOn(path, TYPE_ASCII),
                        () -> desktop.typeX11(TYPE_ASCII));
                timeOne(measured, typeAsciiXdotool.raw(), typeAsciiXdotool.operation() + " (raw)",
                        () -> desktop.typeXdotool(TYPE_ASCII));
                timePair(measured, portholeFirst, typeOther, () -> typeOn(path, TYPE_NON_ASCII),
                        () -> desktop.typeX11(TYPE_NON_ASCII));
                timeOne(measured, typeOtherXdotool.raw(), typeOtherXdotool.operation() + " (raw)",
                        () -> desktop.typeXdotool(TYPE_NON_ASCII));
                // the typed text piles up on the shell's line: cleared, untimed
                expectSuccess("hotkey", api.post(path + "/hotkey", "{\"keys\":[\"Control\",\"u\"]}", REQUEST_TIMEOUT));
                desktop.clearLineX11();
                if ((i + 1) % 20 == 0 || i + 1 == total) log.printf("bench: desktop actions %d/%d%n", i + 1, total);
            }

            // the clicks went where they were sent, on both sides
            var where = api.post(path + "/exec/sync", "{\"command\":\"xdotool getmouselocation\"}", REQUEST_TIMEOUT);
            var portholePointer = where.status() != 200 || where.json() == null ? where.describe()
                    : firstTwoWords(where.json().path("stdout").asText());
            var rawPointer = raw.pointer();
            var pointers = "pointer after the desktop clicks: porthole " + portholePointer + " (expected x:"
                    + lastPorthole[0] + " y:" + lastPorthole[1] + "), raw " + rawPointer + " (expected x:" + lastRaw[0]
                    + " y:" + lastRaw[1] + ")";
            log.println("bench: " + pointers);
            if (!portholePointer.equals("x:" + lastPorthole[0] + " y:" + lastPorthole[1])
                    || !rawPointer.equals("x:" + lastRaw[0] + " y:" + lastRaw[1])) {
                error(pointers);
            } else {
                notes.add(pointers);
            }

            var treeP = List.of(sandboxTree(id));
            var treeR = List.of(Procs.withEnvironment(RawDesktop.MARKER_NAME + "_DESKTOP=desktop-actions"));
            var when = "of a desktop after " + total + " action iterations";
            memory.add(MemRow.of("RSS sum " + when, treeP, treeR, Procs.Proc::rssKb));
            memory.add(MemRow.of("private (USS) sum " + when, treeP, treeR, Procs.Proc::privateKb));
        } finally {
            if (raw != null) {
                raw.kill();
                liveRawDesktops.remove(raw);
            }
            var del = api.delete("/computers/" + id, REQUEST_TIMEOUT);
            if (del.status() == 204) liveComputers.remove(id);
            else error("DELETE /computers/" + id + ": " + del.describe());
        }
    }

    private void typeOn(String path, String text) throws Exception {
        var body = PortholeClient.JSON.createObjectNode().put("text", text).toString();
        expectSuccess("desktop type", api.post(path + "/type", body, REQUEST_TIMEOUT));
    }

    // ---- 5. egress throughput ----

    /** One download by curl: its own count of bytes and seconds, and the wall-clock time of the whole call. */
    private record Download(long bytes, double seconds, long wallNanos) {
        double mbPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    /**
     * Downloads the page server's large body with curl inside a browser computer (through its egress proxy: curl →
     * 127.0.0.1:3128 → socat → unix socket → the server's proxy → the page server) and with the same curl run
     * directly with {@code --noproxy '*'}, interleaved, one warm-up each first. Throughput is curl's own:
     * {@code size_download / time_total}.
     */
    private void egress() throws Exception {
        var url = pages.bigUrl();
        int size = pages.bigSize();
        var command = "curl -s -o /dev/null -w '" + CURL_FORMAT + "' " + url;
        var body = PortholeClient.JSON.createObjectNode().put("command", command)
                .put("timeout_seconds", EGRESS_TIMEOUT_SECONDS).toString();
        var rawArgv = List.of(CURL.toString(), "--noproxy", "*", "-s", "-o", "/dev/null", "-w", CURL_FORMAT, url);

        var res = api.post("/computers", "{}", CREATE_TIMEOUT);
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (!id.isEmpty()) liveComputers.add(id);
        if (res.status() != 200 || id.isEmpty()) throw new IllegalStateException("POST /computers: " + res.describe());
        try {
            sandboxTree(id);
            var before = egressReceived(id);
            int total = 1 + options.egressIterations();
            for (int i = 0; i < total; i++) {
                boolean measured = i >= 1;
                var label = measured ? "iteration " + i + "/" + options.egressIterations() : "warm-up 1/1";
                var line = new StringBuilder("bench: egress " + label + ":");
                for (int side = 0; side < 2; side++) {
                    boolean portholeTurn = (side == 0) == (i % 2 == 0);
                    try {
                        Download d;
                        if (portholeTurn) {
                            long t0 = System.nanoTime();
                            var r = api.post("/computers/" + id + "/exec/sync", body, EGRESS_REQUEST_TIMEOUT);
                            long wall = System.nanoTime() - t0;
                            if (r.status() != 200 || r.json() == null || r.json().path("exit_code").asInt(-1) != 0) {
                                throw new IllegalStateException("exec/sync curl: " + r.describe());
                            }
                            d = parseCurl(r.json().path("stdout").asText(), wall);
                        } else {
                            long t0 = System.nanoTime();
                            var out = RawDesktop.Cmd.run(rawArgv, null, EGRESS_REQUEST_TIMEOUT);
                            d = parseCurl(new String(out, StandardCharsets.UTF_8), System.nanoTime() - t0);
                        }
                        if (d.bytes() != size) {
                            throw new IllegalStateException("curl downloaded " + d.bytes() + " bytes, not " + size);
                        }
                        if (measured) {
                            (portholeTurn ? egressPorthole : egressRaw).addValue(d.mbPerSecond());
                            (portholeTurn ? egressPortholeWall : egressRawWall).add(d.wallNanos());
                        }
                        line.append(String.format(Locale.ROOT, " %s %.1f MB/s (%.0f ms, call %.0f ms);",
                                portholeTurn ? "porthole" : "raw", d.mbPerSecond(), d.seconds() * 1e3,
                                d.wallNanos() / 1e6));
                    } catch (Exception e) {
                        (portholeTurn ? egressPorthole : egressRaw).error();
                        error("egress " + label + " (" + (portholeTurn ? "porthole" : "raw") + "): " + e.getMessage());
                        line.append(portholeTurn ? " porthole FAILED;" : " raw FAILED;");
                    }
                }
                log.println(line);
            }
            var after = egressReceived(id);
            if (before >= 0 && after >= 0) {
                long received = after - before;
                var through = String.format(Locale.ROOT, "egress: the computer's proxy counted %d bytes received "
                        + "during the %d downloads inside it (warm-up included): %d × %d bytes of body, and the "
                        + "response heads", received, total, total, size);
                if (received < (long) total * size - (long) (egressPorthole.errors()) * size) error(through);
                else notes.add(through);
            } else {
                notes.add("egress: GET /computers/" + id + "/status did not report the proxy's byte counts");
            }
        } finally {
            var del = api.delete("/computers/" + id, REQUEST_TIMEOUT);
            if (del.status() == 204) liveComputers.remove(id);
            else error("DELETE /computers/" + id + ": " + del.describe());
        }
    }

    // ---- 6. a browser sandbox: Playwright over CDP, suspend and resume ----

    /**
     * One browser sandbox ({@code POST /browser-sandboxes}) and one raw Chromium, both kept for the Playwright rows
     * and then the suspend/resume rows.
     */
    private void sandboxes() throws Exception {
        var res = api.post("/browser-sandboxes", "{}", CREATE_TIMEOUT);
        var id = res.json() == null ? "" : res.json().path("id").asText("");
        if (!id.isEmpty()) liveComputers.add(id);
        if (res.status() != 201 || id.isEmpty()) {
            throw new IllegalStateException("POST /browser-sandboxes: " + res.describe());
        }
        var state = res.json().path("state").asText();
        var cdpUrl = res.json().path("connect").path("cdp").asText("");
        if (!state.equals("running") || !cdpUrl.startsWith("ws://") || !cdpUrl.contains("?token=")) {
            throw new IllegalStateException("POST /browser-sandboxes answered state '" + state + "' and connect.cdp '"
                    + cdpUrl + "' (expected running and a ws:// URL with ?token=)");
        }
        sandboxTree(id);
        RawBrowser browser = null;
        try {
            // what a CDP client reads first: Chrome's /json/version, pointing back at the server
            var version = api.get("/browser-sandboxes/" + id + "/cdp/json/version", REQUEST_TIMEOUT);
            // the first client starts the server's DevTools forwarder in the sandbox; once a 503 was seen here
            // ("Connection refused"), so retry a little and say so rather than lose the rows
            for (int attempt = 1; attempt <= 2 && version.status() == 503; attempt++) {
                notes.add("browser sandbox: GET …/cdp/json/version right after create answered " + version.describe()
                        + "; retried after 250 ms");
                log.println("bench: GET …/cdp/json/version answered " + version.describe() + "; retrying");
                sleep(250);
                version = api.get("/browser-sandboxes/" + id + "/cdp/json/version", REQUEST_TIMEOUT);
            }
            if (version.status() != 200 || version.json() == null
                    || !version.json().path("webSocketDebuggerUrl").asText().startsWith("ws://")) {
                throw new IllegalStateException("GET /browser-sandboxes/" + id + "/cdp/json/version: " + version.describe());
            }
            notes.add("browser sandbox: GET …/cdp/json/version says " + version.json().path("Browser").asText("?")
                    + "; connect.cdp is ws://…/browser-sandboxes/{id}/cdp?token=…");
            browser = RawBrowser.launch(options.chromium(), tmpRoot.resolve("raw").resolve("sandbox"), http, WIDTH,
                    HEIGHT, LAUNCH_TIMEOUT);
            liveRaw.add(browser);
            playwright(cdpUrl, browser);
            suspendResume(id, browser);
        } finally {
            for (var f : List.copyOf(liveFreezers)) f.close(); // a frozen process cannot die
            if (browser != null) {
                browser.close();
                liveRaw.remove(browser);
            }
            for (var f : List.copyOf(liveFreezers)) {
                if (!f.removeWhenEmpty()) error("the raw freezer cgroup " + f.dir() + " could not be removed");
                liveFreezers.remove(f);
            }
            var del = api.delete("/browser-sandboxes/" + id, REQUEST_TIMEOUT);
            if (del.ok()) liveComputers.remove(id);
            else error("DELETE /browser-sandboxes/" + id + ": " + del.describe());
        }
    }

    /**
     * {@code porthole-bench/src/main/node/playwright-bench.js} run with node, once per iteration and side, against
     * the sandbox's {@code connect.cdp} and against the raw Chromium's own DevTools URL, alternating which goes
     * first. Timed inside the script: connectOverCDP, and the work (goto, clicks, screenshot) on a new page.
     */
    private void playwright(String portholeCdp, RawBrowser raw) throws Exception {
        int clicks = options.playwrightClicks();
        var work = row("Playwright: goto + " + clicks + " clicks + screenshot", "a Node.js script with playwright-core: "
                + "chromium.connectOverCDP(connect.cdp of a browser sandbox) vs connectOverCDP(the DevTools URL of a "
                + "Chromium started directly with --remote-debugging-port=0 on loopback); on a new page of the default "
                + "context, 1280×720: page.goto(test page), " + clicks + " × page.mouse.click(" + PageServer.BUTTON_X
                + ", " + PageServer.BUTTON_Y + ") (one point, the button), page.screenshot(); timed in the script "
                + "(process.hrtime), connect excluded");
        var connect = row("Playwright: connectOverCDP", "the same runs: chromium.connectOverCDP(ws URL) until it "
                + "resolves (WebSocket, Browser.getVersion, Target.setAutoAttach and attaching to the existing targets)");
        var prepared = NodeClient.prepare(rawMarker());
        if (prepared.client() == null) {
            var why = "Playwright rows skipped: " + prepared.unavailable();
            skipped.add(work.operation());
            skipped.add(connect.operation());
            notes.add(why);
            log.println("bench: " + why);
            return;
        }
        var node = prepared.client();
        notes.add("Playwright: playwright-core " + node.playwrightVersion() + " on node " + node.version()
                + ", installed in porthole-bench/target/node");
        var parts = new LinkedHashMap<String, Samples[]>();
        for (var part : List.of("gotoMs", "clicksMs", "screenshotMs")) parts.put(part, new Samples[] {new Samples(), new Samples()});
        var processWall = new Samples[] {new Samples(), new Samples()};
        String shotSizes = null;
        int total = options.warmup() + options.playwrightIterations();
        for (int i = 0; i < total; i++) {
            boolean measured = i >= options.warmup();
            var label = measured ? "iteration " + (i - options.warmup() + 1) + "/" + options.playwrightIterations()
                    : "warm-up " + (i + 1) + "/" + options.warmup();
            var line = new StringBuilder("bench: playwright " + label + ":");
            for (int side = 0; side < 2; side++) {
                boolean portholeTurn = (side == 0) == (i % 2 == 0);
                var who = portholeTurn ? "porthole" : "raw";
                var env = Map.of("CDP_URL", portholeTurn ? portholeCdp : raw.devtoolsUrl(), "PAGE_URL", pages.url(),
                        "CLICKS", Integer.toString(clicks), "X", Integer.toString(PageServer.BUTTON_X),
                        "Y", Integer.toString(PageServer.BUTTON_Y), "WIDTH", Integer.toString(WIDTH),
                        "HEIGHT", Integer.toString(HEIGHT));
                try {
                    var r = node.script("playwright-bench.js", env, rawMarker(), Duration.ofSeconds(150));
                    var json = r.json();
                    if (r.exitCode() != 0 || json == null || !json.path("ok").asBoolean()) {
                        throw new IllegalStateException("playwright-bench.js: " + r.describe());
                    }
                    if (json.path("clicks").asInt(-1) != clicks) {
                        throw new IllegalStateException("the page counted " + json.path("clicks") + " clicks, not " + clicks);
                    }
                    var sizes = json.path("width").asInt() + "x" + json.path("height").asInt();
                    if (!sizes.equals(WIDTH + "x" + HEIGHT)) {
                        throw new IllegalStateException("the screenshot is " + sizes + ", not " + WIDTH + "x" + HEIGHT);
                    }
                    if (portholeTurn && shotSizes == null) shotSizes = sizes + ", " + json.path("screenshotBytes").asInt() + " bytes";
                    int s = portholeTurn ? 0 : 1;
                    if (measured) {
                        (portholeTurn ? work.porthole() : work.raw()).add(nanos(json.path("workMs").asDouble()));
                        (portholeTurn ? connect.porthole() : connect.raw()).add(nanos(json.path("connectMs").asDouble()));
                        for (var e : parts.entrySet()) e.getValue()[s].add(nanos(json.path(e.getKey()).asDouble()));
                        processWall[s].add(r.wallNanos());
                    }
                    line.append(String.format(Locale.ROOT, " %s connect %.0f ms, goto %.0f ms, clicks %.0f ms, "
                                    + "screenshot %.0f ms (node ran %.0f ms);", who, json.path("connectMs").asDouble(),
                            json.path("gotoMs").asDouble(), json.path("clicksMs").asDouble(),
                            json.path("screenshotMs").asDouble(), r.wallNanos() / 1e6));
                } catch (Exception e) {
                    (portholeTurn ? work.porthole() : work.raw()).error();
                    error("playwright " + label + " (" + who + "): " + e.getMessage());
                    line.append(" ").append(who).append(" FAILED;");
                }
            }
            log.println(line);
        }
        var p = parts.get("gotoMs");
        var c = parts.get("clicksMs");
        var sh = parts.get("screenshotMs");
        notes.add(String.format(Locale.ROOT, "Playwright, p50 of each part, porthole vs raw: goto %s vs %s, %d clicks "
                        + "%s vs %s (%s vs %s a click), screenshot %s vs %s; every run's page counted %d clicks and its "
                        + "screenshot was %s; the node process (start, require, connect, work, disconnect) ran p50 %s "
                        + "vs %s", ms(p[0].p50()), ms(p[1].p50()), clicks, ms(c[0].p50()), ms(c[1].p50()),
                ms(c[0].p50() / clicks), ms(c[1].p50() / clicks), ms(sh[0].p50()), ms(sh[1].p50()), clicks,
                shotSizes == null ? "?" : shotSizes, ms(processWall[0].p50()), ms(processWall[1].p50())));
    }

    private static long nanos(double millis) {
        return Math.round(millis * 1e6);
    }

    /**
     * {@code POST /browser-sandboxes/{id}/suspend} and {@code …/resume} (the server freezes the sandbox's cgroup),
     * against the same freezer on a cgroup of the bench's own holding the raw Chromium, and against SIGSTOP/SIGCONT
     * of the raw Chromium's processes. Per iteration each side suspends then resumes; the order of the three sides
     * rotates.
     */
    private void suspendResume(String id, RawBrowser raw) throws Exception {
        var suspend = row("suspend", "POST /browser-sandboxes/{id}/suspend (200, state paused; the server freezes "
                + "the sandbox's cgroup and waits until the kernel says FROZEN) vs the same on a freezer cgroup of the "
                + "bench's own holding the raw Chromium's processes (write FROZEN, read back every 2 ms, as the server "
                + "does)");
        var resume = row("resume", "POST /browser-sandboxes/{id}/resume (200, state running) vs writing THAWED to "
                + "that cgroup until it reads THAWED");
        var suspendSig = new Row("suspend, raw SIGSTOP", suspend.porthole(), new Samples(), "porthole column = the "
                + "suspend row's; raw sends SIGSTOP to every process of the raw Chromium (bash's builtin kill, from a "
                + "bash kept running) and waits until each is stopped (T in /proc/<pid>/stat)");
        var resumeSig = new Row("resume, raw SIGCONT", resume.porthole(), new Samples(), "porthole column = the "
                + "resume row's; raw sends SIGCONT to the same processes and waits until none is stopped");
        rows.put(suspendSig.operation(), suspendSig);
        rows.put(resumeSig.operation(), resumeSig);

        // where Porthole's freezer is: the cgroup of the sandbox's processes
        var tree = sandboxTree(id);
        Path sandboxGroup = null;
        for (var proc : tree) {
            var dir = Suspenders.freezerDirOf(proc.pid());
            if (dir != null && dir.toString().contains(id)) {
                sandboxGroup = dir;
                break;
            }
        }
        var rawPids = Procs.matching(raw.marker()).stream().map(Procs.Proc::pid).toList();
        var path = "/browser-sandboxes/" + id;
        Suspenders.Freezer freezer = null;
        String freezerUnavailable = null;
        try {
            freezer = Suspenders.Freezer.create("porthole-bench-" + ProcessHandle.current().pid() + "-" + (++rawCounter));
            liveFreezers.add(freezer);
            freezer.add(rawPids);
        } catch (IOException e) {
            freezerUnavailable = e.getMessage();
            if (freezer != null) {
                liveFreezers.remove(freezer);
                freezer.close();
                freezer.removeWhenEmpty();
                freezer = null;
            }
            notes.add("suspend/resume: the raw freezer baseline was skipped (the suspend and resume rows have no raw "
                    + "column): " + freezerUnavailable);
        }
        var frozenSeen = new int[2];
        boolean[] paused = {false};
        try (var signaller = new Suspenders.Signaller(rawMarker())) {
            var fz = freezer;
            var group = sandboxGroup;
            int total = options.actionWarmup() + options.actions();
            for (int i = 0; i < total; i++) {
                boolean measured = i >= options.actionWarmup();
                for (int k = 0; k < 3; k++) {
                    switch ((i + k) % 3) {
                        case 0 -> {
                            timeOne(measured, suspend.porthole(), "suspend (porthole)", () -> {
                                var r = api.post(path + "/suspend", "{}", REQUEST_TIMEOUT);
                                paused[0] = true;
                                expectState("suspend", r, "paused");
                            });
                            // the server used its freezer, not signals: the group says so
                            if (group != null && Suspenders.freezerState(group).equals("FROZEN")) frozenSeen[0]++;
                            timeOne(measured, resume.porthole(), "resume (porthole)", () -> {
                                expectState("resume", api.post(path + "/resume", "{}", REQUEST_TIMEOUT), "running");
                                paused[0] = false;
                            });
                        }
                        case 1 -> {
                            if (fz == null) continue;
                            timeOne(measured, suspend.raw(), "suspend (raw freezer)", fz::freeze);
                            if (Suspenders.freezerState(fz.dir()).equals("FROZEN")) frozenSeen[1]++;
                            timeOne(measured, resume.raw(), "resume (raw freezer)", fz::thaw);
                        }
                        default -> {
                            timeOne(measured, suspendSig.raw(), "suspend (raw SIGSTOP)", () -> signaller.stop(rawPids));
                            timeOne(measured, resumeSig.raw(), "resume (raw SIGCONT)", () -> signaller.resume(rawPids));
                        }
                    }
                }
                if ((i + 1) % 20 == 0 || i + 1 == total) log.printf("bench: suspend/resume %d/%d%n", i + 1, total);
            }
            // still a working browser on both sides
            expectSuccess("screenshot after resume", api.post("/computers/" + id + "/screenshot", "{}", REQUEST_TIMEOUT));
            raw.noop();
            var rawNow = Procs.matching(raw.marker()).size();
            var groupPids = group == null ? List.<Long>of() : Suspenders.pids(group);
            notes.add(String.format(Locale.ROOT, "suspend/resume: Porthole's freezer group %s held %d processes (%s) "
                            + "and read FROZEN after %d of %d suspends; the raw freezer group held %s processes of the "
                            + "raw Chromium (%s; %d processes have its directory in their command line, %d at the "
                            + "end), read FROZEN after %d of %d; SIGSTOP/SIGCONT went to those %d processes. Both "
                            + "browsers answered after the last resume.",
                    group == null ? "(not found: signals?)" : group.toString(), groupPids.size(),
                    Suspenders.programs(groupPids), frozenSeen[0], total,
                    fz == null ? "no" : Integer.toString(fz.processCount()), Suspenders.programs(rawPids),
                    rawPids.size(), rawNow, frozenSeen[1], total, rawPids.size()));
            if (group == null || frozenSeen[0] != total) {
                error("suspend: the sandbox's freezer group " + (group == null ? "was not found" : "read FROZEN after only "
                        + frozenSeen[0] + " of " + total + " suspends"));
            }
        } finally {
            if (paused[0]) {
                try {
                    api.post(path + "/resume", "{}", REQUEST_TIMEOUT);
                } catch (Exception e) {
                    error("resume after a failure: " + e.getMessage());
                }
            }
            if (freezer != null) freezer.close();
            // after a failure between SIGSTOP and SIGCONT: let the raw browser go on
            var cont = new ArrayList<>(List.of("/bin/kill", "-CONT", "--"));
            for (var pid : rawPids) if (!Procs.exited(pid)) cont.add(Long.toString(pid));
            if (cont.size() > 3) {
                try {
                    RawDesktop.Cmd.run(cont, null, Duration.ofSeconds(10));
                } catch (IOException | RuntimeException ignored) {
                    // they are gone
                }
            }
        }
    }

    private static void expectState(String action, PortholeClient.Response res, String state) {
        if (res.status() != 200 || res.json() == null || !state.equals(res.json().path("state").asText())) {
            throw new IllegalStateException(action + ": " + res.describe());
        }
    }

    /** What the computer's egress proxy has received from the outside so far, or -1 if not reported. */
    private long egressReceived(String id) throws IOException, InterruptedException {
        var r = api.get("/computers/" + id + "/status", REQUEST_TIMEOUT);
        if (r.status() != 200 || r.json() == null) throw new IllegalStateException("GET status: " + r.describe());
        var n = r.json().path("egress").path("bytes_received");
        return n.isNumber() ? n.asLong() : -1;
    }

    /** "SIZE SECONDS", as curl's {@link #CURL_FORMAT} prints it. */
    private static Download parseCurl(String out, long wallNanos) {
        var parts = out.trim().split("\\s+");
        if (parts.length != 2) throw new IllegalStateException("unexpected curl output '" + out.trim() + "'");
        try {
            long bytes = Long.parseLong(parts[0]);
            double seconds = Double.parseDouble(parts[1].replace(',', '.'));
            if (seconds <= 0) throw new IllegalStateException("curl reported " + parts[1] + " s");
            return new Download(bytes, seconds, wallNanos);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("unexpected curl output '" + out.trim() + "'");
        }
    }

    @FunctionalInterface
    private interface Op {
        void run() throws Exception;
    }

    /** Times the Porthole op and the raw op, in the given order, and records both if measured. */
    private void timePair(boolean measured, boolean portholeFirst, Row row, Op porthole, Op raw) {
        if (portholeFirst) {
            timeOne(measured, row.porthole(), row.operation() + " (porthole)", porthole);
            timeOne(measured, row.raw(), row.operation() + " (raw)", raw);
        } else {
            timeOne(measured, row.raw(), row.operation() + " (raw)", raw);
            timeOne(measured, row.porthole(), row.operation() + " (porthole)", porthole);
        }
    }

    private void timeOne(boolean measured, Samples samples, String what, Op op) {
        long t0 = System.nanoTime();
        try {
            op.run();
        } catch (Exception e) {
            samples.error();
            error(what + ": " + e.getMessage());
            return;
        }
        long t1 = System.nanoTime();
        if (measured) samples.add(t1 - t0);
    }

    /** The JSON of an action that answered 200 with status success; throws otherwise. */
    private static JsonNode expectSuccess(String action, PortholeClient.Response res) {
        if (res.status() != 200 || res.json() == null) throw new IllegalStateException(action + ": " + res.describe());
        if (!"success".equals(res.json().path("status").asText())) {
            throw new IllegalStateException(action + " answered status " + res.json().path("status").asText() + ": "
                    + res.json().path("error_code").asText() + " " + res.json().path("error_message").asText());
        }
        return res.json();
    }

    // ---- output ----

    private void printResults(long jvmRssKb, long elapsedNanos) throws IOException, InterruptedException {
        out.println();
        out.printf(Locale.ROOT, "Porthole vs raw (CDP, X programs, processes run directly) — %d CPUs, %s, %s, Java %s, "
                        + "%d create/delete, %d action and suspend/resume, and %d Playwright iterations per side "
                        + "(after %d, %d and %d warm-up)%n%n",
                Runtime.getRuntime().availableProcessors(), chromiumVersion(options.chromium()), xvfbVersion(),
                System.getProperty("java.version"), options.iterations(), options.actions(),
                options.playwrightIterations(), options.warmup(), options.actionWarmup(), options.warmup());

        var header = List.of("operation", "n", "porthole p50", "porthole p99", "raw p50", "raw p99", "ratio p50");
        var table = new ArrayList<List<String>>();
        for (var r : rows.values()) {
            var n = skipped.contains(r.operation()) && r.porthole().count() == 0 ? "skipped"
                    : r.porthole().count() + (r.porthole().errors() > 0 ? " (" + r.porthole().errors() + " failed)" : "");
            table.add(List.of(r.operation(), n, ms(r.porthole().p50()), ms(r.porthole().p99()), ms(r.raw().p50()),
                    ms(r.raw().p99()), ratio(r.porthole().p50(), r.raw().p50())));
        }
        printMarkdown(header, table);
        out.println();
        for (var r : rows.values()) out.println("- " + r.operation() + ": " + r.note());
        out.println("- p99 is nearest-rank: with " + options.iterations() + " samples it is the slowest one.");
        if (options.only().size() < Options.GROUPS.size()) out.println("- only the rows of " + options.only() + " ran");
        if (rows.containsKey("delete")) printDeleteWatch();
        out.println();
        if (!createSteps.isEmpty()) createSteps.print(out);
        if (options.only().contains("egress")) printEgress();
        if (desktopScreencast != null) {
            printMarkdown(DesktopScreencastBench.header(), desktopScreencast.table());
            out.println();
            for (var n : desktopScreencast.notes()) out.println("- " + n);
            out.println();
        }
        if (browserScreencast != null) browserScreencast.print(out);
        if (standby != null) standby.print(out);
        if (memoryBench != null) memoryBench.print(out);
        if (firefoxDisplay != null) firefoxDisplay.print(out);
        if (density != null) density.print(out);
        if (pool != null) pool.print(out);
        if (store != null) store.print(out);
        if (cluster != null) cluster.print(out);
        printMemory(jvmRssKb, elapsedNanos);
    }

    private void printDeleteWatch() {
        out.printf(Locale.ROOT, "- during DELETE /computers/{id} (browser), the computer's processes (its sandbox "
                        + "included) had all exited after "
                        + "p50 %s (p99 %s) and were all reaped after p50 %s (p99 %s); the 204 came after p50 %s%n",
                ms(watchExited.p50()), ms(watchExited.p99()), ms(watchReaped.p50()), ms(watchReaped.p99()),
                ms(rows.get("delete").porthole().p50()));
        out.printf(Locale.ROOT, "- its crash handlers (chrome_crashpad_handler, %d of %d deletes had them) had exited after "
                        + "p50 %s (p99 %s) and were reaped after p50 %s (p99 %s)%n", watchCrashpadReaped.count(),
                rows.get("delete").porthole().count(), ms(watchCrashpadExited.p50()), ms(watchCrashpadExited.p99()),
                ms(watchCrashpadReaped.p50()), ms(watchCrashpadReaped.p99()));
    }

    private void printEgress() {
        var tpHeader = List.of("throughput", "n", "porthole p50", "porthole min", "raw p50", "raw min", "ratio p50");
        var egressN = egressPorthole.count()
                + (egressPorthole.errors() > 0 ? " (" + egressPorthole.errors() + " failed)" : "");
        printMarkdown(tpHeader, List.of(List.of("egress download, " + options.egressMib() + " MiB", egressN,
                mbs(egressPorthole.p50()), mbs(egressPorthole.min()), mbs(egressRaw.p50()), mbs(egressRaw.min()),
                ratio(egressPorthole.p50(), egressRaw.p50()))));
        out.println();
        out.printf(Locale.ROOT, "- egress download: POST /exec/sync {\"command\":\"curl -s -o /dev/null -w '%s' "
                        + "http://127.0.0.1:<port>/big\",\"timeout_seconds\":%d} in a browser computer (curl → "
                        + "127.0.0.1:3128 → socat → unix socket → the server's egress proxy → the bench's page "
                        + "server) vs curl --noproxy '*' with the same arguments started with ProcessBuilder; %d MiB of random "
                        + "bytes with a Content-Length; MB/s = 10^6 bytes/s, from curl's size_download / time_total; "
                        + "ratio = porthole / raw throughput (higher is better for Porthole); p50 is nearest-rank, "
                        + "min is the slowest download%n", CURL_FORMAT, EGRESS_TIMEOUT_SECONDS, options.egressMib());
        out.printf(Locale.ROOT, "- the same downloads, wall clock: POST /exec/sync answered after p50 %s (max %s); "
                        + "raw curl ran for p50 %s (max %s)%n", ms(egressPortholeWall.p50()),
                ms(egressPortholeWall.percentile(100)), ms(egressRawWall.p50()), ms(egressRawWall.percentile(100)));
        out.println();
    }

    private void printMemory(long jvmRssKb, long elapsedNanos) throws IOException, InterruptedException {
        var memHeader = List.of("memory", "porthole", "raw", "ratio");
        var memTable = new ArrayList<List<String>>();
        for (var m : memory) {
            long p = median(m.portholeKb(), -1);
            long r = median(m.rawKb(), -1);
            memTable.add(List.of(m.what(), mib(p) + range(m.portholeKb()) + ", " + procs(m.portholeProcs()),
                    mib(r) + range(m.rawKb()) + ", " + procs(m.rawProcs()), p < 0 || r < 0 ? "—" : ratio(p, r)));
        }
        if (!memTable.isEmpty()) {
            printMarkdown(memHeader, memTable);
            out.println();
            out.printf(Locale.ROOT, "- sums over every live process of the computer: its bubblewrap processes, every "
                    + "process in its sandbox's pid namespace, and the nsenter processes that started them (Porthole); "
                    + "every process whose command line contains the raw browser's directory; every process started for "
                    + "the raw desktop (found by a variable in its environment). RSS (VmRSS) counts shared pages (the "
                    + "binaries, libraries) once per process; private (USS, Private_Clean + Private_Dirty) counts only "
                    + "pages no other process maps.%n");
        }
        out.printf(Locale.ROOT, "- this JVM (bench + in-process Porthole server, shared by all computers): %s RSS at "
                + "the end of the run%n", mib(jvmRssKb));
        out.printf(Locale.ROOT, "- run took %.0f s; load average (1/5/15 min) %s at the start, %s at the end; "
                        + "other Chromium processes on the machine: %d at the start, %d at the end; other Xvfb "
                        + "processes: %d at the start, %d at the end%n",
                elapsedNanos / 1e9, loadAtStart, loadAverage(), otherBrowsersAtStart, otherBrowsers(), otherXvfbAtStart,
                otherXvfb());
        if (!notes.isEmpty()) {
            out.println();
            out.println("Notes:");
            for (var n : notes) out.println("- " + n);
        }
        if (!errors.isEmpty()) {
            out.println();
            out.println("Errors (" + errors.size() + "):");
            for (var e : errors.subList(0, Math.min(20, errors.size()))) out.println("- " + e);
        }
        out.flush();
    }

    private void printMarkdown(List<String> header, List<List<String>> table) {
        Markdown.print(out, header, table);
    }

    private static String ms(double v) {
        return Markdown.ms(v);
    }

    private static String mbs(double v) {
        if (Double.isNaN(v)) return "—";
        return String.format(Locale.ROOT, "%.1f MB/s", v);
    }

    private static String ratio(double a, double b) {
        return Markdown.ratio(a, b);
    }

    private static String mib(long kb) {
        if (kb < 0) return "—";
        return String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
    }

    private static String range(List<Long> kb) {
        if (kb.size() < 2) return "";
        long min = kb.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = kb.stream().mapToLong(Long::longValue).max().orElse(0);
        return String.format(Locale.ROOT, " (%.0f–%.0f)", min / 1024.0, max / 1024.0);
    }

    private static <T extends Comparable<T>> T median(List<T> values) {
        if (values.isEmpty()) return null;
        var sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static long median(List<Long> values, long empty) {
        var m = median(values);
        return m == null ? empty : m;
    }

    private static String loadAverage() {
        try {
            var parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** Chromium processes not started by this run (other users of the machine: noise). */
    private int otherBrowsers() {
        return notMine(Procs.matching("/chromium"));
    }

    /** Xvfb processes not started by this run. */
    private int otherXvfb() {
        return notMine(Procs.scan((pid, cmd) -> cmd.split(" ", 2)[0].endsWith("Xvfb")));
    }

    private int notMine(List<Procs.Proc> procs) {
        if (tmpRoot == null) return procs.size();
        var mine = ownProcesses();
        return (int) procs.stream().filter(p -> mine.stream().noneMatch(m -> m.pid() == p.pid())).count();
    }

    /** "Xvfb" and its package's version where dpkg knows it (Xvfb itself has no --version). */
    static String xvfbVersion() {
        try {
            var p = new ProcessBuilder("dpkg-query", "-W", "-f", "${Version}", "xvfb").redirectErrorStream(true).start();
            var text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "Xvfb";
            }
            return p.exitValue() == 0 && !text.isEmpty() && !text.contains(" ") ? "Xvfb " + text : "Xvfb";
        } catch (IOException | RuntimeException e) {
            return "Xvfb";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Xvfb";
        }
    }

    private static boolean isCrashpad(Procs.Proc p) {
        return p.cmdline().split(" ", 2)[0].endsWith("crashpad_handler");
    }

    private static String procs(List<Integer> counts) {
        var m = median(counts);
        return m == null ? "—" : m + " processes";
    }

    private static int pngInt(byte[] png, int offset) {
        return png.length >= offset + 4 ? java.nio.ByteBuffer.wrap(png, offset, 4).getInt() : 0;
    }

    static String chromiumVersion(Path chromium) {
        try {
            var p = new ProcessBuilder(chromium.toString(), "--version").redirectErrorStream(true).start();
            var text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            return text.lines().filter(l -> l.matches("(?i).*(chromium|chrome) \\d.*")).findFirst()
                    .orElse(chromium.toString()).trim();
        } catch (IOException e) {
            return chromium.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return chromium.toString();
        }
    }

    private Row row(String operation, String note) {
        var r = new Row(operation, new Samples(), new Samples(), note);
        rows.put(operation, r);
        return r;
    }

    private void error(String message) {
        synchronized (errors) {
            errors.add(message);
        }
        log.println("bench: ERROR: " + message);
    }

    /** "x:1 y:2" of xdotool getmouselocation's "x:1 y:2 screen:0 window:3". */
    private static String firstTwoWords(String text) {
        var parts = text.trim().split("\\s+");
        return parts.length >= 2 ? parts[0] + " " + parts[1] : text.trim();
    }

    private static String describe(List<Procs.Proc> procs) {
        var parts = new ArrayList<String>();
        for (var p : procs) {
            var cmd = p.cmdline();
            var type = Pattern.compile("--type=(\\S+)").matcher(cmd);
            var name = cmd.split(" ", 2)[0];
            parts.add(p.pid() + " " + name.substring(name.lastIndexOf('/') + 1) + (type.find() ? " " + type.group(1) : ""));
        }
        return String.join(", ", parts);
    }

    /**
     * Every live process of the bench's own, other than this JVM (see {@link #cleanup}): every descendant of this
     * JVM (the servers' sandboxes and what entered them), those with the bench's directory in their command line
     * (raw browsers), everything in the pid
     * namespace of such a bubblewrap (a sandbox's namespace lives exactly as long as its bubblewrap init; namespace
     * numbers are reused, so one is never remembered past that), and the raw desktops' processes.
     */
    private List<Procs.Proc> ownProcesses() {
        var byDir = Procs.matching(tmpRoot.toString());
        var own = Procs.namespaceOf(ProcessHandle.current().pid());
        var sandboxes = new java.util.HashSet<String>();
        for (var p : byDir) {
            var ns = Procs.namespaceOf(p.pid());
            if (ns != null && !ns.equals(own)) sandboxes.add(ns);
        }
        var out = new ArrayList<Procs.Proc>();
        var seen = new java.util.HashSet<Long>();
        var descendants = new java.util.HashSet<Long>();
        ProcessHandle.current().descendants().forEach(h -> descendants.add(h.pid()));
        var started = Procs.scan((pid, cmd) -> descendants.contains(pid));
        for (var list : List.of(started, byDir, Procs.inNamespaces(sandboxes), Procs.withEnvironment(rawMarker()))) {
            for (var p : list) if (seen.add(p.pid())) out.add(p);
        }
        return out;
    }

    private static void sleep(long millis) throws InterruptedException {
        if (millis > 0) Thread.sleep(millis);
    }

    // ---- cleanup ----

    /**
     * Deletes the computers, kills the raw browsers and desktops, stops the servers, then checks (bounded) that no
     * process of the bench is left: none with the bench's directory in its command line (browsers, bubblewrap),
     * none in a computer's pid namespace (whatever ran in a sandbox), none with the raw desktops' variable in its
     * environment (Xvfb, openbox, xterm and what they started); kills and reports any that is. Idempotent.
     *
     * @return whether nothing was left behind
     */
    private synchronized boolean cleanup() {
        if (cleanedUp) return true;
        cleanedUp = true;
        boolean clean = true;
        for (var id : List.copyOf(liveComputers)) {
            try {
                var res = api.delete("/computers/" + id, Duration.ofSeconds(30));
                if (res.status() != 204) log.println("bench: cleanup: DELETE /computers/" + id + ": " + res.describe());
            } catch (Exception e) {
                log.println("bench: cleanup: DELETE /computers/" + id + " failed: " + e);
            }
            liveComputers.remove(id);
        }
        for (var f : liveFreezers) f.close(); // thawed first: a frozen process cannot die
        for (var b : List.copyOf(liveRaw)) {
            try {
                b.close();
            } catch (RuntimeException e) {
                log.println("bench: cleanup: killing raw browser " + b.pid() + " failed: " + e);
            }
            liveRaw.remove(b);
        }
        for (var d : List.copyOf(liveRawDesktops)) {
            try {
                d.close();
            } catch (RuntimeException e) {
                log.println("bench: cleanup: killing raw desktop :" + d.display() + " failed: " + e);
            }
            liveRawDesktops.remove(d);
        }
        for (var f : List.copyOf(liveFreezers)) {
            if (!f.removeWhenEmpty()) log.println("bench: cleanup: could not remove the cgroup " + f.dir());
            liveFreezers.remove(f);
        }
        if (cluster != null) cluster.close();
        if (server != null) {
            try {
                server.close();
            } catch (RuntimeException e) {
                log.println("bench: cleanup: stopping the server failed: " + e);
            }
        }
        if (pages != null) pages.close();
        if (tmpRoot != null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            var left = ownProcesses();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                left = ownProcesses();
            }
            if (left.isEmpty()) {
                log.println("bench: cleanup: no process started by the bench is left (browsers, sandboxes and what "
                        + "ran in them (" + sandboxed.size() + " computers), raw Xvfb/openbox/xterm)");
            } else {
                clean = false;
                log.println("bench: cleanup: FAILED: " + left.size() + " process(es) started by the bench outlived "
                        + "cleanup by 15 s, killing them: " + describe(left));
                for (var p : left) ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            RawBrowser.deleteTree(tmpRoot);
        }
        return clean;
    }
}
