package io.porthole.core.store;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Seam: durable state (computers, API keys, replay events, artifact records, environments). Every write is
 * committed when the method returns. Implementations are thread-safe. Times are kept to the millisecond.
 */
public interface Store extends AutoCloseable {

    void insertComputer(ComputerRecord computer);

    /**
     * Replaces the stored record with the same id; except that a live record never replaces an ended one (a write
     * of its activity that lost a race with its end must not bring an ended computer back to life).
     */
    void updateComputer(ComputerRecord computer);

    Optional<ComputerRecord> findComputer(String id);

    /** The tenant's computers in any of {@code statuses}, newest first. */
    List<ComputerRecord> listComputers(String tenantId, Set<ComputerStatus> statuses);

    /** The tenant's computers created with {@code persistent: true}, newest first. */
    List<ComputerRecord> listPersistentComputers(String tenantId);

    /** Every computer, of any tenant, in one of {@code statuses} (for recovery at start). */
    List<ComputerRecord> listComputersInStatus(Set<ComputerStatus> statuses);

    /** The computers the node {@code nodeId} runs (or ran) that are in one of {@code statuses}, newest first. */
    List<ComputerRecord> listComputersOnNode(String nodeId, Set<ComputerStatus> statuses);

    /**
     * Gives the records that name no node (written before nodes were kept) to {@code nodeId}; returns how many. The
     * server that starts on the data directory they were made in is the one that ran them.
     */
    int claimUnownedComputers(String nodeId);

    /** How many computers, of every node and tenant, are in one of {@code statuses}. */
    int countComputers(Set<ComputerStatus> statuses);

    // --- nodes ---

    /** Stores the node, or replaces the one with its id (a node that starts again). */
    void upsertNode(NodeRecord node);

    Optional<NodeRecord> findNode(String id);

    /** Every node, in any state, by id. */
    List<NodeRecord> listNodes();

    /**
     * A heartbeat: the node's time, capacity and counts, if it is {@code up} or {@code draining}. False when it is not
     * (it was marked down, or is unknown): it must register again.
     */
    boolean heartbeatNode(String id, Instant at, int capacity, int free, int live);

    /**
     * Moves the node to {@code state} if it is in one of {@code from}; false (nothing changed) otherwise. With
     * {@code silentSince}, only if its last heartbeat is older than that (one node wins the marking of another down).
     */
    boolean moveNode(String id, Set<String> from, String state, Optional<Instant> silentSince);

    /**
     * The value of the key every node shares under {@code name}: the stored one, or {@code candidate}, stored now,
     * when there is none (of nodes starting at once, one candidate wins and every node gets it).
     */
    String sharedKey(String name, String candidate);

    void insertApiKey(ApiKeyRecord key);

    Optional<ApiKeyRecord> findApiKeyByHash(String keyHash);

    List<ApiKeyRecord> listApiKeys();

    /** Marks the key revoked; returns false if there is no such key or it was revoked already. */
    boolean revokeApiKey(String id, Instant at);

    // --- viewer links ---

    void insertViewerLink(ViewerLinkRecord link);

    /** The link whose token hashes to {@code tokenHash}, revoked and expired ones included. */
    Optional<ViewerLinkRecord> findViewerLinkByHash(String tokenHash);

    /** Every link of the computer, newest first. */
    List<ViewerLinkRecord> listViewerLinks(String computerId);

    /** Revokes a link of {@code computerId}; false if there is no such link or it was revoked already. */
    boolean revokeViewerLink(String computerId, String id, Instant at);

    // --- replay events ---

    /**
     * Appends an event to the computer's log and returns it as stored, with its {@code seq}: strictly greater
     * than every seq the store has handed out before. {@code dataJson} null or blank is stored as {@code "{}"};
     * it is stored as given, not parsed. {@code at} is kept to the millisecond.
     */
    ReplayEvent appendEvent(String computerId, String category, String type, String dataJson, Instant at);

    /**
     * {@link #insertComputer} and {@link #appendEvent} for it, committed together: both or neither, and one commit
     * where the store can (a create served from the warm pool writes only this before it is answered).
     */
    default ReplayEvent insertComputerWithEvent(ComputerRecord computer, String category, String type, String dataJson,
                                                Instant at) {
        insertComputer(computer);
        return appendEvent(computer.id(), category, type, dataJson, at);
    }

    /**
     * {@link #updateComputer} and {@link #appendEvent} for that computer, committed together: both or neither, and
     * one commit where the store can (a create's last write before it is answered).
     */
    default ReplayEvent updateComputerWithEvent(ComputerRecord computer, String category, String type, String dataJson,
                                                Instant at) {
        updateComputer(computer);
        return appendEvent(computer.id(), category, type, dataJson, at);
    }

    /**
     * Ends the computer as {@code ended} says (its status, end time and reason) and appends the event, committed
     * together, only if the stored computer is still live; empty, and nothing written, if it had ended already (of
     * nodes that fail the computers of a lost node at once, one writes the end).
     */
    Optional<ReplayEvent> endComputerWithEvent(ComputerRecord ended, String category, String type, String dataJson,
                                               Instant at);

    /**
     * The computer's events, newest (highest seq) first, at most {@code limit} (at least 1) of them. With
     * {@code beforeSeq}, only events with a seq below it: pass the last seq of one page to get the next.
     */
    List<ReplayEvent> listEvents(String computerId, Optional<Long> beforeSeq, int limit);

    // --- artifacts ---

    /** Stores the record; an id that is taken already is refused with an {@link IllegalStateException}. */
    void insertArtifact(ArtifactRecord artifact);

    /** The computer's artifacts, newest ({@code createdAt}) first; ties latest id first. */
    List<ArtifactRecord> listArtifacts(String computerId);

    /** The artifact if it exists and belongs to {@code computerId}. */
    Optional<ArtifactRecord> findArtifact(String computerId, String artifactId);

    // --- environments ---

    /**
     * Stores the environment, or replaces the one with the same id: its engine, sha256, size and updatedAt
     * change; its tenant and createdAt stay. An id that belongs to another tenant is refused with an
     * {@link IllegalStateException}, and nothing changes.
     */
    void upsertEnvironment(EnvironmentRecord environment);

    Optional<EnvironmentRecord> findEnvironment(String id);

    /** The tenant's environments, newest ({@code createdAt}) first; ties latest id first. */
    List<EnvironmentRecord> listEnvironments(String tenantId);

    /** Removes the environment; false if there was none. Its blob stays until garbage collection. */
    boolean deleteEnvironment(String id);

    // --- blobs ---

    /** Every blob (sha256) that an artifact or environment references: what blob garbage collection keeps. */
    Set<String> referencedBlobs();

    /** Keeps (or with empty, forgets) an encrypted value a computer needs again after a restart. */
    void putSecret(String computerId, String name, Optional<byte[]> sealed);

    Optional<byte[]> getSecret(String computerId, String name);

    @Override
    void close();
}
