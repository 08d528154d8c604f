package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.ReplayEvent;
import io.porthole.testing.PostgresDatabase;
import io.porthole.testing.PostgresFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the PostgreSQL store does: several servers on one database (migrating at once, writing at once), and
 * connecting, where a password is involved and must never show.
 */
class PostgresStoreTest {
    private PostgresDatabase db;

    @BeforeEach
    void makeDatabase() {
        db = PostgresFixture.newDatabase();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private static ComputerRecord computer(String id) {
        var at = Instant.ofEpochMilli(1_000);
        return new ComputerRecord(id, "t", "browser", "chromium", ComputerStatus.RUNNING, at, at, 3600, 300, true, false,
                1280, 720, 1.0, null, null, null);
    }

    @Test
    void serversThatStartAtOnceOnAnEmptyDatabaseEachMigrateOrFindItDone() throws Exception {
        int servers = 6;
        var start = new CountDownLatch(1);
        var tasks = new ArrayList<Callable<JdbcStore>>();
        for (int i = 0; i < servers; i++) {
            tasks.add(() -> {
                start.await();
                return JdbcStore.postgres(db.url(), db.user(), db.password());
            });
        }
        var stores = new ArrayList<JdbcStore>();
        try (var pool = Executors.newFixedThreadPool(servers)) {
            var futures = tasks.stream().map(pool::submit).toList();
            start.countDown();
            for (var f : futures) stores.add(f.get(120, TimeUnit.SECONDS));
        } finally {
            stores.forEach(JdbcStore::close);
        }
        try (var c = db.connect(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_version")) {
            assertTrue(rs.next());
            assertEquals(Migrations.SCRIPTS.size(), rs.getInt(1), "each script ran once");
            assertEquals(Migrations.SCRIPTS.size(), rs.getInt(2));
            assertEquals(Migrations.SCRIPTS.size(), rs.getInt(3));
        }
    }

    /**
     * Two servers append for one computer at once. Every listing any of them made shows a prefix of the final log:
     * no event turns up later below the newest seq a reader has seen (which a bare sequence allows, when a lower
     * seq commits after a higher one), so a reader paging by seq misses nothing.
     */
    @Test
    void twoServersAppendingForOneComputerGetSeqsThatBecomeVisibleInOrder() throws Exception {
        try (var a = JdbcStore.postgres(db.url(), db.user(), db.password());
             var b = JdbcStore.postgres(db.url(), db.user(), db.password())) {
            var start = new CountDownLatch(1);
            var tasks = new ArrayList<Callable<List<Set<Long>>>>();
            for (var store : List.of(a, b, a, b)) {
                tasks.add(() -> {
                    start.await();
                    var listings = new ArrayList<Set<Long>>();
                    long last = 0;
                    for (int i = 0; i < 60; i++) {
                        long seq = store.appendEvent("c-shared", "navigation", "navigated", "{}", Instant.now()).seq();
                        assertTrue(seq > last, "one writer's seqs grow");
                        last = seq;
                        listings.add(store.listEvents("c-shared", Optional.empty(), 1000).stream()
                                .map(ReplayEvent::seq).collect(Collectors.toSet()));
                    }
                    return listings;
                });
            }
            var listings = new ArrayList<Set<Long>>();
            try (var pool = Executors.newFixedThreadPool(4)) {
                var futures = tasks.stream().map(pool::submit).toList();
                start.countDown();
                for (var f : futures) listings.addAll(f.get(120, TimeUnit.SECONDS));
            }
            var all = a.listEvents("c-shared", Optional.empty(), 1000).stream().map(ReplayEvent::seq)
                    .collect(Collectors.toSet());
            assertEquals(240, all.size(), "no seq handed out twice, none lost");
            for (var seen : listings) {
                long newest = Collections.max(seen);
                var below = all.stream().filter(s -> s <= newest).collect(Collectors.toSet());
                assertEquals(below, seen, "a listing is every event up to its newest");
            }
        }
    }

    @Test
    void aComputerWrittenByOneServerIsReadByAnother() {
        try (var a = JdbcStore.postgres(db.url(), db.user(), db.password());
             var b = JdbcStore.postgres(db.url(), db.user(), db.password())) {
            a.insertComputerWithEvent(computer("c-1"), "lifecycle", "created", "{}", Instant.ofEpochMilli(1_000));
            assertEquals(computer("c-1"), b.findComputer("c-1").orElseThrow());
            assertThrows(IllegalStateException.class, () -> b.insertComputer(computer("c-1")));
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithWhatWasTriedAndNeverThePassword() {
        var wrong = "Wr0ng-s3cret-" + System.nanoTime();
        try (var logs = new CapturedLogs()) {
            var e = assertThrows(IllegalStateException.class, () -> JdbcStore.postgres(db.url(), db.user(), wrong));
            assertTrue(e.getMessage().contains(db.url()), e.getMessage());
            assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
            assertNoSecret(wrong, e);
            assertFalse(logs.text().contains(wrong), logs.text());
        }
    }

    @Test
    void aPasswordInTheUrlIsTakenOutOfItAndOutOfEveryMessage() {
        var wrong = "url-s3cret-" + System.nanoTime();
        var url = db.url() + "?sslmode=disable&password=" + URLEncoder.encode(wrong, StandardCharsets.UTF_8)
                + "&user=" + db.user();
        try (var logs = new CapturedLogs()) {
            var e = assertThrows(IllegalStateException.class, () -> JdbcStore.postgres(url, null, null));
            assertNoSecret(wrong, e);
            assertFalse(logs.text().contains(wrong), logs.text());
            assertTrue(e.getMessage().contains(db.url() + " as " + db.user()), e.getMessage());
        }
        // and the right one, given that way, works
        var right = db.url() + "?password=" + URLEncoder.encode(db.password(), StandardCharsets.UTF_8) + "&user=" + db.user();
        try (var store = JdbcStore.postgres(right, null, null)) {
            assertTrue(store.findComputer("nope").isEmpty());
        }
    }

    @Test
    void noServerListeningIsRefusedWithWhereItLooked() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var url = "jdbc:postgresql://127.0.0.1:" + port + "/porthole";
        var secret = "n0-server-s3cret";
        try (var logs = new CapturedLogs()) {
            var e = assertThrows(IllegalStateException.class, () -> JdbcStore.postgres(url, "someone", secret));
            assertTrue(e.getMessage().contains(url + " as someone"), e.getMessage());
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
            assertNoSecret(secret, e);
            assertFalse(logs.text().contains(secret), logs.text());
        }
    }

    @Test
    void optionsShowNoPassword() {
        var options = PostgresOptions.of("jdbc:postgresql://db.example:5432/porthole?password=hunter22&ssl=true", "app", null);
        assertEquals("jdbc:postgresql://db.example:5432/porthole?ssl=true", options.url());
        assertEquals("hunter22", options.password().orElseThrow());
        assertFalse(options.toString().contains("hunter22"), options.toString());
        assertThrows(IllegalArgumentException.class, () -> PostgresOptions.of("jdbc:postgresql://app:hunter22@db/porthole", null, null));
        var e = assertThrows(IllegalArgumentException.class, () -> PostgresOptions.of("jdbc:mysql://db/x?password=hunter22", null, null));
        assertFalse(e.getMessage().contains("hunter22"), e.getMessage());
    }

    private static void assertNoSecret(String secret, Throwable e) {
        var out = new ByteArrayOutputStream();
        try (var w = new PrintWriter(out, true, StandardCharsets.UTF_8)) {
            e.printStackTrace(w);
        }
        var printed = out.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains(secret), printed);
    }

    /** Every log record of every logger (the pool's arrive through SLF4J's java.util.logging binding), while open. */
    private static final class CapturedLogs extends Handler implements AutoCloseable {
        private final Logger root = Logger.getLogger("");
        private final Level before = root.getLevel();
        private final StringBuilder text = new StringBuilder();

        CapturedLogs() {
            setLevel(Level.ALL);
            root.setLevel(Level.ALL);
            root.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            text.append(r.getLoggerName()).append(' ').append(r.getMessage());
            if (r.getParameters() != null) for (var p : r.getParameters()) text.append(' ').append(p);
            if (r.getThrown() != null) {
                var out = new ByteArrayOutputStream();
                try (var w = new PrintWriter(out, true, StandardCharsets.UTF_8)) {
                    r.getThrown().printStackTrace(w);
                }
                text.append(' ').append(out.toString(StandardCharsets.UTF_8));
            }
            text.append('\n');
        }

        synchronized String text() {
            return text.toString();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            root.removeHandler(this);
            root.setLevel(before);
        }
    }
}
