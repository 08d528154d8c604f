package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package's Playwright example, run: Playwright for Java attaches to a Porthole browser with the SDK's CDP
 * URL alone (the URL carries the computer's access token), drives a page, and Porthole's own actions see what it
 * did. Playwright never downloads a browser here.
 */
class PlaywrightOverCdpTest {
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

    private static Playwright playwright() {
        return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    }

    @Test
    void playwrightDrivesASandboxOverItsCdpUrl() {
        try (Sandbox sandbox = porthole.sandboxes().create(SandboxSpec.chromium());
             Playwright playwright = playwright();
             Browser browser = playwright.chromium().connectOverCDP(sandbox.cdpUrl(),
                     new BrowserType.ConnectOverCDPOptions().setTimeout(60_000))) {
            var page = browser.contexts().get(0).pages().get(0);
            page.navigate(server.pages.url("input.html"));
            assertEquals("Porthole input fixture", page.title());
            page.fill("#field", "from playwright");
            // the same browser, seen through the Computers API
            var html = sandbox.computer().html();
            assertTrue(html.contains("from playwright"), html);
        }
    }
}
