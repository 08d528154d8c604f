package io.porthole.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.NodeRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's part of the cluster: nodes, heartbeats, who runs which computer, shared keys; on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class JdbcStoreNodesTest {
    private static final Set<ComputerStatus> LIVE = EnumSet.of(ComputerStatus.STARTING, ComputerStatus.RUNNING,
            ComputerStatus.PAUSED);
    private static final Set<String> ALIVE = Set.of(NodeRecord.UP, NodeRecord.DRAINING);

    @Parameter
    Backend backend;
    @TempDir
    Path dir;
    private Backend.Target target;
    JdbcStore store;

    @BeforeEach
    void open() {
        target = backend.target(dir);
        store = target.open();
    }

    @AfterEach
    void close() {
        store.close();
        target.close();
    }

    private static NodeRecord node(String id, String state, long heartbeatMillis) {
        return new NodeRecord(id, "http://10.0.0.1:8844", state, 4, 3, 1, Instant.ofEpochMilli(1000),
                Instant.ofEpochMilli(heartbeatMillis));
    }

    private static ComputerRecord computer(String id, ComputerStatus status, String node) {
        var at = Instant.ofEpochMilli(5000);
        return new ComputerRecord(id, "t", "browser", "chromium", status, at, at, 3600, 300, true, false, 1280, 720,
                1.0, null, status.isLive() ? null : at, status.isLive() ? null : "x", null, "{}", node);
    }

    @Test
    void aNodeIsStoredReplacedAndListedById() {
        store.upsertNode(node("b", NodeRecord.UP, 2000));
        store.upsertNode(node("a", NodeRecord.UP, 2000));
        store.upsertNode(new NodeRecord("b", "http://10.0.0.2:9000", NodeRecord.DRAINING, 8, 0, 2,
                Instant.ofEpochMilli(3000), Instant.ofEpochMilli(4000)));
        assertEquals(List.of("a", "b"), store.listNodes().stream().map(NodeRecord::id).toList());
        var b = store.findNode("b").orElseThrow();
        assertEquals("http://10.0.0.2:9000", b.url());
        assertEquals(NodeRecord.DRAINING, b.state());
        assertEquals(8, b.capacity());
        assertEquals(Instant.ofEpochMilli(4000), b.heartbeatAt());
        assertEquals(Optional.empty(), store.findNode("c"));
    }

    @Test
    void aHeartbeatCountsOnlyForANodeThatIsUpOrDraining() {
        store.upsertNode(node("a", NodeRecord.UP, 2000));
        assertTrue(store.heartbeatNode("a", Instant.ofEpochMilli(3000), 5, 2, 3));
        var a = store.findNode("a").orElseThrow();
        assertEquals(Instant.ofEpochMilli(3000), a.heartbeatAt());
        assertEquals(5, a.capacity());
        assertEquals(2, a.free());
        assertEquals(3, a.live());
        assertTrue(store.moveNode("a", ALIVE, NodeRecord.DOWN, Optional.empty()));
        assertFalse(store.heartbeatNode("a", Instant.ofEpochMilli(4000), 5, 2, 3), "a node marked down must register again");
        assertFalse(store.heartbeatNode("nobody", Instant.ofEpochMilli(4000), 5, 2, 3));
    }

    @Test
    void onlyOneMarksASilentNodeDownAndOnlyIfItIsSilent() {
        store.upsertNode(node("a", NodeRecord.UP, 2000));
        assertFalse(store.moveNode("a", ALIVE, NodeRecord.DOWN, Optional.of(Instant.ofEpochMilli(2000))),
                "heard from at the limit: not silent");
        assertTrue(store.moveNode("a", ALIVE, NodeRecord.DOWN, Optional.of(Instant.ofEpochMilli(2001))));
        assertFalse(store.moveNode("a", ALIVE, NodeRecord.DOWN, Optional.of(Instant.ofEpochMilli(2001))),
                "a second watcher finds it down already");
        assertEquals(NodeRecord.DOWN, store.findNode("a").orElseThrow().state());
        assertFalse(store.moveNode("a", Set.of(), NodeRecord.UP, Optional.empty()));
    }

    @Test
    void onlyTheFirstEndOfALiveComputerIsWrittenWithItsEvent() {
        store.insertComputer(computer("c1", ComputerStatus.RUNNING, "a"));
        var live = store.findComputer("c1").orElseThrow();
        var first = store.endComputerWithEvent(live.ended(ComputerStatus.FAILED, Instant.ofEpochMilli(9000), "node_lost"),
                "lifecycle", "crashed", "{\"reason\":\"node_lost\"}", Instant.ofEpochMilli(9000));
        assertTrue(first.isPresent());
        var second = store.endComputerWithEvent(live.ended(ComputerStatus.TERMINATED, Instant.ofEpochMilli(9500), "deleted"),
                "lifecycle", "closed", "{}", Instant.ofEpochMilli(9500));
        assertTrue(second.isEmpty(), "ended already: nothing written");
        var stored = store.findComputer("c1").orElseThrow();
        assertEquals(ComputerStatus.FAILED, stored.status());
        assertEquals("node_lost", stored.terminationReason());
        assertEquals(Instant.ofEpochMilli(9000), stored.terminatedAt());
        assertEquals("a", stored.nodeId());
        assertEquals(List.of("crashed"), store.listEvents("c1", Optional.empty(), 10).stream()
                .map(io.porthole.core.store.ReplayEvent::type).toList());
        assertTrue(store.endComputerWithEvent(computer("nobody", ComputerStatus.FAILED, "a"), "lifecycle", "crashed", "{}",
                Instant.ofEpochMilli(1)).isEmpty(), "no such computer: nothing written");
    }

    @Test
    void computersAreListedAndCountedByNode() {
        store.insertComputer(computer("c1", ComputerStatus.RUNNING, "a"));
        store.insertComputer(computer("c2", ComputerStatus.PAUSED, "a"));
        store.insertComputer(computer("c3", ComputerStatus.TERMINATED, "a"));
        store.insertComputer(computer("c4", ComputerStatus.RUNNING, "b"));
        store.insertComputer(computer("c5", ComputerStatus.RUNNING, null));
        assertEquals(Set.of("c1", "c2"), Set.copyOf(store.listComputersOnNode("a", LIVE).stream().map(ComputerRecord::id).toList()));
        assertEquals("a", store.findComputer("c1").orElseThrow().nodeId());
        assertNull(store.findComputer("c5").orElseThrow().nodeId());
        assertEquals(4, store.countComputers(LIVE));
        assertEquals(1, store.claimUnownedComputers("b"), "the record from before nodes were kept");
        assertEquals("b", store.findComputer("c5").orElseThrow().nodeId());
        assertEquals(0, store.claimUnownedComputers("a"));
        // an update keeps the owner the record names
        store.updateComputer(store.findComputer("c1").orElseThrow().ended(ComputerStatus.FAILED, Instant.ofEpochMilli(9000), "node_lost"));
        assertEquals("a", store.findComputer("c1").orElseThrow().nodeId());
        assertEquals(List.of("c2"), store.listComputersOnNode("a", LIVE).stream().map(ComputerRecord::id).toList());
    }

    @Test
    void serversStartingAtOnceAgreeOnOneSharedKeyAndOneNodeRecord() throws Exception {
        var others = List.of(target.open(), target.open(), target.open());
        try (var pool = Executors.newFixedThreadPool(others.size())) {
            var start = new CountDownLatch(1);
            var futures = new ArrayList<Future<String>>();
            for (int i = 0; i < others.size(); i++) {
                var s = others.get(i);
                var candidate = "candidate-" + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    s.upsertNode(node("shared-node", NodeRecord.UP, 1000));
                    return s.sharedKey("cluster-secret", candidate);
                }));
            }
            start.countDown();
            var keys = new HashSet<String>();
            for (var f : futures) keys.add(f.get(60, TimeUnit.SECONDS));
            assertEquals(1, keys.size(), keys.toString());
            assertEquals(List.of("shared-node"), store.listNodes().stream().map(NodeRecord::id).toList());
        } finally {
            others.forEach(JdbcStore::close);
        }
    }

    @Test
    void aSharedKeyIsTheFirstOneStored() {
        assertEquals("first", store.sharedKey("cluster-secret", "first"));
        assertEquals("first", store.sharedKey("cluster-secret", "second"));
        assertEquals("other", store.sharedKey("state-key", "other"));
    }
}
