package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keys, tenants, and the admin routes. */
class AuthTest {
    private static TestServer t;
    private static String id;

    @BeforeAll
    static void computerOfTenantA() {
        t = TestServer.get();
        id = t.createComputer("{}");
    }

    @AfterAll
    static void cleanUp() {
        t.delete(id);
    }

    @Test
    void requestsWithoutAValidKeyAre401Json() {
        for (var headers : java.util.List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer wrong"),
                Map.of("Authorization", "Basic dXNlcjpwYXNz"), Map.of("X-API-Key", ""))) {
            var r = t.request("GET", "/computers", null, headers);
            assertEquals(401, r.status(), headers.toString());
            assertEquals("unauthorized", r.json().path("code").asText());
            assertFalse(r.json().path("message").asText().isEmpty());
        }
    }

    @Test
    void theOpenApiDescriptionNeedsNoKey() {
        var r = t.request("GET", "/openapi/browser-sandboxes.yaml", null, Map.of());
        assertEquals(200, r.status());
        assertEquals("application/yaml", r.header("Content-Type"));
        org.junit.jupiter.api.Assertions.assertTrue(r.body().startsWith("openapi: 3.1.0"), r.body());
        org.junit.jupiter.api.Assertions.assertTrue(r.body().contains("/browser-sandboxes/{id}/rpc:"));
    }

    @Test
    void xApiKeyHeaderIsAccepted() {
        var r = t.request("GET", "/computers/" + id, null, Map.of("X-API-Key", TestServer.KEY));
        assertEquals(200, r.status());
    }

    @Test
    void anotherTenantsComputerIsNotFound() {
        var b = t.keyB();
        assertEquals(404, t.call("GET", "/computers/" + id, null, b).status());
        assertEquals(404, t.call("GET", "/computers/" + id + "/status", null, b).status());
        assertEquals(404, t.call("POST", "/computers/" + id + "/click", "{\"x\":1,\"y\":1}", b).status());
        assertEquals(404, t.call("DELETE", "/computers/" + id, null, b).status());
        assertFalse(t.call("GET", "/computers", null, b).json().findValuesAsText("id").contains(id));
        assertEquals("running", t.call("GET", "/computers/" + id, null).json().path("status").asText(),
                "tenant B's delete did not touch it");
    }

    @Test
    void adminsCreateAndRevokeKeys() {
        var created = t.call("POST", "/admin/keys", "{\"tenant\":\"tenant-c\",\"name\":\"ci\"}");
        assertEquals(201, created.status(), created.body());
        var key = created.json().path("key").asText();
        var keyId = created.json().path("id").asText();
        assertEquals(200, t.call("GET", "/computers", null, key).status());
        assertEquals(403, t.call("GET", "/admin/keys", null, key).status(), "a tenant key is not an admin key");
        var listed = t.call("GET", "/admin/keys", null).json();
        assertTrue(listed.findValuesAsText("id").contains(keyId));
        assertTrue(listed.findValues("key").isEmpty(), "secrets are never listed");
        assertEquals(200, t.call("DELETE", "/admin/keys/" + keyId, null).status());
        assertEquals(401, t.call("GET", "/computers", null, key).status(), "a revoked key no longer works");
        assertEquals(404, t.call("DELETE", "/admin/keys/" + keyId, null).status());
    }

    @Test
    void keysAreStoredHashedNeverInTheClear() throws Exception {
        var db = t.dataDir.resolve("porthole.db");
        var bytes = new String(java.nio.file.Files.readAllBytes(db), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains(TestServer.KEY));
        assertFalse(bytes.contains(t.keyB()));
    }
}
