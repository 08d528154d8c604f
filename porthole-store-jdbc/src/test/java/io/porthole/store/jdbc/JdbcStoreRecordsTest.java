package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.ArtifactRecord;
import io.porthole.core.store.EnvironmentRecord;
import io.porthole.core.store.ReplayEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replay events, artifact records and environments: the store on SQLite and on PostgreSQL, each test on a
 * database of its own.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class JdbcStoreRecordsTest {
    @Parameter
    Backend backend;
    @TempDir
    Path dir;
    private Backend.Target target;
    private final List<JdbcStore> opened = new ArrayList<>();

    @BeforeEach
    void makeDatabase() {
        target = backend.target(dir);
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcStore::close);
        target.close();
    }

    private JdbcStore open() {
        var s = target.open();
        opened.add(s);
        return s;
    }

    private void closeAll() {
        opened.forEach(JdbcStore::close);
        opened.clear();
    }

    private static String sha(char c) {
        return String.valueOf(c).repeat(64);
    }

    private static Instant ms(long millis) {
        return Instant.ofEpochMilli(millis);
    }

    private static List<Long> seqs(List<ReplayEvent> events) {
        return events.stream().map(ReplayEvent::seq).toList();
    }

    /** Every event of the computer, page by page of {@code pageSize}, following the cursor. */
    private static List<ReplayEvent> allPages(JdbcStore store, String computerId, int pageSize) {
        var out = new ArrayList<ReplayEvent>();
        Optional<Long> cursor = Optional.empty();
        while (true) {
            var page = store.listEvents(computerId, cursor, pageSize);
            assertTrue(page.size() <= pageSize);
            out.addAll(page);
            if (page.size() < pageSize) return out;
            cursor = Optional.of(page.get(page.size() - 1).seq());
        }
    }

    // --- replay events ---

    @Test
    void aComputerAndItsFirstEventAreInsertedTogetherOrNotAtAll() {
        var store = open();
        var r = new io.porthole.core.ComputerRecord("c-9", "t", "browser", "chromium", io.porthole.core.ComputerStatus.RUNNING,
                ms(1_000), ms(1_000), 60, 60, true, false, 1280, 720, 1.0, null, null, null);
        var e = store.insertComputerWithEvent(r, ReplayEvent.LIFECYCLE, "created", "{\"pooled\":true}", ms(1_000));
        assertEquals(Optional.of(r), store.findComputer("c-9"));
        assertEquals(List.of(e), store.listEvents("c-9", Optional.empty(), 10));
        // a second insert of the id fails, and leaves no second event behind
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> store.insertComputerWithEvent(r, ReplayEvent.LIFECYCLE, "created", "{}", ms(2_000)));
        assertEquals(List.of(e), store.listEvents("c-9", Optional.empty(), 10));
    }

    @Test
    void anAppendedEventComesBackAsStoredWithItsSeq() {
        var store = open();
        var e = store.appendEvent("c-1", "navigation", "navigated", "{\"url\":\"https://example.com/é\"}",
                Instant.parse("2026-03-04T05:06:07.123456Z"));
        assertTrue(e.seq() > 0, e.toString());
        assertEquals(new ReplayEvent(e.seq(), "c-1", "navigation", "navigated", "{\"url\":\"https://example.com/é\"}",
                Instant.parse("2026-03-04T05:06:07.123Z")), e, "the time is kept to the millisecond");
        assertEquals(List.of(e), store.listEvents("c-1", Optional.empty(), 10));
    }

    @Test
    void noDataIsStoredAsAnEmptyObject() {
        var store = open();
        assertEquals("{}", store.appendEvent("c-1", ReplayEvent.LIFECYCLE, "created", null, ms(1)).dataJson());
        assertEquals("{}", store.appendEvent("c-1", ReplayEvent.LIFECYCLE, "closed", " ", ms(2)).dataJson());
        assertEquals(List.of("{}", "{}"),
                store.listEvents("c-1", Optional.empty(), 10).stream().map(ReplayEvent::dataJson).toList());
    }

    @Test
    void eventsAreListedNewestFirstPerComputer() {
        var store = open();
        var a1 = store.appendEvent("a", "lifecycle", "created", "{}", ms(1_000));
        var b1 = store.appendEvent("b", "lifecycle", "created", "{}", ms(1_001));
        var a2 = store.appendEvent("a", "connection", "attached", "{\"client\":\"cdp\"}", ms(1_002));
        var a3 = store.appendEvent("a", "lifecycle", "suspended", "{}", ms(1_003));
        assertTrue(a1.seq() < b1.seq() && b1.seq() < a2.seq() && a2.seq() < a3.seq());
        assertEquals(List.of(a3, a2, a1), store.listEvents("a", Optional.empty(), 10));
        assertEquals(List.of(b1), store.listEvents("b", Optional.empty(), 10));
        assertEquals(List.of(), store.listEvents("nobody", Optional.empty(), 10));
    }

    @Test
    void theOrderIsTheSeqNotTheTimeGiven() {
        var store = open();
        var later = store.appendEvent("c", "lifecycle", "created", "{}", ms(5_000));
        var earlier = store.appendEvent("c", "lifecycle", "resumed", "{}", ms(1_000));
        assertEquals(List.of(earlier, later), store.listEvents("c", Optional.empty(), 10));
    }

    @Test
    void pagesFollowTheCursorWithoutGapsOrRepeats() {
        var store = open();
        var appended = new ArrayList<ReplayEvent>();
        for (int i = 0; i < 23; i++) {
            appended.add(store.appendEvent("c", "navigation", "navigated", "{\"n\":" + i + "}", ms(1_000 + i)));
            store.appendEvent("other", "navigation", "navigated", "{}", ms(1_000 + i));
        }
        var newestFirst = new ArrayList<>(appended);
        Collections.reverse(newestFirst);

        var first = store.listEvents("c", Optional.empty(), 10);
        assertEquals(newestFirst.subList(0, 10), first);
        var second = store.listEvents("c", Optional.of(first.get(9).seq()), 10);
        assertEquals(newestFirst.subList(10, 20), second);
        var third = store.listEvents("c", Optional.of(second.get(9).seq()), 10);
        assertEquals(newestFirst.subList(20, 23), third);
        assertEquals(List.of(), store.listEvents("c", Optional.of(third.get(2).seq()), 10));

        for (int size : new int[] {1, 2, 7, 23, 100}) assertEquals(newestFirst, allPages(store, "c", size), "page " + size);
    }

    @Test
    void aCursorNeedNotBeAnEventOfTheComputer() {
        var store = open();
        var a1 = store.appendEvent("a", "lifecycle", "created", "{}", ms(1));
        var b1 = store.appendEvent("b", "lifecycle", "created", "{}", ms(2));
        var a2 = store.appendEvent("a", "lifecycle", "closed", "{}", ms(3));
        assertEquals(List.of(a1), store.listEvents("a", Optional.of(b1.seq()), 10));
        assertEquals(List.of(a2, a1), store.listEvents("a", Optional.of(Long.MAX_VALUE), 10));
        assertEquals(List.of(), store.listEvents("a", Optional.of(0L), 10));
        assertEquals(List.of(), store.listEvents("a", Optional.of(-5L), 10));
    }

    @Test
    void aLimitBelowOneIsRefused() {
        var store = open();
        assertThrows(IllegalArgumentException.class, () -> store.listEvents("c", Optional.empty(), 0));
        assertThrows(IllegalArgumentException.class, () -> store.listEvents("c", Optional.empty(), -1));
    }

    @Test
    void anEventWithoutItsFieldsIsRefusedAndNothingIsStored() {
        var store = open();
        assertThrows(NullPointerException.class, () -> store.appendEvent(null, "lifecycle", "created", "{}", ms(1)));
        assertThrows(NullPointerException.class, () -> store.appendEvent("c", null, "created", "{}", ms(1)));
        assertThrows(NullPointerException.class, () -> store.appendEvent("c", "lifecycle", null, "{}", ms(1)));
        assertThrows(NullPointerException.class, () -> store.appendEvent("c", "lifecycle", "created", "{}", null));
        assertEquals(List.of(), store.listEvents("c", Optional.empty(), 10));
    }

    @Test
    void eventsSurviveCloseAndReopenAndSeqsKeepGrowing() {
        var first = open();
        var before = new ArrayList<ReplayEvent>();
        for (int i = 0; i < 5; i++) before.add(first.appendEvent("c", "lifecycle", "t" + i, "{}", ms(i)));
        closeAll();

        var second = open();
        var listed = second.listEvents("c", Optional.empty(), 100);
        Collections.reverse(listed);
        assertEquals(before, listed);
        var next = second.appendEvent("c", "lifecycle", "after", "{}", ms(99));
        assertTrue(next.seq() > before.get(4).seq());
    }

    @Test
    void aSeqIsNeverHandedOutTwiceEvenAfterTheNewestRowIsGone() throws SQLException {
        var store = open();
        var a = store.appendEvent("c", "lifecycle", "created", "{}", ms(1));
        var b = store.appendEvent("c", "lifecycle", "closed", "{}", ms(2));
        try (var c = target.raw(); var st = c.createStatement()) {
            st.execute("DELETE FROM events WHERE seq = " + b.seq());
        }
        var next = store.appendEvent("c", "lifecycle", "created", "{}", ms(3));
        assertTrue(next.seq() > b.seq(), "a client holding " + b.seq() + " as a cursor never sees it reused");
        assertEquals(List.of(next, a), store.listEvents("c", Optional.empty(), 10));
    }

    @Test
    void eventsWrittenByAStoreThatWasNeverClosedAreSeenByTheNextOne() {
        var abandoned = target.open(); // not closed before the next one opens, as if its process had died
        var written = new ArrayList<ReplayEvent>();
        for (int i = 0; i < 20; i++) written.add(abandoned.appendEvent("c", "navigation", "navigated", "{}", ms(i)));

        var next = open();
        var listed = next.listEvents("c", Optional.empty(), 100);
        Collections.reverse(listed);
        assertEquals(written, listed);
        abandoned.close();
    }

    @Test
    void concurrentAppendsFromEightThreadsLoseNothing() throws Exception {
        var store = open();
        int threads = 8;
        int each = 150;
        var start = new CountDownLatch(1);
        var tasks = new ArrayList<Callable<List<ReplayEvent>>>();
        for (int t = 0; t < threads; t++) {
            var computer = "c-" + (t % 3);
            int thread = t;
            tasks.add(() -> {
                start.await();
                var mine = new ArrayList<ReplayEvent>();
                for (int i = 0; i < each; i++) {
                    mine.add(store.appendEvent(computer, "navigation", "navigated",
                            "{\"thread\":" + thread + ",\"i\":" + i + "}", ms(i)));
                }
                return mine;
            });
        }
        var returned = new ArrayList<ReplayEvent>();
        try (var pool = Executors.newFixedThreadPool(threads)) {
            var futures = tasks.stream().map(pool::submit).toList();
            start.countDown();
            for (var f : futures) {
                var mine = f.get(60, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i).seq() > mine.get(i - 1).seq(), "one thread's seqs increase");
                }
                returned.addAll(mine);
            }
        }
        assertEquals(threads * each, returned.size());
        assertEquals(threads * each, new HashSet<>(seqs(returned)).size(), "every seq is unique");

        var listed = new ArrayList<ReplayEvent>();
        for (int c = 0; c < 3; c++) {
            var page = allPages(store, "c-" + c, 37);
            for (int i = 1; i < page.size(); i++) assertTrue(page.get(i).seq() < page.get(i - 1).seq());
            listed.addAll(page);
        }
        assertEquals(new HashSet<>(returned), new HashSet<>(listed), "what each append returned is what is stored");
    }

    // --- artifacts ---

    private static ArtifactRecord artifact(String id, String computer, long createdAt, char sha) {
        return new ArtifactRecord(id, computer, "tenant-a", "screenshot", "image/png", "shot " + id + ".png", 1234,
                sha(sha), ms(createdAt));
    }

    @Test
    void anArtifactRoundTripsEveryField() {
        var store = open();
        var a = new ArtifactRecord("art-1", "c-1", "tenant-a", "har", "application/json", "«session» 'one'.har",
                9_876_543_210L, sha('a'), Instant.parse("2026-05-06T07:08:09.321Z"));
        store.insertArtifact(a);
        assertEquals(Optional.of(a), store.findArtifact("c-1", "art-1"));
        assertEquals(List.of(a), store.listArtifacts("c-1"));
    }

    @Test
    void anArtifactWithoutANameRoundTrips() {
        var store = open();
        var a = new ArtifactRecord("art-1", "c-1", "t", "pdf", "application/pdf", null, 0, sha('b'), ms(1));
        store.insertArtifact(a);
        assertEquals(Optional.of(a), store.findArtifact("c-1", "art-1"));
    }

    @Test
    void anArtifactIsFoundOnlyUnderItsOwnComputer() {
        var store = open();
        store.insertArtifact(artifact("art-1", "c-1", 1, 'a'));
        assertTrue(store.findArtifact("c-1", "art-1").isPresent());
        assertEquals(Optional.empty(), store.findArtifact("c-2", "art-1"));
        assertEquals(Optional.empty(), store.findArtifact("c-1", "art-2"));
    }

    @Test
    void artifactsAreListedNewestFirstPerComputer() {
        var store = open();
        store.insertArtifact(artifact("art-old", "c-1", 1_000, 'a'));
        store.insertArtifact(artifact("art-new", "c-1", 3_000, 'b'));
        store.insertArtifact(artifact("art-mid", "c-1", 2_000, 'a'));
        store.insertArtifact(artifact("art-b", "c-2", 2_500, 'c'));
        store.insertArtifact(artifact("art-tie-x", "c-3", 5_000, 'c'));
        store.insertArtifact(artifact("art-tie-y", "c-3", 5_000, 'c'));
        assertEquals(List.of("art-new", "art-mid", "art-old"),
                store.listArtifacts("c-1").stream().map(ArtifactRecord::id).toList());
        assertEquals(List.of("art-b"), store.listArtifacts("c-2").stream().map(ArtifactRecord::id).toList());
        assertEquals(List.of("art-tie-y", "art-tie-x"),
                store.listArtifacts("c-3").stream().map(ArtifactRecord::id).toList());
        assertEquals(List.of(), store.listArtifacts("c-none"));
    }

    @Test
    void anArtifactIdIsUnique() {
        var store = open();
        store.insertArtifact(artifact("art-1", "c-1", 1, 'a'));
        assertThrows(IllegalStateException.class, () -> store.insertArtifact(artifact("art-1", "c-2", 2, 'b')));
        assertEquals(sha('a'), store.findArtifact("c-1", "art-1").orElseThrow().sha256());
    }

    @Test
    void anArtifactRecordRefusesABadSha() {
        assertThrows(IllegalArgumentException.class, () -> artifact("a", "c", 1, 'A'));
        assertThrows(IllegalArgumentException.class,
                () -> new ArtifactRecord("a", "c", "t", "pdf", "application/pdf", null, 1, "../../etc/passwd", ms(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new ArtifactRecord("a", "c", "t", "pdf", "application/pdf", null, -1, sha('a'), ms(1)));
    }

    // --- environments ---

    private static EnvironmentRecord environment(String id, String tenant, long createdAt, char sha) {
        return new EnvironmentRecord(id, tenant, "chromium", sha(sha), 4096, ms(createdAt), ms(createdAt));
    }

    @Test
    void anEnvironmentRoundTripsEveryField() {
        var store = open();
        var e = new EnvironmentRecord("env-1", "tenant-a", "firefox", sha('e'), 12_345_678_901L,
                Instant.parse("2026-01-01T00:00:00.001Z"), Instant.parse("2026-01-02T00:00:00.002Z"));
        store.upsertEnvironment(e);
        assertEquals(Optional.of(e), store.findEnvironment("env-1"));
        assertEquals(List.of(e), store.listEnvironments("tenant-a"));
        assertEquals(Optional.empty(), store.findEnvironment("env-2"));
    }

    @Test
    void upsertReplacesTheStateButKeepsTheTenantAndCreationTime() {
        var store = open();
        store.upsertEnvironment(environment("env-1", "A", 1_000, 'a'));
        store.upsertEnvironment(new EnvironmentRecord("env-1", "A", "firefox", sha('b'), 99, ms(7_000), ms(8_000)));
        assertEquals(Optional.of(new EnvironmentRecord("env-1", "A", "firefox", sha('b'), 99, ms(1_000), ms(8_000))),
                store.findEnvironment("env-1"));
        assertEquals(1, store.listEnvironments("A").size());
    }

    @Test
    void upsertOfAnotherTenantsEnvironmentIsRefusedAndChangesNothing() {
        var store = open();
        var mine = environment("env-1", "A", 1_000, 'a');
        store.upsertEnvironment(mine);
        var e = assertThrows(IllegalStateException.class,
                () -> store.upsertEnvironment(environment("env-1", "B", 2_000, 'b')));
        assertTrue(e.getMessage().contains("another tenant"), e.getMessage());
        assertEquals(Optional.of(mine), store.findEnvironment("env-1"));
        assertEquals(List.of(), store.listEnvironments("B"));
    }

    @Test
    void environmentsAreListedNewestFirstPerTenant() {
        var store = open();
        store.upsertEnvironment(environment("env-old", "A", 1_000, 'a'));
        store.upsertEnvironment(environment("env-new", "A", 3_000, 'b'));
        store.upsertEnvironment(environment("env-mid", "A", 2_000, 'c'));
        store.upsertEnvironment(environment("env-b", "B", 4_000, 'd'));
        assertEquals(List.of("env-new", "env-mid", "env-old"),
                store.listEnvironments("A").stream().map(EnvironmentRecord::id).toList());
        assertEquals(List.of("env-b"), store.listEnvironments("B").stream().map(EnvironmentRecord::id).toList());
        assertEquals(List.of(), store.listEnvironments("C"));
    }

    @Test
    void deletingAnEnvironmentWorksOnce() {
        var store = open();
        store.upsertEnvironment(environment("env-1", "A", 1_000, 'a'));
        store.upsertEnvironment(environment("env-2", "A", 2_000, 'b'));
        assertTrue(store.deleteEnvironment("env-1"));
        assertFalse(store.deleteEnvironment("env-1"));
        assertFalse(store.deleteEnvironment("nope"));
        assertEquals(Optional.empty(), store.findEnvironment("env-1"));
        assertEquals(List.of("env-2"), store.listEnvironments("A").stream().map(EnvironmentRecord::id).toList());
    }

    // --- referenced blobs ---

    @Test
    void referencedBlobsAreThoseOfEveryArtifactAndEnvironment() {
        var store = open();
        assertEquals(Set.of(), store.referencedBlobs());
        store.insertArtifact(artifact("art-1", "c-1", 1, 'a'));
        store.insertArtifact(artifact("art-2", "c-2", 2, 'a'));
        store.insertArtifact(artifact("art-3", "c-2", 3, 'b'));
        store.upsertEnvironment(environment("env-1", "A", 1, 'c'));
        store.upsertEnvironment(environment("env-2", "B", 1, 'b'));
        assertEquals(Set.of(sha('a'), sha('b'), sha('c')), store.referencedBlobs());

        store.upsertEnvironment(environment("env-1", "A", 1, 'd'));
        assertEquals(Set.of(sha('a'), sha('b'), sha('d')), store.referencedBlobs(), "the replaced state is let go");
        store.deleteEnvironment("env-2");
        assertEquals(Set.of(sha('a'), sha('b'), sha('d')), store.referencedBlobs(), "art-3 still holds b");
        store.deleteEnvironment("env-1");
        assertEquals(Set.of(sha('a'), sha('b')), store.referencedBlobs());
    }

    // --- durability of everything at once ---

    @Test
    void artifactsAndEnvironmentsSurviveCloseAndReopen() {
        var first = open();
        var a = artifact("art-1", "c-1", 1_000, 'a');
        var e = environment("env-1", "A", 2_000, 'b');
        first.insertArtifact(a);
        first.upsertEnvironment(e);
        closeAll();
        var second = open();
        assertEquals(Optional.of(a), second.findArtifact("c-1", "art-1"));
        assertEquals(Optional.of(e), second.findEnvironment("env-1"));
        assertEquals(Set.of(sha('a'), sha('b')), second.referencedBlobs());
    }

    // --- upgrading a database of the previous version ---

    @Test
    void aVersionOneDatabaseIsUpgradedWithItsComputersKept() throws Exception {
        String v1;
        try (var in = Migrations.class.getResourceAsStream("migrations/V001__initial.sql")) {
            v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var created = ms(1_000);
        var computer = new ComputerRecord("c-old", "A", "browser", "chromium", ComputerStatus.RUNNING, created, created,
                3600, 300, true, false, 1280, 720, 1.0, null, null, null);
        try (var c = target.raw(); var st = c.createStatement()) {
            for (var sql : Migrations.statements(v1)) st.execute(sql);
            st.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, script VARCHAR(200) NOT NULL,"
                    + " applied_at BIGINT NOT NULL)");
            st.execute("INSERT INTO schema_version VALUES (1, 'V001__initial.sql', 0)");
            st.execute("INSERT INTO computers (id, tenant_id, kind, engine, status, created_at, last_activity_at,"
                    + " max_lifetime_seconds, inactivity_timeout_seconds, idle_timeout_enabled, persistent, width, height,"
                    + " scale) VALUES ('c-old', 'A', 'browser', 'chromium', 'running', 1000, 1000, 3600, 300, TRUE, FALSE, 1280,"
                    + " 720, 1.0)");
        }
        var store = open();
        try (var c = target.raw(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            assertTrue(rs.next());
            assertEquals(Migrations.SCRIPTS.size(), rs.getInt(1));
        }
        assertEquals(Optional.of(computer), store.findComputer("c-old"));
        var e = store.appendEvent("c-old", "lifecycle", "resumed", "{}", ms(2_000));
        assertNotEquals(0, e.seq());
        assertEquals(List.of(e), store.listEvents("c-old", Optional.empty(), 5));
    }

    @Test
    void aComputersSecretIsKeptReplacedAndForgottenAcrossReopening() {
        var store = open();
        store.putSecret("comp_a", "upstream", java.util.Optional.of(new byte[] {1, 2, 3}));
        store.putSecret("comp_a", "upstream", java.util.Optional.of(new byte[] {4, 5}));
        store.putSecret("comp_b", "upstream", java.util.Optional.of(new byte[] {9}));
        var again = open();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {4, 5}, again.getSecret("comp_a", "upstream").orElseThrow());
        again.putSecret("comp_a", "upstream", java.util.Optional.empty());
        org.junit.jupiter.api.Assertions.assertTrue(again.getSecret("comp_a", "upstream").isEmpty());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {9}, again.getSecret("comp_b", "upstream").orElseThrow());
        org.junit.jupiter.api.Assertions.assertTrue(again.getSecret("comp_b", "other").isEmpty());
    }
}
