package io.porthole.bench;

import io.porthole.server.PortholeServer;
import io.porthole.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Firefox headless against Firefox headful on an X server of its own (Xvfb + openbox in its sandbox, ADR 0036), in
 * one run, on two servers of this bench's own that differ only in that: create → ready, the memory of an idle
 * computer on the test page (RSS and PSS of every process of its sandbox), and {@code POST /computers/{id}/click} and
 * {@code …/screenshot}. The two sides alternate which goes first in each iteration. Not thread-safe.
 */
final class FirefoxDisplayBench {
    static final String USAGE = """
              firefox rows (FirefoxDisplayBench): --firefox-iterations=3 computers per side, --firefox-actions=30
                clicks and screenshots on each
            """;
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** How long a computer is left on the test page before its memory is read. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final int ACTION_WARMUP = 5;
    private static final List<String> SIDES = List.of("headless", "headful on its own Xvfb");

    /** What the bench lends these rows. */
    record Context(ServerConfig base, String apiKey, HttpClient http, Path workDir, String pageUrl, PrintStream log,
                   Consumer<String> error) {}

    record Options(int iterations, int actions) {
        static Options parse(Map<String, String> args) {
            int iterations = 3;
            int actions = 30;
            for (var e : args.entrySet()) {
                switch (e.getKey()) {
                    case "--firefox-iterations" -> iterations = Integer.parseInt(e.getValue());
                    case "--firefox-actions" -> actions = Integer.parseInt(e.getValue());
                    default -> throw new IllegalArgumentException("unknown option " + e.getKey());
                }
            }
            if (iterations < 1 || actions < 1) throw new IllegalArgumentException("--firefox-* must be at least 1");
            return new Options(iterations, actions);
        }
    }

    private final Context ctx;
    private final Options options;
    /** Per side: create, click, screenshot (ms), and memory (MiB, as values). */
    private final Map<String, Map<String, Samples>> rows = new LinkedHashMap<>();

    FirefoxDisplayBench(Context ctx, Options options) {
        this.ctx = ctx;
        this.options = options;
        for (var side : SIDES) {
            var m = new LinkedHashMap<String, Samples>();
            for (var r : List.of("create → ready", "click", "screenshot", "RSS (MiB)", "PSS (MiB)", "processes")) {
                m.put(r, new Samples());
            }
            rows.put(side, m);
        }
    }

    void run() throws Exception {
        var servers = new LinkedHashMap<String, PortholeServer>();
        try {
            for (var side : SIDES) servers.put(side, server(side, !side.equals("headless")));
            for (int i = 0; i < options.iterations(); i++) {
                var order = new ArrayList<>(SIDES);
                if (i % 2 == 1) java.util.Collections.reverse(order);
                for (var side : order) {
                    try {
                        iteration(side, servers.get(side));
                    } catch (Exception e) {
                        ctx.error().accept("firefox " + side + ": " + e);
                    }
                }
                ctx.log().printf(Locale.ROOT, "bench: firefox iteration %d/%d%n", i + 1, options.iterations());
            }
        } finally {
            for (var s : servers.values()) s.close();
        }
    }

    private void iteration(String side, PortholeServer server) throws Exception {
        var api = new PortholeClient(ctx.http(), server.baseUrl(), ctx.apiKey());
        var m = rows.get(side);
        long t0 = System.nanoTime();
        var r = api.post("/computers", "{\"engine\":\"firefox\"}", CREATE_TIMEOUT);
        long created = System.nanoTime() - t0;
        if (r.status() != 200) throw new IllegalStateException("POST /computers: " + r.describe());
        var id = r.json().path("id").asText();
        try {
            m.get("create → ready").add(created);
            ok(api.post("/computers/" + id + "/navigate", PortholeClient.JSON.createObjectNode()
                    .put("url", ctx.pageUrl()).toString(), REQUEST_TIMEOUT), "navigate");
            Thread.sleep(SETTLE.toMillis());
            long rss = 0;
            long pss = 0;
            var procs = Procs.ofComputer(id, ns -> { });
            for (var p : procs) {
                rss += p.rssKb();
                pss += Math.max(0, p.pssKb());
            }
            m.get("RSS (MiB)").addValue(rss / 1024.0);
            m.get("PSS (MiB)").addValue(pss / 1024.0);
            m.get("processes").addValue(procs.size());
            for (int i = 0; i < ACTION_WARMUP + options.actions(); i++) {
                for (var action : List.of("click", "screenshot")) {
                    var body = action.equals("click") ? "{\"x\":200,\"y\":140}" : "{}";
                    long a0 = System.nanoTime();
                    ok(api.post("/computers/" + id + "/" + action, body, REQUEST_TIMEOUT), action);
                    if (i >= ACTION_WARMUP) m.get(action).add(System.nanoTime() - a0);
                }
            }
        } finally {
            var d = api.delete("/computers/" + id, REQUEST_TIMEOUT);
            if (d.status() != 204) ctx.error().accept("DELETE /computers/" + id + ": " + d.describe());
        }
    }

    private static void ok(PortholeClient.Response r, String what) {
        if (r.status() != 200 || !r.json().path("status").asText().equals("success")) {
            throw new IllegalStateException(what + ": " + r.describe());
        }
    }

    private PortholeServer server(String side, boolean ownDisplay) throws IOException {
        var dir = ctx.workDir().resolve("firefox-server-" + (ownDisplay ? "headful" : "headless"));
        Files.createDirectories(dir);
        var base = ctx.base();
        return PortholeServer.start(base.toBuilder().dataDir(dir).firefox(base.firefox().withOwnDisplay(ownDisplay))
                .build());
    }

    void print(PrintStream out) {
        var header = new ArrayList<String>(List.of("Firefox computer"));
        for (var side : SIDES) {
            header.add(side + " p50");
            header.add(side + " p99");
        }
        header.add("ratio p50");
        var table = new ArrayList<List<String>>();
        for (var row : rows.get(SIDES.getFirst()).keySet()) {
            var line = new ArrayList<String>(List.of(row + " (n " + rows.get(SIDES.getFirst()).get(row).count() + ")"));
            boolean millis = !row.contains("(MiB)") && !row.equals("processes");
            for (var side : SIDES) {
                var s = rows.get(side).get(row);
                line.add(millis ? Markdown.ms(s.p50()) : String.format(Locale.ROOT, "%.0f", s.p50()));
                line.add(millis ? Markdown.ms(s.p99()) : String.format(Locale.ROOT, "%.0f", s.p99()));
            }
            line.add(Markdown.ratio(rows.get(SIDES.getLast()).get(row).p50(), rows.get(SIDES.getFirst()).get(row).p50()));
            table.add(line);
        }
        Markdown.print(out, header, table);
        out.println();
        out.printf(Locale.ROOT, "- firefox: %d computers per side, each created ({\"engine\":\"firefox\"}), sent to the"
                + " test page, left %d s, its sandbox's processes' memory read from /proc, then %d clicks and %d"
                + " screenshots alternating after %d warm-up; the ratio is headful over headless%n",
                options.iterations(), SETTLE.toSeconds(), options.actions(), options.actions(), ACTION_WARMUP);
        out.println();
    }
}
