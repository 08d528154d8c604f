package io.porthole.engine.bidi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.api.ErrorCode;
import io.porthole.api.TabInfo;
import io.porthole.core.PortholeException;
import io.porthole.core.action.MouseButton;
import io.porthole.core.action.Point;
import io.porthole.core.browser.BrowserDriver;
import io.porthole.core.browser.LaunchSpec;
import io.porthole.core.browser.ProtocolClient;
import io.porthole.core.sandbox.Sandbox;
import io.porthole.core.sandbox.SandboxSpec;
import io.porthole.runtime.local.EgressPolicy;
import io.porthole.runtime.local.LocalSandboxRuntime;
import io.porthole.testing.PageServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Against one real Firefox in a real sandbox, shared by the tests of this class (Firefox takes seconds to start),
 * with the fixture pages served on the host's loopback and reached through the sandbox's egress proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirefoxEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WIDTH = 800;
    private static final int HEIGHT = 600;

    private Path dir;
    private LocalSandboxRuntime runtime;
    private Sandbox sandbox;
    private PageServer pages;
    private BrowserDriver driver;
    private final CompletableFuture<String> unexpectedExit = new CompletableFuture<>();
    private long launchMillis;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startFirefox() throws Exception {
        dir = Files.createTempDirectory("porthole-bidi-test");
        runtime = new LocalSandboxRuntime(List.of(dir.resolve("data")), new EgressPolicy(List.of("127.0.0.1"), () -> -1));
        sandbox = runtime.start(new SandboxSpec("ffbidi", dir.resolve("computers/ffbidi"), Map.of()));
        pages = PageServer.start();
        var engine = new FirefoxEngine(FirefoxConfig.defaults());
        long start = System.nanoTime();
        driver = engine.launch(new LaunchSpec("ffbidi", sandbox, WIDTH, HEIGHT, 1.0, false, unexpectedExit::complete));
        launchMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("Firefox launched in " + launchMillis + " ms; content sandbox "
                + ((BidiDriver) driver).contentSandbox);
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stopFirefox() throws Exception {
        try {
            if (driver != null) driver.close();
            assertFalse(unexpectedExit.isDone(), "Firefox did not exit by itself: " + unexpectedExit.getNow(""));
            if (driver != null) assertFalse(driver.isAlive());
        } finally {
            if (sandbox != null) sandbox.close();
            if (runtime != null) runtime.close();
            if (pages != null) pages.close();
        }
        var left = ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("").contains(dir.toString())
                || h.info().commandLine().orElse("").contains("porthole-profile")).filter(ProcessHandle::isAlive).toList();
        assertEquals(List.of(), left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList());
    }

    @BeforeEach
    void backToOneTab() {
        var main = driver.resolveTab(Optional.empty());
        for (var t : driver.tabs()) {
            if (!t.tabId().equals(main)) driver.closeTab(t.tabId());
        }
        driver.setViewport(WIDTH, HEIGHT, 1.0);
    }

    private String js(String tab, String expression) {
        // read the page through html(): the fixture writes what it sees into #log
        return driver.html(tab);
    }

    private List<JsonNode> log(String tab) throws Exception {
        var html = driver.html(tab);
        int start = html.indexOf("<pre id=\"log\">");
        int end = html.indexOf("</pre>", start);
        var out = new ArrayList<JsonNode>();
        for (var line : html.substring(start + 14, end).split("\n")) {
            if (!line.isBlank()) out.add(JSON.readTree(line.replace("&quot;", "\"").replace("&amp;", "&")
                    .replace("&lt;", "<").replace("&gt;", ">")));
        }
        return out;
    }

    @Test
    void navigatesAndReadsTheHtml() {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("second.html"));
        var html = driver.html(tab);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, Math.min(200, html.length())));
        var context = driver.pageContext(tab);
        assertEquals(pages.url("second.html"), context.url());
        assertEquals(WIDTH, context.viewportWidth());
        assertEquals(HEIGHT, context.viewportHeight());
        assertEquals(pages.url("second.html"), driver.tabs().getFirst().url());
    }
}
