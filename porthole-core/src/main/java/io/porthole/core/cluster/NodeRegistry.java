package io.porthole.core.cluster;

import io.porthole.core.ComputerStatus;
import io.porthole.core.Computers;
import io.porthole.core.LogContext;
import io.porthole.core.internal.Threads;
import io.porthole.core.store.NodeRecord;
import io.porthole.core.store.ReplayEvent;
import io.porthole.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node in the store's table of nodes, and its watch over the others (ADR 0026). It registers at start,
 * heartbeats with its capacity and free places, marks a node that has been silent for {@code downAfter} as down and
 * fails that node's live computers ({@code node_lost}), registers again if it finds itself marked down (ending what
 * others failed meanwhile), and picks the node a create goes to. Thread-safe.
 */
public final class NodeRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeRegistry.class.getName());
    private static final Set<ComputerStatus> LIVE = EnumSet.of(ComputerStatus.STARTING, ComputerStatus.RUNNING,
            ComputerStatus.PAUSED);
    private static final Set<String> ALIVE = Set.of(NodeRecord.UP, NodeRecord.DRAINING);
    /** The reason a computer's record gets when its node is lost. */
    public static final String NODE_LOST = "node_lost";

    private final Store store;
    private final Computers computers;
    private final String url;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration downAfter;
    private final Instant startedAt;
    private final ScheduledExecutorService beat = Threads.scheduler("porthole-heartbeat");
    private volatile boolean left;
    /** The nodes as the last heartbeat found them. */
    private volatile List<NodeRecord> known = List.of();

    /**
     * Registers the node (up) and starts its heartbeat.
     *
     * @param url where the other nodes reach this one (its advertised internal URL)
     */
    public NodeRegistry(Store store, Computers computers, String url, Clock clock, Duration heartbeat, Duration downAfter) {
        this.store = store;
        this.computers = computers;
        this.url = url;
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.downAfter = downAfter;
        this.startedAt = clock.instant();
        register();
        known = store.listNodes();
        beat.scheduleWithFixedDelay(this::tick, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String nodeId() {
        return computers.nodeId();
    }

    public String url() {
        return url;
    }

    /** How long a node may be silent before it counts as down. */
    public Duration downAfter() {
        return downAfter;
    }

    private void register() {
        var now = clock.instant();
        store.upsertNode(new NodeRecord(nodeId(), url, computers.draining() ? NodeRecord.DRAINING : NodeRecord.UP,
                computers.capacityLimit(), computers.freePlaces(), computers.liveCount(), startedAt, now));
    }

    /** This node as it is now (its counts fresh, not as last stored). */
    public NodeRecord self() {
        return new NodeRecord(nodeId(), url, left ? NodeRecord.LEFT : computers.draining() ? NodeRecord.DRAINING
                : NodeRecord.UP, computers.capacityLimit(), computers.freePlaces(), computers.liveCount(), startedAt,
                clock.instant());
    }

    /** Every node the store knows, this one with fresh counts. */
    public List<NodeRecord> nodes() {
        return store.listNodes().stream().map(n -> n.id().equals(nodeId()) ? self() : n).toList();
    }

    /** A node by id; this one with fresh counts. */
    public Optional<NodeRecord> node(String id) {
        return id.equals(nodeId()) ? Optional.of(self()) : store.findNode(id);
    }

    /** Every node as the last heartbeat found it (no query): for what must not wait on the store. */
    public List<NodeRecord> known() {
        return known;
    }

    /** Whether {@code n} is up or draining and has been heard from lately: worth forwarding a request to. */
    public boolean reachable(NodeRecord n) {
        return ALIVE.contains(n.state()) && !silent(n, clock.instant());
    }

    private boolean silent(NodeRecord n, Instant now) {
        return n.heartbeatAt().isBefore(now.minus(downAfter));
    }

    /**
     * The node a create should go to: of the nodes that are up, heard from lately and have a free place, the one
     * with the most, this one first when tied. Empty when none has room.
     */
    public Optional<NodeRecord> place() {
        var now = clock.instant();
        var me = self();
        return nodes().stream()
                .filter(n -> n.id().equals(me.id()) || (n.takesComputers() && !silent(n, now)))
                .filter(n -> n.takesComputers() && n.free() > 0)
                .max(Comparator.comparingInt(NodeRecord::free).thenComparing(n -> n.id().equals(me.id())));
    }

    /** One heartbeat: this node's, then a look at the others'. */
    void tick() {
        if (left) return;
        try {
            var now = clock.instant();
            if (!store.heartbeatNode(nodeId(), now, computers.capacityLimit(), computers.freePlaces(),
                    computers.liveCount())) {
                // another node marked this one down (it was cut off, or paused)
                LOG.log(System.Logger.Level.WARNING, "this node had been marked down by another; registering again");
                register();
            }
            // what another node failed meanwhile must not run on here
            computers.reconcile();
            watchOthers(now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "heartbeat failed: {0}", e.getMessage());
        }
    }

    /** Marks silent nodes down and fails the live computers of every node that is down. */
    private void watchOthers(Instant now) {
        var nodes = store.listNodes();
        known = nodes;
        for (var n : nodes) {
            if (n.id().equals(nodeId())) continue;
            if (ALIVE.contains(n.state()) && silent(n, now)
                    && store.moveNode(n.id(), ALIVE, NodeRecord.DOWN, Optional.of(now.minus(downAfter)))) {
                LOG.log(System.Logger.Level.WARNING, "node {0} ({1}) has not been heard from for {2} ms: marked down",
                        n.id(), n.url(), Duration.between(n.heartbeatAt(), now).toMillis());
                failComputersOf(n.id(), now);
            } else if (n.state().equals(NodeRecord.DOWN)) {
                // the node that marked it may have died before it failed them all
                failComputersOf(n.id(), now);
            }
        }
    }

    private void failComputersOf(String node, Instant now) {
        for (var r : store.listComputersOnNode(node, LIVE)) {
            // another node may be failing the same computers: one end, one event
            if (store.endComputerWithEvent(r.ended(ComputerStatus.FAILED, now, NODE_LOST), ReplayEvent.LIFECYCLE,
                    "crashed", "{\"reason\":\"" + NODE_LOST + "\",\"node\":" + quoted(node) + "}", now).isPresent()) {
                LogContext.run(r.id(), r.tenantId(), () ->
                        LOG.log(System.Logger.Level.INFO, "computer {0} failed: {1} ({2})", r.id(), NODE_LOST, node));
            }
        }
    }

    private static String quoted(String s) {
        var out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    /** Marks the node draining (stored at once, so placement elsewhere skips it) and stops its creates. */
    public void drain() {
        computers.drain();
        store.moveNode(nodeId(), Set.of(NodeRecord.UP), NodeRecord.DRAINING, Optional.empty());
    }

    /** The node leaves the cluster (a drain is over): stored as left, no more heartbeats. */
    public void leave() {
        left = true;
        beat.shutdownNow();
        store.moveNode(nodeId(), ALIVE, NodeRecord.LEFT, Optional.empty());
    }

    /** Stops the heartbeat; the node's row stays as it is (a restart on the same directory is the same node). */
    @Override
    public void close() {
        beat.shutdownNow();
        try {
            beat.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The interval of the heartbeat. */
    public Duration heartbeat() {
        return heartbeat;
    }
}
