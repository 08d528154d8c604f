package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Launch templates ({@code templateID}): a named engine with its own prefs or flags, from configuration. */
class TemplatesTest {
    private static TestServer t;

    @BeforeAll
    static void start() {
        t = new TestServer(c -> c.toBuilder().templates(Map.of(
                "firefox-de", new ServerConfig.Template("firefox", Optional.empty(), List.of(),
                        Map.of("intl.accept_languages", "de-DE, de")),
                "plain-chromium", new ServerConfig.Template("chromium", Optional.empty(), List.of("--mute-audio"), Map.of())))
                .build());
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @Test
    void aTemplateDecidesTheEngineAndItsPrefs() throws Exception {
        var sandbox = Sandboxes.create(t, "{\"templateID\":\"firefox-de\"}");
        var id = sandbox.path("id").asText();
        try {
            assertEquals("firefox", sandbox.path("browser").asText(), sandbox.toString());
            assertEquals("firefox-de", sandbox.path("templateID").asText());
            var report = StatePage.read(t, id, "langs.html", "", null);
            assertEquals("de-DE", report.path("languages").path(0).asText(), report.toString());
        } finally {
            Sandboxes.delete(t, id);
        }
        var chromium = Sandboxes.create(t, "{\"templateID\":\"plain-chromium\",\"browser\":\"firefox\"}");
        try {
            assertEquals("chromium", chromium.path("browser").asText(), "the template's engine wins: " + chromium);
        } finally {
            Sandboxes.delete(t, chromium.path("id").asText());
        }
    }
}
