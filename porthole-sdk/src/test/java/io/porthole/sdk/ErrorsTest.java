package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real server's error answers arrive as the exceptions named by their status, with its code and message. */
class ErrorsTest {
    private static RealServer server;
    private static Porthole porthole;

    @BeforeAll
    static void client() {
        server = RealServer.get();
        porthole = server.client();
    }

    @AfterAll
    static void close() {
        porthole.close();
    }

    @Test
    void anUnknownComputerIsANotFoundException() {
        var e = assertThrows(NotFoundException.class, () -> porthole.computers().get("comp_does_not_exist"));
        assertEquals(404, e.status());
        assertEquals("not_found", e.code());
        assertFalse(e.getMessage().isBlank());
        assertThrows(NotFoundException.class, () -> porthole.sandboxes().get("comp_does_not_exist"));
        assertThrows(NotFoundException.class, () -> porthole.computers().attach("comp_does_not_exist").click(1, 1));
    }

    @Test
    void anUnknownEnvironmentIsANotFoundExceptionAndTheListAnswers() {
        porthole.environments().list();
        assertEquals(404, assertThrows(NotFoundException.class, () -> porthole.environments().get("env_missing")).status());
    }

    @Test
    void anInvalidSpecIsABadRequestException() {
        var e = assertThrows(BadRequestException.class,
                () -> porthole.computers().create(ComputerSpec.browser().engine("netscape")));
        assertEquals(400, e.status());
        assertFalse(e.code().isEmpty());
        assertFalse(e.getMessage().isBlank());
        assertThrows(BadRequestException.class, () -> porthole.sandboxes().list("sleeping").count());
    }

    @Test
    void aWrongKeyIsAnAuthenticationException() {
        try (var stranger = Porthole.builder().baseUrl(server.server.baseUrl()).apiKey("not-a-key").build()) {
            var e = assertThrows(AuthenticationException.class, () -> stranger.computers().list());
            assertEquals(401, e.status());
            assertEquals("unauthorized", e.code());
        }
    }

    @Test
    void aClientWithoutAKeyRefusesToStart() {
        assertThrows(IllegalStateException.class, () -> Porthole.builder().environment(Map.of()).build());
    }

    @Test
    void theEnvironmentGivesTheBaseUrlAndKey() {
        try (var fromEnv = Porthole.builder().environment(Map.of(Porthole.BASE_URL_ENV, server.server.baseUrl() + "/",
                Porthole.API_KEY_ENV, RealServer.KEY)).build()) {
            assertEquals(server.server.baseUrl(), fromEnv.baseUrl());
            fromEnv.computers().list();
        }
    }
}
