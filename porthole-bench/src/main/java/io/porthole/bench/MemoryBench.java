package io.porthole.bench;

import io.porthole.engine.bidi.FirefoxConfig;
import io.porthole.engine.cdp.ChromiumConfig;
import io.porthole.engine.cdp.ChromiumEngine;
import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import java.io.File;
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
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Memory per idle computer: {@code n} computers of one kind made one after the other on a server of this bench's
 * own, each brought to its page (about:blank as created, or the bench's loopback test page), left alone for a settling
 * time, then each one's memory read: the sums over every process of its sandbox ({@link Procs#ofComputer}) of RSS,
 * PSS and USS (Private_Clean + Private_Dirty of smaps_rollup), and its memory cgroup's own count
 * ({@code memory.current} on cgroup v2, {@code memory.usage_in_bytes} on v1, which counts the page cache of the files
 * the computer wrote too). The baseline, in the same run: the same browser started bare, outside Porthole (Chromium
 * with the flags of {@link RawBrowser#command}; Firefox ESR with {@code --headless --no-remote --profile <fresh>} and
 * nothing else, Debian's defaults), and the same X programs started directly ({@link RawDesktop}), measured the same
 * way (no cgroup of their own).
 *
 * <p>With {@code --memory-variants}, the Chromium and Firefox rows are also taken with each candidate change of launch
 * flags or prefs (docs/adr/0024-memory-per-computer.md), each on a server of its own whose engine gets the change as
 * extra flags or prefs, so that each change's effect is measured in the same run as the defaults. Not thread-safe.
 */
final class MemoryBench {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    private static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");
    private static final String BLANK = "about:blank";

    static final String USAGE = """
                  --memory-computers
                                   computers of a kind alive at once for the memory rows (default 3)
                  --memory-settle-seconds
                                   how long they are left alone before their memory is read (default 10)
                  --memory-variants
                                   also measure each candidate Chromium flag and Firefox pref
                                   (ADR 0024) on a server of its own
                """;

    /** What the bench lends these rows. */
    record Context(ServerConfig base, String apiKey, HttpClient http, Path workDir, Path chromium, String pageUrl,
                   RawDesktops desktops, Set<RawBrowser> liveRaw, String rawMarker, PrintStream log,
                   Consumer<String> error) {}

    /** Starts and kills the bench's raw desktops (the bench keeps track of them for its cleanup). */
    interface RawDesktops {
        RawDesktop start(String tag) throws IOException;

        void kill(RawDesktop desktop);
    }

    /** The options of these rows, from the bench's {@code --memory-*} arguments. */
    record Options(int computers, Duration settle, boolean variants) {
        static Options parse(Map<String, String> args) {
            int computers = 3;
            int settle = 10;
            boolean variants = false;
            for (var e : args.entrySet()) {
                switch (e.getKey()) {
                    case "--memory-computers" -> computers = Bench.positiveOption(e.getKey(), e.getValue());
                    case "--memory-settle-seconds" -> settle = Bench.positiveOption(e.getKey(), e.getValue());
                    case "--memory-variants" -> variants = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + e.getKey() + "'");
                }
            }
            return new Options(computers, Duration.ofSeconds(settle), variants);
        }
    }

    /** A change of launch flags (Chromium) or prefs (Firefox) measured against the defaults. */
    record Variant(String name, List<String> flags, Map<String, Object> prefs) {
        static final Variant DEFAULTS = new Variant("defaults", List.of(), Map.of());
    }

    /**
     * The candidates. A later {@code --disable-features} replaces an earlier one on Chromium's command line, so a
     * variant that disables more features repeats the engine's own list.
     */
    static final List<Variant> CHROMIUM_VARIANTS = List.of(
            new Variant("no back-forward cache", List.of("--disable-features=" + disabledFeatures("BackForwardCache")), Map.of()),
            new Variant("network service in process", List.of("--enable-features=NetworkServiceInProcess"), Map.of()),
            new Variant("GPU in process", List.of("--in-process-gpu"), Map.of()),
            new Variant("renderer process limit 1", List.of("--renderer-process-limit=1"), Map.of()),
            new Variant("V8 lite mode", List.of("--js-flags=--lite-mode"), Map.of()),
            new Variant("low-end device mode", List.of("--enable-low-end-device-mode"), Map.of()));

    static final List<Variant> FIREFOX_VARIANTS = List.of(
            new Variant("web content processes 1", List.of(), Map.of("dom.ipc.processCount", 1)),
            new Variant("socket process off", List.of(), Map.of("network.process.enabled", false)),
            new Variant("extensions in the parent", List.of(), Map.of("extensions.webextensions.remote", false)));

    /** The engine's own {@code --disable-features} list with {@code more} added. */
    private static String disabledFeatures(String more) {
        return ChromiumEngine.DISABLED_FEATURES + "," + more;
    }

    /** One computer's (or raw instance's) memory, in kB; cgroup -1 when there is none. */
    record Reading(long rssKb, long pssKb, long ussKb, long cgroupKb, int processes) {
        static Reading of(List<Procs.Proc> procs, long cgroupKb) {
            return new Reading(sum(procs, Procs.Proc::rssKb), sum(procs, Procs.Proc::pssKb),
                    sum(procs, Procs.Proc::privateKb), cgroupKb, procs.size());
        }

        private static long sum(List<Procs.Proc> procs, ToLongFunction<Procs.Proc> metric) {
            long s = 0;
            for (var p : procs) {
                long v = metric.applyAsLong(p);
                if (v < 0) return -1; // a process whose smaps could not be read makes the sum unknown
                s += v;
            }
            return s;
        }
    }

    /** One row: what was measured and the readings of each instance. */
    record Row(String kind, String page, String side, String variant, List<Reading> readings) {}

    private final Context ctx;
    private final Options options;
    private final List<Row> rows = new ArrayList<>();
    private int servers;
    private int raws;

    MemoryBench(Context ctx, Options options) {
        this.ctx = ctx;
        this.options = options;
    }

    void run() {
        for (var page : List.of(BLANK, ctx.pageUrl())) {
            attempt("chromium " + page, () -> porthole("chromium", page, Variant.DEFAULTS));
            attempt("raw chromium " + page, () -> rawChromium(page));
            if (Files.isExecutable(FIREFOX)) {
                attempt("firefox " + page, () -> porthole("firefox", page, Variant.DEFAULTS));
                attempt("raw firefox " + page, () -> rawFirefox(page));
            }
        }
        attempt("desktop", () -> porthole("desktop", "", Variant.DEFAULTS));
        attempt("raw desktop", this::rawDesktops);
        if (!options.variants()) return;
        for (var v : CHROMIUM_VARIANTS) {
            for (var page : List.of(BLANK, ctx.pageUrl())) attempt("chromium " + v.name(), () -> porthole("chromium", page, v));
        }
        if (!Files.isExecutable(FIREFOX)) return;
        for (var v : FIREFOX_VARIANTS) {
            for (var page : List.of(BLANK, ctx.pageUrl())) attempt("firefox " + v.name(), () -> porthole("firefox", page, v));
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void attempt(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            ctx.error().accept("memory, " + what + ": " + e);
        }
    }

    // ---- Porthole ----

    private void porthole(String kind, String page, Variant variant) throws Exception {
        try (var server = server(variant)) {
            var api = new PortholeClient(ctx.http(), server.baseUrl(), ctx.apiKey());
            var ids = new ArrayList<String>();
            try {
                for (int i = 0; i < options.computers(); i++) ids.add(create(api, kind, page));
                settle();
                var readings = new ArrayList<Reading>();
                for (var id : ids) readings.add(reading(id));
                add(new Row(kind, pageName(kind, page), "porthole", variant.name(), readings));
            } finally {
                for (var id : ids) {
                    var r = api.delete("/computers/" + id, REQUEST_TIMEOUT);
                    if (r.status() != 204) ctx.error().accept("DELETE /computers/" + id + ": " + r.describe());
                }
            }
        }
    }

    private PortholeServer server(Variant variant) throws IOException {
        var dir = ctx.workDir().resolve("memory-server-" + (++servers));
        Files.createDirectories(dir);
        var base = ctx.base();
        var chromium = base.chromium();
        var flags = new ArrayList<>(chromium.extraFlags());
        flags.addAll(variant.flags());
        var firefox = base.firefox();
        var prefs = new LinkedHashMap<>(firefox.extraPrefs());
        prefs.putAll(variant.prefs());
        // standby off: these rows measure an idle computer awake (a frozen one holds the same memory)
        return PortholeServer.start(base.withComputers(base.computers().withStandbyAfter(0))
                .withChromium(new ChromiumConfig(chromium.binary(), flags, chromium.startTimeoutSeconds(), chromium.logCdp()))
                .toBuilder().firefox(new FirefoxConfig(firefox.binary(), prefs, firefox.startTimeout(), firefox.logBidi()))
                .dataDir(dir).build());
    }

    private static String create(PortholeClient api, String kind, String page) throws Exception {
        var body = switch (kind) {
            case "desktop" -> "{\"kind\":\"desktop\"}";
            case "firefox" -> "{\"kind\":\"browser\",\"engine\":\"firefox\"}";
            default -> "{}";
        };
        var r = api.post("/computers", body, CREATE_TIMEOUT);
        if (r.status() != 200) throw new IllegalStateException("POST /computers " + body + ": " + r.describe());
        var id = r.json().path("id").asText();
        if (!kind.equals("desktop") && !page.equals(BLANK)) {
            var nav = api.post("/computers/" + id + "/navigate", PortholeClient.JSON.createObjectNode().put("url", page)
                    .toString(), REQUEST_TIMEOUT);
            if (nav.status() != 200 || !nav.json().path("status").asText().equals("success")) {
                throw new IllegalStateException("navigate " + id + ": " + nav.describe());
            }
        }
        return id;
    }

    /** The memory of a computer: its sandbox's processes and its memory cgroup. */
    static Reading reading(String computerId) {
        var procs = Procs.ofComputer(computerId, ns -> { });
        if (procs.isEmpty()) throw new IllegalStateException("no process of " + computerId + " was found");
        long cgroup = -1;
        for (var p : procs) {
            cgroup = cgroupKb(p.pid());
            if (cgroup >= 0) break;
        }
        return Reading.of(procs, cgroup);
    }

    /**
     * The memory the cgroup of {@code pid} charges, in kB, if it is a computer's group (under a {@code porthole}
     * group); -1 otherwise.
     */
    static long cgroupKb(long pid) {
        try {
            for (var line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"), StandardCharsets.UTF_8)) {
                var parts = line.split(":", 3);
                if (parts.length < 3 || !parts[2].contains("/porthole/")) continue;
                Path file;
                if (parts[0].equals("0") && parts[1].isEmpty()) {
                    file = Path.of("/sys/fs/cgroup" + parts[2], "memory.current");
                } else if (List.of(parts[1].split(",")).contains("memory")) {
                    file = Path.of("/sys/fs/cgroup/memory" + parts[2], "memory.usage_in_bytes");
                } else {
                    continue;
                }
                if (Files.isReadable(file)) return Long.parseLong(Files.readString(file).trim()) / 1024;
            }
        } catch (IOException | RuntimeException e) {
            // ended
        }
        return -1;
    }

    // ---- raw ----

    private void rawChromium(String page) throws Exception {
        var browsers = new ArrayList<RawBrowser>();
        try {
            for (int i = 0; i < options.computers(); i++) {
                var b = RawBrowser.launch(ctx.chromium(), ctx.workDir().resolve("raw").resolve("mem" + (++raws)),
                        ctx.http(), 1280, 720, LAUNCH_TIMEOUT);
                ctx.liveRaw().add(b);
                browsers.add(b);
                if (!page.equals(BLANK)) {
                    b.attachToPage(1280, 720);
                    b.navigate(page, REQUEST_TIMEOUT);
                }
            }
            settle();
            var readings = new ArrayList<Reading>();
            for (var b : browsers) readings.add(Reading.of(Procs.matching(b.marker()), -1));
            add(new Row("chromium", pageName("chromium", page), "raw", Variant.DEFAULTS.name(), readings));
        } finally {
            for (var b : browsers) {
                b.kill();
                ctx.liveRaw().remove(b);
            }
        }
    }

    private void rawFirefox(String page) throws Exception {
        var started = new ArrayList<Process>();
        var markers = new ArrayList<String>();
        try {
            for (int i = 0; i < options.computers(); i++) {
                var dir = ctx.workDir().resolve("raw").resolve("memff" + (++raws));
                var profile = dir.resolve("profile");
                Files.createDirectories(profile);
                var pb = new ProcessBuilder(FIREFOX.toString(), "--headless", "--no-remote", "--profile",
                        profile.toString(), page)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().put("HOME", dir.toString());
                pb.environment().remove("DISPLAY");
                var marker = RawDesktop.MARKER_NAME + "_FIREFOX=" + dir;
                pb.environment().put(RawDesktop.MARKER_NAME + "_FIREFOX", dir.toString());
                var kv = ctx.rawMarker().split("=", 2);
                pb.environment().put(kv[0], kv[1]);
                started.add(pb.start());
                markers.add(marker);
                awaitFirefox(marker);
            }
            settle();
            var readings = new ArrayList<Reading>();
            for (var m : markers) readings.add(Reading.of(Procs.withEnvironment(m), -1));
            add(new Row("firefox", pageName("firefox", page), "raw", Variant.DEFAULTS.name(), readings));
        } finally {
            for (var m : markers) for (var p : Procs.withEnvironment(m)) ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            for (var p : started) {
                p.destroyForcibly();
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /** Waits (bounded) until the raw Firefox has a content process: it has loaded its first page. */
    private static void awaitFirefox(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + LAUNCH_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Procs.withEnvironment(marker).stream().anyMatch(p -> p.cmdline().contains(" tab"))) return;
            Thread.sleep(200);
        }
        throw new IllegalStateException("raw Firefox showed no content process within " + LAUNCH_TIMEOUT.toSeconds() + " s");
    }

    private void rawDesktops() throws Exception {
        var desktops = new ArrayList<RawDesktop>();
        var tags = new ArrayList<String>();
        try {
            for (int i = 0; i < options.computers(); i++) {
                var tag = "memd" + (++raws);
                desktops.add(ctx.desktops().start(tag));
                tags.add(tag);
            }
            settle();
            var readings = new ArrayList<Reading>();
            for (var t : tags) readings.add(Reading.of(Procs.withEnvironment(RawDesktop.MARKER_NAME + "_DESKTOP=" + t), -1));
            add(new Row("desktop", "as started", "raw", Variant.DEFAULTS.name(), readings));
        } finally {
            for (var d : desktops) ctx.desktops().kill(d);
        }
    }

    private void settle() throws InterruptedException {
        Thread.sleep(options.settle().toMillis());
    }

    private String pageName(String kind, String page) {
        if (kind.equals("desktop")) return "as started";
        return page.equals(BLANK) ? BLANK : "loopback test page";
    }

    private void add(Row row) {
        rows.add(row);
        ctx.log().printf(Locale.ROOT, "bench: memory %s %s %s (%s): USS %s, PSS %s, RSS %s, cgroup %s, %s processes%n",
                row.side(), row.kind(), row.page(), row.variant(), mib(median(row.readings(), Reading::ussKb)),
                mib(median(row.readings(), Reading::pssKb)), mib(median(row.readings(), Reading::rssKb)),
                mib(median(row.readings(), Reading::cgroupKb)), median(row.readings(), r -> r.processes()));
    }

    // ---- output ----

    void print(PrintStream out) {
        var header = List.of("memory per idle computer", "variant", "n", "USS", "PSS", "RSS", "cgroup", "processes",
                "raw USS", "raw PSS", "raw RSS", "raw processes", "USS ratio");
        var table = new ArrayList<List<String>>();
        for (var r : rows) {
            if (!r.side().equals("porthole")) continue;
            var raw = rows.stream().filter(x -> x.side().equals("raw") && x.kind().equals(r.kind())
                    && x.page().equals(r.page())).findFirst();
            long uss = median(r.readings(), Reading::ussKb);
            table.add(List.of(r.kind() + ", " + r.page(), r.variant(), Integer.toString(r.readings().size()),
                    mib(uss) + range(r.readings(), Reading::ussKb), mib(median(r.readings(), Reading::pssKb)),
                    mib(median(r.readings(), Reading::rssKb)), mib(median(r.readings(), Reading::cgroupKb)),
                    Long.toString(median(r.readings(), Reading::processes)),
                    raw.map(x -> mib(median(x.readings(), Reading::ussKb))).orElse("—"),
                    raw.map(x -> mib(median(x.readings(), Reading::pssKb))).orElse("—"),
                    raw.map(x -> mib(median(x.readings(), Reading::rssKb))).orElse("—"),
                    raw.map(x -> Long.toString(median(x.readings(), Reading::processes))).orElse("—"),
                    raw.map(x -> Markdown.ratio(uss, median(x.readings(), Reading::ussKb))).orElse("—")));
        }
        Markdown.print(out, header, table);
        out.println();
        out.printf(Locale.ROOT, "- memory per idle computer: %d computers of a kind alive at once (standby off), each "
                + "brought to its page, then left alone %d s; medians per computer (USS range in brackets). USS = "
                + "Private_Clean + Private_Dirty, PSS = Pss (shared pages divided among their processes), RSS = VmRSS, "
                + "each summed over every process of the computer's sandbox (bubblewrap, everything in its pid "
                + "namespace, the nsenter processes outside); cgroup = the computer's memory cgroup (v1 "
                + "memory.usage_in_bytes counts the page cache of its files too). Raw: the same number of bare "
                + "browsers started directly (Chromium with the bench's baseline flags, Firefox ESR with --headless "
                + "--no-remote --profile <fresh> <page>, Debian's defaults otherwise) or raw desktops, measured the "
                + "same way%n", options.computers(), options.settle().toSeconds());
        if (options.variants()) {
            out.println("- variants: each on a server of its own, its change added to the engine's launch flags "
                    + "(Chromium) or prefs (Firefox): " + describe(CHROMIUM_VARIANTS) + "; " + describe(FIREFOX_VARIANTS));
        }
        out.println();
    }

    private static String describe(List<Variant> variants) {
        var parts = new ArrayList<String>();
        for (var v : variants) parts.add(v.name() + " = " + (v.flags().isEmpty() ? v.prefs() : String.join(" ", v.flags())));
        return String.join("; ", parts);
    }

    private static long median(List<Reading> readings, ToLongFunction<Reading> metric) {
        var values = new ArrayList<Long>();
        for (var r : readings) values.add(metric.applyAsLong(r));
        if (values.isEmpty()) return -1;
        values.sort(null);
        return values.get((values.size() - 1) / 2);
    }

    private static String range(List<Reading> readings, ToLongFunction<Reading> metric) {
        if (readings.size() < 2) return "";
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (var r : readings) {
            min = Math.min(min, metric.applyAsLong(r));
            max = Math.max(max, metric.applyAsLong(r));
        }
        return String.format(Locale.ROOT, " (%.0f–%.0f)", min / 1024.0, max / 1024.0);
    }

    static String mib(long kb) {
        return kb < 0 ? "—" : String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
    }

}
