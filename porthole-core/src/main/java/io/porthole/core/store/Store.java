package io.porthole.core.store;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Seam: durable state (computers, API keys; events and environments with later issues). Every write is
 * committed when the method returns. Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

    void insertComputer(ComputerRecord computer);

    /** Replaces the stored record with the same id. */
    void updateComputer(ComputerRecord computer);

    Optional<ComputerRecord> findComputer(String id);

    /** The tenant's computers in any of {@code statuses}, newest first. */
    List<ComputerRecord> listComputers(String tenantId, Set<ComputerStatus> statuses);

    /** The tenant's computers created with {@code persistent: true}, newest first. */
    List<ComputerRecord> listPersistentComputers(String tenantId);

    /** Every computer, of any tenant, in one of {@code statuses} (for recovery at start). */
    List<ComputerRecord> listComputersInStatus(Set<ComputerStatus> statuses);

    void insertApiKey(ApiKeyRecord key);

    Optional<ApiKeyRecord> findApiKeyByHash(String keyHash);

    List<ApiKeyRecord> listApiKeys();

    /** Marks the key revoked; returns false if there is no such key or it was revoked already. */
    boolean revokeApiKey(String id, Instant at);

    @Override
    void close();
}
