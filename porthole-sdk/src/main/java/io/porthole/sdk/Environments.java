package io.porthole.sdk;

import java.util.List;

/** The tenant's saved environments ({@code /environments}). Implementations are thread-safe. */
public interface Environments {

    /**
     * The saved environments.
     *
     * @return the environments
     */
    List<Environment> list();

    /**
     * One saved environment.
     *
     * @param id its id
     * @return the environment
     * @throws NotFoundException when the tenant has none with that id
     */
    Environment get(String id);

    /**
     * Deletes a saved environment.
     *
     * @param id its id
     */
    void delete(String id);
}
