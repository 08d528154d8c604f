package io.porthole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.porthole.testing.PostgresServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The cluster rows (issue 13, ADR 0026): two Porthole nodes, each a JVM of its own started from the bench's class
 * path ({@code io.porthole.server.Main serve --node-id=…}), on one PostgreSQL the bench starts (fsync on), on
 * loopback. Node {@code a} owns the computers; node {@code b} does not, and forwards every request about them to
 * {@code a}. Each row is the same request sent to {@code b} (forwarded) and to {@code a} (served where it came),
 * interleaved, the side that goes first alternating; every answer's {@code Porthole-Node} header must name
 * {@code a}:
 *
 * <ul>
 *   <li><b>actions</b> on one browser computer at the bench's test page: {@code GET /computers/{id}} (the cheapest
 *       request: HTTP, auth, a JSON answer, so the one where forwarding weighs most), {@code POST …/click} and
 *       {@code POST …/screenshot};
 *   <li><b>create</b>: {@code POST /computers {}} sent to {@code b}, which places it on {@code a} ({@code a} has more
 *       free places), against the same create sent to {@code a}; no warm pool on either (both cold); each create's
 *       computer is deleted through the node it was created through, which is the delete row;
 *   <li><b>Playwright</b> over the CDP passthrough ({@code ws://…/computers/{id}/cdp}, relayed by {@code b}
 *       message by message): {@code connectOverCDP}, and goto + clicks + screenshot on the computer's first page,
 *       from one long-lived node process ({@code playwright-cluster.js}).
 * </ul>
 *
 * {@link #close} deletes the computers, stops both nodes (SIGTERM; they end their computers) and PostgreSQL, and
 * removes the nodes' directories. Not thread-safe, except {@link #close}.
 */
final class ClusterBench implements AutoCloseable {
    static final String USAGE = """
                  --cluster-actions
                                   GET, click and screenshot round trips per side (through the owner and
                                   through the other node), measured, after 20 warm-up (default 200)
                  --cluster-creates
                                   creates (and deletes) per side, measured, after 2 warm-up (default 10)
                  --cluster-playwright
                                   Playwright runs per side, measured, after 2 warm-up (default 10)
            """;
    private static final String KEY = "ph_bench_cluster_" + Long.toHexString(System.nanoTime());
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration NODE_SCRIPT_TIMEOUT = Duration.ofSeconds(90);
    private static final int ACTION_WARMUP = 20;
    private static final int WARMUP = 2;
    private static final int PLAYWRIGHT_CLICKS = 50;
    private static final String OWNER = "a";
    private static final String OTHER = "b";
    /** Free places: the owner's must stay above the other's, so that the other places every create on the owner. */
    private static final int OWNER_MAX = 8;
    private static final int OTHER_MAX = 2;
    private static final Pattern LISTENING = Pattern.compile("listening on (http://\\S+)");

    record Options(int actions, int creates, int playwright) {
        static Options parse(Map<String, String> args) {
            int actions = 200;
            int creates = 10;
            int playwright = 10;
            for (var e : args.entrySet()) {
                switch (e.getKey()) {
                    case "--cluster-actions" -> actions = Bench.positiveOption(e.getKey(), e.getValue());
                    case "--cluster-creates" -> creates = Bench.positiveOption(e.getKey(), e.getValue());
                    case "--cluster-playwright" -> playwright = Bench.positiveOption(e.getKey(), e.getValue());
                    default -> throw new IllegalArgumentException("unknown argument '" + e.getKey() + "'");
                }
            }
            return new Options(actions, creates, playwright);
        }
    }

    /** What the bench lends these rows. {@code marker}: an environment entry every process started here gets. */
    record Context(Path workDir, Path chromium, String pageUrl, HttpClient http, Options options, String marker,
                   PrintStream log, Consumer<String> error) {}

    /** One node: its process, where it listens, and its output (a file). */
    private record Member(String name, Process process, String url, Path output) {}

    /** One row: through the other node (forwarded) and through the owner. */
    private record Row(String operation, Samples forwarded, Samples direct, String note) {}

    /** An answer: status, the node that served it, the body (as JSON when it is JSON). */
    private record Answer(int status, String node, String body, JsonNode json) {
        String describe() {
            var b = body.length() > 300 ? body.substring(0, 300) + "…" : body;
            return "HTTP " + status + " from node " + node + (b.isEmpty() ? "" : ": " + b);
        }
    }

    private final Context ctx;
    private final Path dir;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Computers alive now → the node that owns them. */
    private final Map<String, String> live = new ConcurrentHashMap<>();
    private final Map<String, Samples> parts = new LinkedHashMap<>();
    private PostgresServer postgres;
    /** The computer of the action rows, on the owner, kept for the Playwright rows. */
    private String actionComputer;
    private String postgresVersion = "?";
    private int checkedAnswers;
    private boolean closed;

    ClusterBench(Context ctx) {
        this.ctx = ctx;
        this.dir = ctx.workDir().resolve("cluster");
    }

    void run() throws Exception {
        ctx.log().println("cluster: starting PostgreSQL (fsync on) and nodes " + OWNER + " and " + OTHER);
        Files.createDirectories(dir);
        postgres = PostgresServer.start(true);
        try (var c = DriverManager.getConnection(postgres.url("postgres"), postgres.user(), postgres.password());
             var st = c.createStatement()) {
            st.execute("CREATE DATABASE porthole_cluster");
            try (var rs = st.executeQuery("SHOW server_version")) {
                if (rs.next()) postgresVersion = rs.getString(1);
            }
        }
        // one after the other: the first node makes the cluster's secret
        start(OWNER, OWNER_MAX);
        start(OTHER, OTHER_MAX);
        awaitNodes();
        try {
            actions();
        } catch (Exception e) {
            ctx.error().accept("cluster actions: " + e);
        }
        try {
            creates();
        } catch (Exception e) {
            ctx.error().accept("cluster creates: " + e);
        }
        try {
            playwright();
        } catch (Exception e) {
            ctx.error().accept("cluster Playwright: " + e);
        }
        ctx.log().println("cluster: stopping the nodes and PostgreSQL");
        close();
    }

    // ---- the nodes ----

    private void start(String name, int maxComputers) throws IOException, InterruptedException {
        var data = dir.resolve(name);
        Files.createDirectories(data);
        var output = dir.resolve(name + ".log");
        var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.porthole.server.Main", "serve", "--data-dir=" + data, "--port=0", "--api-key=" + KEY,
                "--node-id=" + name, "--max-computers=" + maxComputers, "--pool=off", "--egress-allow=127.0.0.1",
                "--stop-computers-on-shutdown=true", "--chromium-path=" + ctx.chromium()));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        var env = pb.environment();
        env.put("PORTHOLE_DATABASE_URL", postgres.url("porthole_cluster"));
        env.put("PORTHOLE_DATABASE_USER", postgres.user());
        env.put("PORTHOLE_DATABASE_PASSWORD", postgres.password());
        var eq = ctx.marker().indexOf('=');
        env.put(ctx.marker().substring(0, eq), ctx.marker().substring(eq + 1));
        var process = pb.start();
        long deadline = System.nanoTime() + NODE_START_TIMEOUT.toNanos();
        while (true) {
            var said = Files.readString(output);
            var m = LISTENING.matcher(said);
            if (m.find()) {
                members.put(name, new Member(name, process, m.group(1), output));
                ctx.log().println("cluster: node " + name + " at " + m.group(1));
                return;
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new IllegalStateException("node " + name + " did not start: " + NodeClient.tail(said));
            }
            Thread.sleep(50);
        }
    }

    /** Until each node lists both as up. */
    private void awaitNodes() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (var via : List.of(OWNER, OTHER)) {
            while (true) {
                var r = send(via, "GET", "/admin/nodes", null, REQUEST_TIMEOUT);
                int up = 0;
                if (r.status() == 200 && r.json() != null) {
                    for (var n : r.json().path("items")) if (n.path("state").asText().equals("up")) up++;
                }
                if (up == 2) break;
                if (System.nanoTime() > deadline) throw new IllegalStateException("GET /admin/nodes at " + via
                        + " does not list both nodes up: " + r.describe());
                Thread.sleep(100);
            }
        }
    }

    private Answer send(String via, String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(URI.create(members.get(via).url() + path)).timeout(timeout)
                .header("Authorization", "Bearer " + KEY);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        var res = ctx.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
        var text = res.body() == null ? "" : res.body();
        JsonNode json = null;
        if (!text.isBlank()) {
            try {
                json = PortholeClient.JSON.readTree(text);
            } catch (IOException notJson) {
                // kept as text
            }
        }
        return new Answer(res.statusCode(), res.headers().firstValue("Porthole-Node").orElse(""), text, json);
    }

    /** {@code send}, which must answer {@code status} from the owner. */
    private Answer expect(int status, String via, String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException {
        var r = send(via, method, path, body, timeout);
        if (r.status() != status || !r.node().equals(OWNER)) {
            throw new IllegalStateException(method + " " + path + " through " + via + ": " + r.describe());
        }
        checkedAnswers++;
        return r;
    }

    /** A browser computer created through {@code via}: its id and how long the create took. */
    private record Created(String id, long nanos) {}

    private Created create(String via) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        var r = send(via, "POST", "/computers", "{}", CREATE_TIMEOUT);
        long took = System.nanoTime() - t0;
        var id = r.json() == null ? "" : r.json().path("id").asText("");
        if (!id.isEmpty()) live.put(id, r.node().isEmpty() ? OWNER : r.node());
        if (r.status() != 200 || id.isEmpty() || !r.node().equals(OWNER)) {
            throw new IllegalStateException("POST /computers through " + via + ": " + r.describe());
        }
        checkedAnswers++;
        return new Created(id, took);
    }

    private long delete(String via, String id) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        var r = send(via, "DELETE", "/computers/" + id, null, REQUEST_TIMEOUT);
        long took = System.nanoTime() - t0;
        if (r.status() != 204 || !r.node().equals(OWNER)) {
            throw new IllegalStateException("DELETE /computers/" + id + " through " + via + ": " + r.describe());
        }
        checkedAnswers++;
        live.remove(id);
        return took;
    }

    private Row row(String operation, String note) {
        return rows.computeIfAbsent(operation, o -> new Row(o, new Samples(), new Samples(), note));
    }

    // ---- actions ----

    private interface Request {
        void send(String via) throws Exception;
    }

    /** Times {@code request} through the other node and through the owner, in the order {@code otherFirst} says. */
    private static void timePair(boolean measured, boolean otherFirst, Row row, Request request) throws Exception {
        for (var via : otherFirst ? List.of(OTHER, OWNER) : List.of(OWNER, OTHER)) {
            long t0 = System.nanoTime();
            request.send(via);
            long took = System.nanoTime() - t0;
            if (measured) (via.equals(OTHER) ? row.forwarded() : row.direct()).add(took);
        }
    }

    private void actions() throws Exception {
        var get = row("GET /computers/{id}", "the computer's record: HTTP, auth and JSON, nothing sent to the browser");
        var click = row("click", "POST /computers/{id}/click {\"x\":200,\"y\":140} (the test page's button)");
        var shot = row("screenshot", "POST /computers/{id}/screenshot {} (a PNG written by the owner, its URL answered)");
        var id = create(OWNER).id();
        expect(200, OWNER, "POST", "/computers/" + id + "/navigate", "{\"url\":\"" + ctx.pageUrl() + "\"}", REQUEST_TIMEOUT);
        var clickBody = "{\"x\":" + PageServer.BUTTON_X + ",\"y\":" + PageServer.BUTTON_Y + "}";
        int n = ctx.options().actions();
        for (int i = 0; i < ACTION_WARMUP + n; i++) {
            boolean measured = i >= ACTION_WARMUP;
            boolean otherFirst = i % 2 == 0;
            timePair(measured, otherFirst, get, via -> expect(200, via, "GET", "/computers/" + id, null, REQUEST_TIMEOUT));
            timePair(measured, otherFirst, click, via -> expect(200, via, "POST", "/computers/" + id + "/click",
                    clickBody, REQUEST_TIMEOUT));
            timePair(measured, otherFirst, shot, via -> expect(200, via, "POST", "/computers/" + id + "/screenshot", "{}",
                    REQUEST_TIMEOUT));
            if ((i + 1) % 50 == 0) ctx.log().println("cluster: actions " + (i + 1) + "/" + (ACTION_WARMUP + n));
        }
        // every click counted once by the page, whichever node it came through
        var html = expect(200, OTHER, "POST", "/computers/" + id + "/html", "{}", REQUEST_TIMEOUT).json()
                .path("result").path("html_content").asText();
        var m = Pattern.compile("<span id=\"count\">(\\d+)</span>").matcher(html);
        int counted = m.find() ? Integer.parseInt(m.group(1)) : -1;
        int expected = 2 * (ACTION_WARMUP + n);
        notes.add("actions: the page counted " + counted + " clicks (expected " + expected + ")");
        if (counted != expected) ctx.error().accept("cluster actions: the page counted " + counted + " clicks, not " + expected);
        actionComputer = id;
    }

    // ---- creates ----

    private void creates() throws Exception {
        var create = row("create → ready (no pool)", "POST /computers {} sent to b, which places it on a (a has more free"
                + " places), vs sent to a; no warm pool on either node, so both are cold creates");
        var delete = row("delete", "DELETE /computers/{id} (204) through the node the create went through");
        int n = ctx.options().creates();
        for (int i = 0; i < WARMUP + n; i++) {
            boolean measured = i >= WARMUP;
            var line = new StringBuilder("cluster: creates " + (measured ? "iteration " + (i - WARMUP + 1) + "/" + n
                    : "warm-up " + (i + 1) + "/" + WARMUP) + ":");
            for (var via : i % 2 == 0 ? List.of(OTHER, OWNER) : List.of(OWNER, OTHER)) {
                var c = create(via);
                long d = delete(via, c.id());
                if (measured) {
                    (via.equals(OTHER) ? create.forwarded() : create.direct()).add(c.nanos());
                    (via.equals(OTHER) ? delete.forwarded() : delete.direct()).add(d);
                }
                line.append(String.format(Locale.ROOT, " via %s create %.0f ms, delete %.0f ms;", via, c.nanos() / 1e6,
                        d / 1e6));
            }
            ctx.log().println(line);
        }
    }

    // ---- Playwright over CDP ----

    private void playwright() throws Exception {
        var connect = row("Playwright: connectOverCDP", "chromium.connectOverCDP(ws://<node>/computers/{id}/cdp,"
                + " Authorization header) until it resolves; through b the WebSocket is relayed to a message by message");
        var work = row("Playwright: goto + " + PLAYWRIGHT_CLICKS + " clicks + screenshot", "on the computer's first page:"
                + " page.goto(test page), " + PLAYWRIGHT_CLICKS + " × page.mouse.click(200, 140), page.screenshot();"
                + " timed in the script (process.hrtime), one long-lived node process");
        var prepared = NodeClient.prepare(ctx.marker());
        if (prepared.client() == null) {
            notes.add("Playwright rows skipped: " + prepared.unavailable());
            return;
        }
        notes.add("Playwright: playwright-core " + prepared.client().playwrightVersion() + " on node "
                + prepared.client().version());
        var id = actionComputer != null ? actionComputer : create(OWNER).id();
        int n = ctx.options().playwright();
        try (var node = new NodeLoop(prepared.client().start("playwright-cluster.js", Map.of(), ctx.marker()))) {
            for (int i = 0; i < WARMUP + n; i++) {
                boolean measured = i >= WARMUP;
                var line = new StringBuilder("cluster: Playwright " + (measured ? "iteration " + (i - WARMUP + 1) + "/"
                        + n : "warm-up " + (i + 1) + "/" + WARMUP) + ":");
                for (var via : i % 2 == 0 ? List.of(OTHER, OWNER) : List.of(OWNER, OTHER)) {
                    var cdp = members.get(via).url().replaceFirst("^http", "ws") + "/computers/" + id + "/cdp";
                    var a = node.call(cdp, ctx.pageUrl() + "?n=" + i);
                    if (measured) {
                        (via.equals(OTHER) ? connect.forwarded() : connect.direct()).add(nanos(a.path("connectMs").asDouble()));
                        (via.equals(OTHER) ? work.forwarded() : work.direct()).add(nanos(a.path("workMs").asDouble()));
                        for (var part : List.of("goto", "clicks", "screenshot", "close")) {
                            parts.computeIfAbsent(via + "\u0000" + part, k -> new Samples())
                                    .add(nanos(a.path(part + "Ms").asDouble()));
                        }
                    }
                    line.append(String.format(Locale.ROOT, " via %s connect %.0f ms, work %.0f ms;", via,
                            a.path("connectMs").asDouble(), a.path("workMs").asDouble()));
                }
                ctx.log().println(line);
            }
        }
    }

    private static long nanos(double millis) {
        return Math.round(millis * 1e6);
    }

    /** The node process that runs Playwright: one JSON request a line in, one answer a line out. */
    private final class NodeLoop implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final LinkedBlockingQueue<String> answers = new LinkedBlockingQueue<>();

        NodeLoop(Process process) {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofVirtual().name("bench-cluster-node-out").start(() -> {
                try (var r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) answers.add(line);
                } catch (IOException ignored) {
                    // it ended
                }
            });
        }

        JsonNode call(String cdp, String page) throws Exception {
            var req = PortholeClient.JSON.createObjectNode().put("cdp", cdp).put("page", page)
                    .put("clicks", PLAYWRIGHT_CLICKS).put("x", PageServer.BUTTON_X).put("y", PageServer.BUTTON_Y);
            req.putObject("headers").put("Authorization", "Bearer " + KEY);
            in.write(req + "\n");
            in.flush();
            var line = answers.poll(NODE_SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new IllegalStateException("playwright-cluster.js did not answer within "
                        + NODE_SCRIPT_TIMEOUT.toSeconds() + " s" + (process.isAlive() ? "" : " (it exited with "
                        + process.exitValue() + ")"));
            }
            var answer = PortholeClient.JSON.readTree(line);
            if (!answer.path("ok").asBoolean()) throw new IllegalStateException("playwright: " + answer.path("error").asText());
            if (answer.path("clicks").asInt() != PLAYWRIGHT_CLICKS || answer.path("width").asInt() != Bench.WIDTH
                    || answer.path("height").asInt() != Bench.HEIGHT) {
                throw new IllegalStateException("playwright: the page counted " + answer.path("clicks") + " clicks, the"
                        + " screenshot is " + answer.path("width") + "x" + answer.path("height") + ": " + answer);
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

    // ---- the end ----

    /** Deletes what is left, stops the nodes (they end their computers) and PostgreSQL. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (var e : Set.copyOf(live.entrySet())) {
            try {
                if (members.containsKey(e.getValue())) delete(e.getValue(), e.getKey());
            } catch (Exception ex) {
                ctx.log().println("cluster: cleanup: DELETE /computers/" + e.getKey() + " failed: " + ex);
            }
        }
        for (var m : members.values()) if (m.process().isAlive()) m.process().destroy();
        for (var m : members.values()) {
            try {
                if (!m.process().waitFor(60, TimeUnit.SECONDS)) {
                    ctx.error().accept("cluster: node " + m.name() + " did not stop within 60 s of SIGTERM; killed");
                    m.process().destroyForcibly();
                    m.process().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                m.process().destroyForcibly();
            }
        }
        if (postgres != null) postgres.close();
        RawBrowser.deleteTree(dir);
    }

    // ---- the report ----

    void print(PrintStream out) {
        var header = List.of("cluster operation", "n", "through b p50", "through b p99", "through a p50",
                "through a p99", "ratio p50 (b / a)");
        var table = new ArrayList<List<String>>();
        for (var r : rows.values()) {
            var n = r.forwarded().count() + (r.forwarded().errors() > 0 ? " (" + r.forwarded().errors() + " failed)" : "");
            table.add(List.of(r.operation(), n, Markdown.ms(r.forwarded().p50()), Markdown.ms(r.forwarded().p99()),
                    Markdown.ms(r.direct().p50()), Markdown.ms(r.direct().p99()),
                    Markdown.ratio(r.forwarded().p50(), r.direct().p50())));
        }
        Markdown.print(out, header, table);
        out.println();
        for (var r : rows.values()) out.println("- " + r.operation() + ": " + r.note());
        out.printf(Locale.ROOT, "- two nodes, each a JVM of its own (io.porthole.server.Main serve --node-id=a|b"
                + " --pool=off, a --max-computers=%d, b --max-computers=%d), on PostgreSQL %s started by the bench on"
                + " loopback (fsync on); every computer is on a; \"through b\" is forwarded by b to a, \"through a\" is"
                + " served where it came; the two alternate which goes first; %d answers checked to name a in"
                + " Porthole-Node%n", OWNER_MAX, OTHER_MAX, postgresVersion, checkedAnswers);
        if (!parts.isEmpty()) {
            var sb = new StringBuilder("- Playwright, p50 of each part, through b vs through a:");
            for (var part : List.of("goto", "clicks", "screenshot", "close")) {
                var b = parts.get(OTHER + "\u0000" + part);
                var a = parts.get(OWNER + "\u0000" + part);
                if (a == null || b == null) continue;
                sb.append(String.format(Locale.ROOT, " %s %s vs %s,", part, Markdown.ms(b.p50()), Markdown.ms(a.p50())));
            }
            sb.setLength(sb.length() - 1);
            out.println(sb);
        }
        for (var n : notes) out.println("- " + n);
        out.println();
    }
}
