package io.porthole.engine.bidi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.porthole.api.TabInfo;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Taking over a running Firefox as a restarted server does: the old connection dropped without ending its session
 * (which Firefox keeps), the engine finds the browser in the sandbox, ends the old session over its path, opens a
 * new one, and rebuilds the tabs; also with the forwarder gone. Cookies round-trip through export and import.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirefoxTakeOverTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The page's state report (state.html), once it has one. */
    private static JsonNode state(BrowserDriver driver, String tab) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            var html = driver.html(tab);
            int start = html.indexOf("<pre id=\"out\">");
            var text = html.substring(start + 14, html.indexOf("</pre>", start)).replace("&quot;", "\"");
            if (!text.equals("pending")) return JSON.readTree(text);
            if (System.nanoTime() > deadline) throw new AssertionError("the state page did not report");
            Thread.sleep(100);
        }
    }

    /** {@code navigator.webdriver} as the page in {@code tab} sees it. */
    private static String webdriverFlag(BrowserDriver driver, String tab) {
        driver.navigate(tab, "data:text/html,<title>x</title><script>document.title=String(navigator.webdriver)</script>");
        return driver.pageContext(tab).title();
    }

    /** A client's {@code session.new}, then one command; the answers. */
    private static JsonNode clientCall(BrowserDriver driver, String method, String params) throws Exception {
        var answers = new ConcurrentHashMap<Long, CompletableFuture<JsonNode>>();
        var client = driver.connectClient(ProtocolClient.Protocol.BIDI, m -> {
            try {
                var node = JSON.readTree(m);
                answers.computeIfAbsent(node.path("id").asLong(-1), k -> new CompletableFuture<>()).complete(node);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, () -> { });
        try {
            client.send("{\"id\":1,\"method\":\"session.new\",\"params\":{\"capabilities\":{}}}");
            var session = answers.computeIfAbsent(1L, k -> new CompletableFuture<>()).get(20, TimeUnit.SECONDS);
            assertEquals("success", session.path("type").asText(), session.toString());
            client.send("{\"id\":2,\"method\":\"" + method + "\",\"params\":" + params + "}");
            var answer = answers.computeIfAbsent(2L, k -> new CompletableFuture<>()).get(20, TimeUnit.SECONDS);
            assertEquals("success", answer.path("type").asText(), answer.toString());
            return answer.path("result");
        } finally {
            client.close();
        }
    }

    private static List<ProcessHandle> relays(Sandbox sandbox) {
        return sandbox.processes().stream()
                .filter(h -> h.info().commandLine().orElse("").contains("UNIX-CONNECT:/run/porthole/r")).toList();
    }

    @Test
    void aRunningFirefoxIsTakenOverWithItsTabsAndANewSession(@TempDir Path dir) throws Exception {
        var runtime = new LocalSandboxRuntime(List.of(dir.resolve("data")), new EgressPolicy(List.of("127.0.0.1"), () -> -1));
        var pages = PageServer.start();
        try (var sandbox = runtime.start(new SandboxSpec("fftake", dir.resolve("computers/fftake"), Map.of()))) {
            sandbox.awaitReady();
            var engine = new FirefoxEngine(FirefoxConfig.defaults());
            var exited = new CompletableFuture<String>();
            var spec = new LaunchSpec("fftake", sandbox, 800, 600, 1.0, false, exited::complete);
            assertTrue(engine.adopt(spec).isEmpty(), "nothing to take over before a launch");

            var first = (BidiDriver) engine.launch(spec);
            var main = first.resolveTab(Optional.empty());
            first.navigate(main, pages.url("state.html?mode=set"));
            assertEquals("l1", state(first, main).path("ls").asText());
            var other = first.newTab(Optional.of(pages.url("second.html"))).tabId();
            first.switchTab(main);
            var oldSession = first.sessionId();
            first.abandon();

            // the old session is still there: a take-over has to end it first
            var second = (BidiDriver) engine.adopt(spec).orElseThrow();
            assertNotEquals(oldSession, second.sessionId());
            assertEquals(List.of(main, other), second.tabs().stream().map(TabInfo::tabId).toList());
            assertEquals(main, second.resolveTab(Optional.empty()), "the tab the window shows stays the main tab");
            assertTrue(second.tabs().get(1).url().endsWith("second.html"), second.tabs().toString());
            var got = state(second, main);
            assertEquals("l1", got.path("ls").asText(), got.toString());
            assertTrue(got.path("cookie").asText().contains("sess=s1"), got.toString());
            second.click(main, Optional.of(new Point(10, 10)), MouseButton.LEFT, 1);
            assertEquals("false", webdriverFlag(second, other), "navigator.webdriver stays hidden");
            var tree = clientCall(second, "browsingContext.getTree", "{}");
            assertEquals(2, tree.path("contexts").size(), tree.toString());

            // cookies: every one of the default context, the session one without expiry, and back
            var cookies = JSON.readTree(second.exportCookies().orElseThrow());
            JsonNode sess = null;
            JsonNode keep = null;
            for (var c : cookies) {
                if (c.path("name").asText().equals("sess")) sess = c;
                if (c.path("name").asText().equals("keep")) keep = c;
            }
            assertTrue(sess != null && keep != null, cookies.toString());
            assertEquals("s1", sess.path("value").path("value").asText(), sess.toString());
            assertFalse(sess.has("expiry"), "a session cookie has no expiry: " + sess);
            assertTrue(keep.path("expiry").asLong() > System.currentTimeMillis() / 1000 + 3600, keep.toString());
            clientCall(second, "storage.deleteCookies", "{}");
            second.navigate(main, pages.url("state.html"));
            assertFalse(state(second, main).path("cookie").asText().contains("s1"));
            second.importCookies(cookies.toString());
            second.navigate(main, pages.url("state.html"));
            var back = state(second, main).path("cookie").asText();
            assertTrue(back.contains("sess=s1") && back.contains("keep=k1"), back);
            var again = JSON.readTree(second.exportCookies().orElseThrow());
            assertEquals(cookies.size(), again.size(), again.toString());
            // into a context of its own: that context has them, the default one is untouched
            var context = second.createContext(Optional.empty()).id();
            second.importCookies(context, cookies.toString());
            var inContext = second.tabs().stream().filter(t -> t.contextId().equals(context)).findFirst().orElseThrow().tabId();
            second.navigate(inContext, pages.url("state.html"));
            var contextCookies = state(second, inContext).path("cookie").asText();
            assertTrue(contextCookies.contains("sess=s1") && contextCookies.contains("keep=k1"), contextCookies);
            second.closeContext(context);

            // again, with the connection gone meanwhile (its relay killed): a new one is made
            second.abandon();
            relays(sandbox).forEach(ProcessHandle::destroyForcibly);
            io.porthole.core.internal.ProcessTrees.awaitGone(relays(sandbox), 5000);
            var third = (BidiDriver) engine.adopt(spec).orElseThrow();
            assertEquals(List.of(main, other), third.tabs().stream().map(TabInfo::tabId).toList(),
                    "a second take-over keeps the first ids too");
            assertTrue(third.html(main).contains("state"), "the page still answers");
            assertEquals("false", webdriverFlag(third, main));
            assertFalse(exited.isDone(), exited.getNow(""));
            third.close();
            assertFalse(third.isAlive());
            assertEquals("", FirefoxEngineTest.firefoxesIn(sandbox), "closing the adopted driver ends every Firefox process");
            assertTrue(engine.adopt(spec).isEmpty(), "nothing to take over once it is closed");
            assertFalse(exited.isDone(), "a close is no unexpected exit: " + exited.getNow(""));
        } finally {
            runtime.close();
            pages.close();
        }
    }
}
