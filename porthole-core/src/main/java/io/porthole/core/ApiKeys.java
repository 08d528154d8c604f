package io.porthole.core;

import io.porthole.api.ErrorCode;
import io.porthole.core.internal.Ids;
import io.porthole.core.store.ApiKeyRecord;
import io.porthole.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * API keys: creation, lookup and revocation. Keys are 256-bit random secrets, so a SHA-256 of the key is
 * what is stored and looked up (no slow hash is needed for secrets that cannot be guessed). Thread-safe.
 */
public final class ApiKeys {
    public static final String DEFAULT_TENANT = "default";

    private final Store store;
    private final Clock clock;

    public ApiKeys(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Who is calling. */
    public record Principal(String tenantId, String keyId, boolean admin) {}

    /** A new key: the record and, this once, the secret. */
    public record Created(ApiKeyRecord record, String key) {}

    public Optional<Principal> authenticate(String presented) {
        if (presented == null || presented.isBlank() || presented.length() > 512) return Optional.empty();
        return store.findApiKeyByHash(hash(presented.trim())).filter(k -> !k.revoked())
                .map(k -> new Principal(k.tenantId(), k.id(), k.admin()));
    }

    public Created create(String tenantId, String name, boolean admin) {
        return register("ph_" + Ids.secret(32), tenantId, name, admin);
    }

    /** Stores {@code key} as given (the bootstrap key from configuration) unless it is known already. */
    public Created register(String key, String tenantId, String name, boolean admin) {
        if (key.isBlank()) throw new PortholeException.InvalidRequest("an API key must not be empty");
        if (tenantId == null || !tenantId.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new PortholeException.InvalidRequest("a tenant is 1-64 letters, digits, '.', '_' or '-'");
        }
        var hash = hash(key);
        var existing = store.findApiKeyByHash(hash);
        if (existing.isPresent()) return new Created(existing.get(), key);
        var record = new ApiKeyRecord(Ids.id("key"), tenantId, name == null ? "" : name,
                key.substring(0, Math.min(8, key.length())), hash, admin, clock.instant(), null);
        try {
            store.insertApiKey(record);
        } catch (RuntimeException e) {
            // another node of the cluster registered the same key a moment ago
            var registered = store.findApiKeyByHash(hash);
            if (registered.isPresent()) return new Created(registered.get(), key);
            throw e;
        }
        return new Created(record, key);
    }

    public List<ApiKeyRecord> list() {
        return store.listApiKeys();
    }

    public void revoke(String id) {
        if (!store.revokeApiKey(id, clock.instant())) {
            throw new PortholeException.NotFound(ErrorCode.NOT_FOUND, "no active API key with id '" + id + "'");
        }
    }

    public boolean anyActive() {
        return store.listApiKeys().stream().anyMatch(k -> !k.revoked());
    }

    public static String hash(String key) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
