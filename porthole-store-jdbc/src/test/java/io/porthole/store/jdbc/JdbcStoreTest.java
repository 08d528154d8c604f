package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.ApiKeyRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
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
 * Computers, API keys, opening and migrating: the store on SQLite and on PostgreSQL, each test on a database of
 * its own. What only one of them does is in {@link SqliteStoreTest} and {@link PostgresStoreTest}.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class JdbcStoreTest {
    private static final Set<ComputerStatus> ALL = EnumSet.allOf(ComputerStatus.class);
    private static final Set<ComputerStatus> LIVE = EnumSet.of(ComputerStatus.STARTING, ComputerStatus.RUNNING);

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

    private static ComputerRecord computer(String id, String tenant, ComputerStatus status, long createdAtMillis,
                                           boolean persistent) {
        var created = Instant.ofEpochMilli(createdAtMillis);
        return new ComputerRecord(id, tenant, "browser", "chromium", status, created, created.plusSeconds(5), 3600,
                300, true, persistent, 1280, 720, 1.0, null, null, null);
    }

    private static ComputerRecord computer(String id, String tenant, ComputerStatus status, long createdAtMillis) {
        return computer(id, tenant, status, createdAtMillis, false);
    }

    private static ApiKeyRecord key(String id, String tenant, String hash, long createdAtMillis) {
        return new ApiKeyRecord(id, tenant, "key " + id, "ph_" + id, hash, false, Instant.ofEpochMilli(createdAtMillis),
                null);
    }

    private static String hash(char c) {
        return String.valueOf(c).repeat(64);
    }

    private static List<String> ids(List<ComputerRecord> records) {
        return records.stream().map(ComputerRecord::id).toList();
    }

    private Connection raw() throws SQLException {
        return target.raw();
    }

    private List<String> schemaVersions() throws SQLException {
        try (var c = raw(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT version, script, applied_at FROM schema_version ORDER BY version")) {
            var out = new ArrayList<String>();
            while (rs.next()) out.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getLong(3));
            return out;
        }
    }

    // --- opening and migrations ---

    /** Every table of the latest schema, with those the database keeps for itself. */
    private List<String> expectedTables() {
        var all = new ArrayList<>(List.of("api_keys", "artifacts", "computer_secrets", "computers", "environments", "events",
                "nodes", "schema_version", "shared_keys", "viewer_links"));
        all.addAll(target.ownTables());
        Collections.sort(all);
        return all;
    }

    @Test
    void openingCreatesTheSchemaAtTheLatestVersion() throws SQLException {
        open().close();
        opened.clear();
        assertEquals(expectedTables(), target.tables());
        var versions = schemaVersions();
        assertEquals(Migrations.SCRIPTS.size(), versions.size(), versions.toString());
        assertTrue(versions.get(0).startsWith("1 V001__initial.sql "), versions.toString());
        assertTrue(versions.get(1).startsWith("2 V002__events_artifacts_environments.sql "), versions.toString());
    }

    @Test
    void reopeningDoesNotMigrateAgain() throws SQLException {
        open().close();
        opened.clear();
        var afterFirst = schemaVersions();
        open().close();
        opened.clear();
        open().close();
        opened.clear();
        assertEquals(afterFirst, schemaVersions());
        assertEquals(expectedTables(), target.tables());
    }

    @Test
    void twoStoresOpenOnTheSameDatabaseMigrateOnceAndSeeEachOthersWrites() throws SQLException {
        var a = open();
        var b = open();
        assertEquals(Migrations.SCRIPTS.size(), schemaVersions().size());
        a.insertComputer(computer("c-1", "t", ComputerStatus.RUNNING, 1_000));
        assertEquals(Optional.of(computer("c-1", "t", ComputerStatus.RUNNING, 1_000)), b.findComputer("c-1"));
    }

    @Test
    void aDatabaseFromANewerBuildIsRefused() throws SQLException {
        int future = Migrations.SCRIPTS.size() + 1;
        open().close();
        opened.clear();
        try (var c = raw(); var st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version, script, applied_at) VALUES (" + future
                    + ", 'V" + future + "__future.sql', 0)");
        }
        var e = assertThrows(IllegalStateException.class, this::open);
        assertTrue(e.getMessage().contains("schema version " + future), e.getMessage());
    }

    // --- computers ---

    @Test
    void aComputerRoundTripsEveryField() {
        var store = open();
        var r = new ComputerRecord("c-full", "tenant-a", "browser", "chromium", ComputerStatus.TERMINATED,
                Instant.ofEpochMilli(1_700_000_000_123L), Instant.ofEpochMilli(1_700_000_060_456L), 7200, 90, false,
                true, 1920, 1080, 1.5, "env-42", Instant.ofEpochMilli(1_700_000_120_789L),
                "idle for 90 s — «terminated» 'quoted'");
        store.insertComputer(r);
        assertEquals(Optional.of(r), store.findComputer("c-full"));
    }

    @Test
    void aComputersIdentityRoundTripsAndSurvivesUpdates() {
        var store = open();
        var identity = new io.porthole.core.browser.Identity("Europe/Berlin", "de-DE", List.of("de-DE", "de", "en"),
                Optional.of(new io.porthole.core.browser.Identity.Geolocation(52.52, 13.405, 50)), 1920, 1080);
        var requested = new io.porthole.core.IdentityRequest(Optional.of("Europe/Berlin"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(false));
        var r = computer("c-identity", "tenant-a", ComputerStatus.STARTING, 1_000).withIdentity(identity, requested);
        store.insertComputer(r);
        var found = store.findComputer("c-identity").orElseThrow();
        assertEquals(r, found);
        assertEquals(Optional.of(identity), found.identity());
        assertEquals(requested, found.identityRequested());
        store.updateComputer(found.withStatus(ComputerStatus.RUNNING).withActivity(Instant.ofEpochMilli(9_000)));
        assertEquals(Optional.of(identity), store.findComputer("c-identity").orElseThrow().identity());
        assertEquals(Optional.empty(), computer("c-none", "t", ComputerStatus.RUNNING, 1).identity(), "none kept: none");
    }

    @Test
    void nullOptionalFieldsRoundTripAsNull() {
        var store = open();
        var r = computer("c-nulls", "tenant-a", ComputerStatus.RUNNING, 1_000);
        store.insertComputer(r);
        var found = store.findComputer("c-nulls").orElseThrow();
        assertEquals(r, found);
        assertEquals(null, found.environmentId());
        assertEquals(null, found.terminatedAt());
        assertEquals(null, found.terminationReason());
    }

    @Test
    void anEpochZeroTerminationIsNotMistakenForNull() {
        var store = open();
        var r = computer("c-zero", "t", ComputerStatus.FAILED, 0).ended(ComputerStatus.FAILED, Instant.EPOCH, "");
        store.insertComputer(r);
        var found = store.findComputer("c-zero").orElseThrow();
        assertEquals(Instant.EPOCH, found.terminatedAt());
        assertEquals("", found.terminationReason());
    }

    @Test
    void timestampsAreKeptToTheMillisecond() {
        var store = open();
        var precise = Instant.parse("2026-01-02T03:04:05.123456789Z");
        var r = new ComputerRecord("c-ms", "t", "browser", "chromium", ComputerStatus.RUNNING, precise, precise, 60,
                60, true, false, 800, 600, 2.0, null, null, null);
        store.insertComputer(r);
        var found = store.findComputer("c-ms").orElseThrow();
        assertEquals(Instant.parse("2026-01-02T03:04:05.123Z"), found.createdAt());
        assertEquals(Instant.parse("2026-01-02T03:04:05.123Z"), found.lastActivityAt());
    }

    @Test
    void anUnknownComputerIsNotFound() {
        assertEquals(Optional.empty(), open().findComputer("nope"));
    }

    @Test
    void aComputerIdIsUnique() {
        var store = open();
        store.insertComputer(computer("c-1", "t", ComputerStatus.RUNNING, 1_000));
        assertThrows(IllegalStateException.class,
                () -> store.insertComputer(computer("c-1", "other", ComputerStatus.STARTING, 2_000)));
        assertEquals("t", store.findComputer("c-1").orElseThrow().tenantId());
    }

    @Test
    void updateReplacesEveryField() {
        var store = open();
        var original = computer("c-1", "t", ComputerStatus.STARTING, 1_000);
        store.insertComputer(original);
        var updated = new ComputerRecord("c-1", "t2", "desktop", "chromium", ComputerStatus.TERMINATED,
                Instant.ofEpochMilli(1_500), Instant.ofEpochMilli(9_000), 120, 30, false, true, 1024, 768, 2.0,
                "env-7", Instant.ofEpochMilli(10_000), "deleted by the client");
        store.updateComputer(updated);
        assertEquals(Optional.of(updated), store.findComputer("c-1"));
    }

    @Test
    void updateCanClearTheOptionalFields() {
        var store = open();
        var full = new ComputerRecord("c-1", "t", "browser", "chromium", ComputerStatus.PAUSED,
                Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(2_000), 60, 60, true, false, 800, 600, 1.0, "env",
                Instant.ofEpochMilli(3_000), "a reason", "template", "{\"k\":\"v\"}");
        store.insertComputer(full);
        var cleared = computer("c-1", "t", ComputerStatus.RUNNING, 1_000);
        store.updateComputer(cleared);
        assertEquals(Optional.of(cleared), store.findComputer("c-1"));
    }

    @Test
    void aLiveRecordNeverReplacesAnEndedOne() {
        var store = open();
        var running = computer("c-1", "t", ComputerStatus.RUNNING, 1_000);
        store.insertComputer(running);
        var ended = running.ended(ComputerStatus.TERMINATED, Instant.ofEpochMilli(5_000), "deleted");
        store.updateComputer(ended);
        // a write of its activity, read before the end and made after it
        store.updateComputer(running.withActivity(Instant.ofEpochMilli(4_000)));
        assertEquals(Optional.of(ended), store.findComputer("c-1"));
        // an ended record may still be written over an ended one (a restart's sweep)
        var failed = running.ended(ComputerStatus.FAILED, Instant.ofEpochMilli(6_000), "sandbox_exited");
        store.updateComputer(failed);
        assertEquals(Optional.of(failed), store.findComputer("c-1"));
    }

    @Test
    void theWithMethodsPersistThroughUpdate() {
        var store = open();
        var r = computer("c-1", "t", ComputerStatus.STARTING, 1_000);
        store.insertComputer(r);
        var running = r.withStatus(ComputerStatus.RUNNING).withActivity(Instant.ofEpochMilli(5_000))
                .withViewport(640, 480, 1.25);
        store.updateComputer(running);
        assertEquals(Optional.of(running), store.findComputer("c-1"));
        var ended = running.ended(ComputerStatus.TERMINATED, Instant.ofEpochMilli(6_000), "max lifetime");
        store.updateComputer(ended);
        assertEquals(Optional.of(ended), store.findComputer("c-1"));
    }

    @Test
    void updatingAnUnknownComputerStoresNothing() {
        var store = open();
        store.updateComputer(computer("ghost", "t", ComputerStatus.RUNNING, 1_000));
        assertEquals(Optional.empty(), store.findComputer("ghost"));
    }

    @Test
    void listComputersFiltersByTenantAndStatusNewestFirst() {
        var store = open();
        store.insertComputer(computer("a-old-running", "A", ComputerStatus.RUNNING, 1_000));
        store.insertComputer(computer("a-terminated", "A", ComputerStatus.TERMINATED, 2_000));
        store.insertComputer(computer("a-new-starting", "A", ComputerStatus.STARTING, 3_000));
        store.insertComputer(computer("a-failed", "A", ComputerStatus.FAILED, 2_500));
        store.insertComputer(computer("b-running", "B", ComputerStatus.RUNNING, 4_000));

        assertEquals(List.of("a-new-starting", "a-old-running"), ids(store.listComputers("A", LIVE)));
        assertEquals(List.of("a-new-starting", "a-failed", "a-terminated", "a-old-running"),
                ids(store.listComputers("A", ALL)));
        assertEquals(List.of("a-terminated"), ids(store.listComputers("A", EnumSet.of(ComputerStatus.TERMINATED))));
        assertEquals(List.of("b-running"), ids(store.listComputers("B", ALL)));
        assertEquals(List.of(), store.listComputers("A", EnumSet.noneOf(ComputerStatus.class)));
        assertEquals(List.of(), store.listComputers("nobody", ALL));
    }

    @Test
    void listingFollowsStatusChanges() {
        var store = open();
        var r = computer("c-1", "A", ComputerStatus.RUNNING, 1_000);
        store.insertComputer(r);
        assertEquals(List.of("c-1"), ids(store.listComputers("A", LIVE)));
        store.updateComputer(r.ended(ComputerStatus.TERMINATED, Instant.ofEpochMilli(2_000), "deleted"));
        assertEquals(List.of(), store.listComputers("A", LIVE));
        assertEquals(List.of("c-1"), ids(store.listComputers("A", EnumSet.of(ComputerStatus.TERMINATED))));
    }

    @Test
    void listPersistentComputersIsTheTenantsPersistentOnesNewestFirstInAnyStatus() {
        var store = open();
        store.insertComputer(computer("p-old", "A", ComputerStatus.TERMINATED, 1_000, true));
        store.insertComputer(computer("not-persistent", "A", ComputerStatus.RUNNING, 2_000, false));
        store.insertComputer(computer("p-new", "A", ComputerStatus.RUNNING, 3_000, true));
        store.insertComputer(computer("p-other-tenant", "B", ComputerStatus.RUNNING, 4_000, true));

        assertEquals(List.of("p-new", "p-old"), ids(store.listPersistentComputers("A")));
        assertEquals(List.of("p-other-tenant"), ids(store.listPersistentComputers("B")));
        assertEquals(List.of(), store.listPersistentComputers("C"));
    }

    @Test
    void listComputersInStatusSpansTenantsNewestFirst() {
        var store = open();
        store.insertComputer(computer("a-running", "A", ComputerStatus.RUNNING, 1_000));
        store.insertComputer(computer("b-starting", "B", ComputerStatus.STARTING, 3_000));
        store.insertComputer(computer("c-running", "C", ComputerStatus.RUNNING, 2_000));
        store.insertComputer(computer("a-terminated", "A", ComputerStatus.TERMINATED, 4_000));

        assertEquals(List.of("b-starting", "c-running", "a-running"), ids(store.listComputersInStatus(LIVE)));
        assertEquals(List.of("a-terminated"), ids(store.listComputersInStatus(EnumSet.of(ComputerStatus.TERMINATED))));
        assertEquals(List.of(), store.listComputersInStatus(EnumSet.of(ComputerStatus.FAILED)));
        assertEquals(List.of(), store.listComputersInStatus(EnumSet.noneOf(ComputerStatus.class)));
    }

    @Test
    void concurrentWritersAllLand() throws Exception {
        var store = open();
        var tasks = new ArrayList<Callable<Void>>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            tasks.add(() -> {
                store.insertComputer(computer("c-" + n, "t", ComputerStatus.RUNNING, 1_000 + n));
                store.updateComputer(computer("c-" + n, "t", ComputerStatus.TERMINATED, 1_000 + n));
                return null;
            });
        }
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (var f : pool.invokeAll(tasks, 30, TimeUnit.SECONDS)) f.get();
        }
        var all = store.listComputersInStatus(EnumSet.of(ComputerStatus.TERMINATED));
        assertEquals(50, all.size());
        assertEquals(50, new HashSet<>(ids(all)).size());
        assertEquals("c-49", all.get(0).id());
    }

    // --- API keys ---

    @Test
    void anApiKeyIsFoundByItsHash() {
        var store = open();
        var k = new ApiKeyRecord("k-1", "tenant-a", "CI key", "ph_live_ab", hash('a'), true,
                Instant.ofEpochMilli(1_700_000_000_000L), null);
        store.insertApiKey(k);
        assertEquals(Optional.of(k), store.findApiKeyByHash(hash('a')));
        assertFalse(store.findApiKeyByHash(hash('a')).orElseThrow().revoked());
        assertEquals(Optional.empty(), store.findApiKeyByHash(hash('b')));
    }

    @Test
    void aRevokedApiKeyRoundTrips() {
        var store = open();
        var k = new ApiKeyRecord("k-1", "t", "old", "ph_x", hash('c'), false, Instant.ofEpochMilli(1_000),
                Instant.ofEpochMilli(2_000));
        store.insertApiKey(k);
        assertEquals(Optional.of(k), store.findApiKeyByHash(hash('c')));
    }

    @Test
    void apiKeysAreListedOldestFirst() {
        var store = open();
        store.insertApiKey(key("k-new", "A", hash('1'), 3_000));
        store.insertApiKey(key("k-old", "B", hash('2'), 1_000));
        store.insertApiKey(key("k-mid", "A", hash('3'), 2_000));
        assertEquals(List.of("k-old", "k-mid", "k-new"), store.listApiKeys().stream().map(ApiKeyRecord::id).toList());
    }

    @Test
    void noApiKeysListsNothing() {
        assertEquals(List.of(), open().listApiKeys());
    }

    @Test
    void revokingAKeyWorksOnceAndKeepsTheRecord() {
        var store = open();
        store.insertApiKey(key("k-1", "A", hash('d'), 1_000));
        assertTrue(store.revokeApiKey("k-1", Instant.ofEpochMilli(5_000)));
        assertEquals(Instant.ofEpochMilli(5_000), store.findApiKeyByHash(hash('d')).orElseThrow().revokedAt());
        assertFalse(store.revokeApiKey("k-1", Instant.ofEpochMilli(6_000)));
        assertEquals(Instant.ofEpochMilli(5_000), store.findApiKeyByHash(hash('d')).orElseThrow().revokedAt(),
                "a second revoke does not move the date");
        assertEquals(1, store.listApiKeys().size());
    }

    @Test
    void revokingAnUnknownKeyIsFalse() {
        assertFalse(open().revokeApiKey("nope", Instant.ofEpochMilli(1)));
    }

    @Test
    void revokingOneKeyLeavesTheOthers() {
        var store = open();
        store.insertApiKey(key("k-1", "A", hash('e'), 1_000));
        store.insertApiKey(key("k-2", "A", hash('f'), 2_000));
        assertTrue(store.revokeApiKey("k-1", Instant.ofEpochMilli(3_000)));
        assertFalse(store.findApiKeyByHash(hash('f')).orElseThrow().revoked());
    }

    @Test
    void twoKeysCannotShareAHashOrAnId() {
        var store = open();
        store.insertApiKey(key("k-1", "A", hash('g'), 1_000));
        assertThrows(IllegalStateException.class, () -> store.insertApiKey(key("k-2", "B", hash('g'), 2_000)));
        assertThrows(IllegalStateException.class, () -> store.insertApiKey(key("k-1", "B", hash('h'), 2_000)));
        assertEquals(1, store.listApiKeys().size());
    }

    // --- durability ---

    @Test
    void recordsSurviveCloseAndReopen() {
        var first = open();
        var c = new ComputerRecord("c-durable", "A", "browser", "chromium", ComputerStatus.RUNNING,
                Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(2_000), 3600, 300, true, true, 1280, 720, 1.0,
                "env-1", null, null);
        var k = key("k-durable", "A", hash('9'), 1_000);
        first.insertComputer(c);
        first.insertApiKey(k);
        assertTrue(first.revokeApiKey("k-durable", Instant.ofEpochMilli(3_000)));
        first.close();
        opened.clear();

        var second = open();
        assertEquals(Optional.of(c), second.findComputer("c-durable"));
        assertEquals(List.of("c-durable"), ids(second.listPersistentComputers("A")));
        assertEquals(Optional.of(new ApiKeyRecord("k-durable", "A", "key k-durable", "ph_k-durable", hash('9'), false,
                Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(3_000))), second.findApiKeyByHash(hash('9')));
    }

    @Test
    void aClosedStoreRefusesWork() {
        var store = open();
        store.close();
        opened.clear();
        assertThrows(IllegalStateException.class, () -> store.findComputer("c-1"));
        assertThrows(IllegalStateException.class, store::listApiKeys);
    }
}
