package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** API keys through the SDK: the bootstrap key is an admin key; a key made for a tenant works until revoked. */
class KeysTest {

    @Test
    void aKeyIsMadeUsedAndRevoked() {
        var server = RealServer.get();
        try (var admin = server.client()) {
            assertTrue(admin.keys().me().admin());
            var made = admin.keys().create("tenant-sdk-keys", "sdk test", false);
            var secret = made.key().orElseThrow();
            assertTrue(admin.keys().list().stream().anyMatch(k -> k.id().equals(made.id()) && k.key().isEmpty()),
                    "a listed key has no secret");
            try (var tenant = Porthole.builder().baseUrl(server.server.baseUrl()).apiKey(secret).build()) {
                assertEquals("tenant-sdk-keys", tenant.keys().me().tenant());
                assertFalse(tenant.keys().me().admin());
                assertEquals(403, assertThrows(PermissionDeniedException.class, () -> tenant.keys().list()).status());
                assertTrue(tenant.computers().list().isEmpty(), "another tenant's computers are not listed");
                admin.keys().revoke(made.id());
                assertThrows(AuthenticationException.class, () -> tenant.computers().list());
            }
        }
    }
}
