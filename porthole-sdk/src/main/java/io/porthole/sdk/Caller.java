package io.porthole.sdk;

/**
 * Who the client's key is ({@code GET /me}).
 *
 * @param tenant the tenant the key acts for
 * @param keyId the key's id
 * @param admin whether it may manage keys
 */
public record Caller(String tenant, String keyId, boolean admin) {
}
