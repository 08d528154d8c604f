package io.porthole.bench;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.Store;
import io.porthole.store.jdbc.JdbcStore;
import io.porthole.testing.PostgresServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The store rows: the {@code Store} operations a request waits for, on SQLite (the default: a file in the data
 * directory, WAL, {@code synchronous=FULL}) and on PostgreSQL (a server started for the bench the way the tests'
 * fixture starts one, on loopback, with fsync and synchronous commit on, as in production), interleaved in one run:
 * insertComputerWithEvent (a create's one commit), updateComputer (an activity write), findComputer, appendEvent,
 * listEvents (a page of 50), and appendEvent from 8 threads at once (throughput: SQLite's one connection against
 * PostgreSQL's pool). Not thread-safe.
 */
final class StoreBench {
    static final String USAGE = """
                  --store-iterations
                                   operations of each kind per database, measured, after 100 warm-up
                                   (default 2000)
            """;
    private static final int WARMUP = 100;
    private static final int PAGE = 50;
    private static final int THREADS = 8;
    private static final int APPENDS_PER_THREAD = 250;

    record Options(int iterations) {
        static Options parse(Map<String, String> args) {
            int iterations = 2000;
            for (var e : args.entrySet()) {
                switch (e.getKey()) {
                    case "--store-iterations" -> iterations = Bench.positiveOption(e.getKey(), e.getValue());
                    default -> throw new IllegalArgumentException("unknown argument '" + e.getKey() + "'");
                }
            }
            return new Options(iterations);
        }
    }

    /** What the bench lends these rows. */
    record Context(Path workDir, Options options, PrintStream log, Consumer<String> error) {}

    private record Database(String name, Store store) {}

    private final Context ctx;
    /** operation → database → samples. */
    private final Map<String, Map<String, Samples>> rows = new LinkedHashMap<>();
    private final Map<String, Double> appendsPerSecond = new LinkedHashMap<>();
    private String postgresVersion = "?";

    StoreBench(Context ctx) {
        this.ctx = ctx;
    }

    void run() throws Exception {
        ctx.log().println("store: starting PostgreSQL (fsync on) and an SQLite file");
        try (var server = PostgresServer.start(true)) {
            try (var c = DriverManager.getConnection(server.url("postgres"), server.user(), server.password());
                 var st = c.createStatement()) {
                st.execute("CREATE DATABASE porthole_bench");
                try (var rs = st.executeQuery("SHOW server_version")) {
                    if (rs.next()) postgresVersion = rs.getString(1);
                }
            }
            try (var sqlite = JdbcStore.sqlite(ctx.workDir().resolve("store-bench").resolve("porthole.db"));
                 var postgres = JdbcStore.postgres(server.url("porthole_bench"), server.user(), server.password())) {
                var databases = List.of(new Database("SQLite", sqlite), new Database("PostgreSQL", postgres));
                measure(databases);
                for (var db : databases) appendsPerSecond.put(db.name(), concurrentAppends(db.store()));
            }
        }
    }

    private static ComputerRecord computer(String id, Instant at) {
        return new ComputerRecord(id, "tenant-bench", "browser", "chromium", ComputerStatus.RUNNING, at, at, 3600, 300, true,
                false, 1280, 720, 1.0, null, null, null, null, "{}", "node-bench");
    }

    private void measure(List<Database> databases) {
        int n = ctx.options().iterations();
        var now = Instant.now();
        // a computer with a long log, for the listing row
        for (var db : databases) {
            db.store().insertComputer(computer("c-listed", now));
            for (int i = 0; i < 500; i++) db.store().appendEvent("c-listed", "navigation", "navigated", "{\"n\":" + i + "}", now);
        }
        for (int i = -WARMUP; i < n; i++) {
            boolean measured = i >= 0;
            int k = i + WARMUP;
            for (var db : databases) {
                var s = db.store();
                var id = "c-" + k;
                var at = now.plusMillis(k);
                time(measured, "insertComputerWithEvent", db, () -> s.insertComputerWithEvent(computer(id, at), "lifecycle",
                        "created", "{\"pooled\":false}", at));
                time(measured, "updateComputer", db, () -> s.updateComputer(computer(id, at).withActivity(at.plusSeconds(1))));
                time(measured, "findComputer", db, () -> s.findComputer(id).orElseThrow());
                time(measured, "appendEvent", db, () -> s.appendEvent(id, "navigation", "navigated",
                        "{\"url\":\"https://example.com/\"}", at));
                time(measured, "listEvents (page of " + PAGE + ")", db, () -> s.listEvents("c-listed", Optional.empty(), PAGE));
            }
        }
    }

    private void time(boolean measured, String operation, Database db, Runnable op) {
        long t0 = System.nanoTime();
        op.run();
        long took = System.nanoTime() - t0;
        if (measured) rows.computeIfAbsent(operation, o -> new LinkedHashMap<>()).computeIfAbsent(db.name(), d -> new Samples()).add(took);
    }

    /** Appends per second from {@link #THREADS} threads at once, each for a computer of its own. */
    private static double concurrentAppends(Store store) throws Exception {
        var start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(THREADS)) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < THREADS; t++) {
                var id = "c-thread-" + t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < APPENDS_PER_THREAD; i++) store.appendEvent(id, "navigation", "navigated", "{}", Instant.now());
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (var f : futures) f.get(300, TimeUnit.SECONDS);
            return THREADS * APPENDS_PER_THREAD / ((System.nanoTime() - t0) / 1e9);
        }
    }

    void print(PrintStream out) {
        var header = List.of("store operation", "n", "SQLite p50", "SQLite p99", "PostgreSQL p50", "PostgreSQL p99",
                "ratio p50 (PostgreSQL / SQLite)");
        var table = new ArrayList<List<String>>();
        for (var e : rows.entrySet()) {
            var sqlite = e.getValue().get("SQLite");
            var postgres = e.getValue().get("PostgreSQL");
            table.add(List.of(e.getKey(), Integer.toString(sqlite.count()), ms(sqlite.p50()), ms(sqlite.p99()),
                    ms(postgres.p50()), ms(postgres.p99()), String.format(Locale.ROOT, "%.2f", postgres.p50() / sqlite.p50())));
        }
        var sqliteRate = appendsPerSecond.getOrDefault("SQLite", Double.NaN);
        var postgresRate = appendsPerSecond.getOrDefault("PostgreSQL", Double.NaN);
        table.add(List.of("appendEvent, " + THREADS + " threads at once (appends/s)",
                Integer.toString(THREADS * APPENDS_PER_THREAD), String.format(Locale.ROOT, "%.0f/s", sqliteRate), "",
                String.format(Locale.ROOT, "%.0f/s", postgresRate), "",
                String.format(Locale.ROOT, "%.2f", postgresRate / sqliteRate)));
        Markdown.print(out, header, table);
        out.println();
        out.printf(Locale.ROOT, "- store: the same JdbcStore calls on each database in turn, %d of each after %d warm-up;"
                + " SQLite: a file in the bench's directory (WAL, synchronous=FULL, one connection); PostgreSQL %s: a"
                + " server of the bench's own on loopback (fsync and synchronous_commit on, as in production), through"
                + " the store's pool. The last row is a throughput (higher is better); its ratio is PostgreSQL's over"
                + " SQLite's.%n", ctx.options().iterations(), WARMUP, postgresVersion);
        out.println();
    }

    private static String ms(double millis) {
        return String.format(Locale.ROOT, "%.3f ms", millis);
    }
}
