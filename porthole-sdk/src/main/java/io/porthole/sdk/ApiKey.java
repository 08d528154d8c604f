package io.porthole.sdk;

import java.time.Instant;
import java.util.Optional;

/**
 * An API key's record ({@code /admin/keys}). The secret itself is only in the answer to its creation.
 *
 * @param id the key's id
 * @param tenant the tenant it acts for
 * @param name its free name
 * @param prefix the first characters of the secret, to recognise it by
 * @param admin whether it may manage keys
 * @param createdAt when it was made
 * @param revokedAt when it was revoked, if it was
 * @param key the secret, present only in {@link ApiKeys#create}'s answer
 */
public record ApiKey(String id, String tenant, String name, String prefix, boolean admin, Optional<Instant> createdAt,
                     Optional<Instant> revokedAt, Optional<String> key) {
}
