package io.porthole.sdk;

import java.util.List;

/**
 * API keys ({@code /admin/keys}, admin keys only) and the caller's own identity ({@code /me}). Implementations are
 * thread-safe.
 */
public interface ApiKeys {

    /**
     * Who this client's key is.
     *
     * @return the caller
     */
    Caller me();

    /**
     * Every key of the server.
     *
     * @return the records, without secrets
     * @throws PermissionDeniedException for a key that is not an admin key
     */
    List<ApiKey> list();

    /**
     * Makes a key; not retried once it may have reached the server (a retry could make two).
     *
     * @param tenant the tenant it acts for
     * @param name a free name
     * @param admin whether it may manage keys
     * @return the record with its secret, shown this once
     */
    ApiKey create(String tenant, String name, boolean admin);

    /**
     * Revokes a key; requests with it fail from then on.
     *
     * @param id the key's id
     */
    void revoke(String id);
}
