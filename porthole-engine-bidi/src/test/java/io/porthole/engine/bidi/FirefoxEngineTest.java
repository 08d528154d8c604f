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
        sandbox.awaitReady();
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
            if (sandbox != null) assertEquals("", firefoxesIn(sandbox), "closing the driver ends every Firefox process");
        } finally {
            if (sandbox != null) sandbox.close();
            if (runtime != null) runtime.close();
            if (pages != null) pages.close();
        }
        // this JVM's: every sandbox it made, and what entered them, descends from it
        var left = ProcessHandle.current().descendants().filter(h -> h.info().commandLine().orElse("").contains("porthole-profile"))
                .filter(ProcessHandle::isAlive).toList();
        assertEquals(List.of(), left.stream().map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList());
    }

    /** The Firefox and relay processes still running in {@code sandbox}, one per line. */
    static String firefoxesIn(Sandbox sandbox) throws Exception {
        var p = sandbox.start(List.of("/bin/sh", "-c", "pgrep -af '[f]irefox|[U]NIX-CONNECT:/run/porthole/r' || true"), Map.of(), "/");
        var out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.strip();
    }

    @Test
    void aScreencastTakesJpegsOfTheMainTabUntilItIsClosed() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("screencast.html"));
        var frames = new LinkedBlockingQueue<io.porthole.core.live.Frame.Jpeg>();
        var capture = (BidiScreencast) driver.screencast(new io.porthole.core.live.CaptureSettings(20, 60, 2),
                new io.porthole.core.live.Capture.Sink() {
                    @Override
                    public void frame(io.porthole.core.live.Frame frame) {
                        frames.add((io.porthole.core.live.Frame.Jpeg) frame);
                    }

                    @Override
                    public void ended(String reason) {
                        throw new AssertionError("ended: " + reason);
                    }
                });
        try {
            var first = frames.poll(20, TimeUnit.SECONDS);
            assertTrue(first != null, "a first picture");
            assertEquals(0xD8, first.data()[1] & 0xFF, "a JPEG");
            var img = ImageIO.read(new ByteArrayInputStream(first.data()));
            assertEquals(WIDTH, img.getWidth());
            assertEquals(HEIGHT, img.getHeight());
            assertEquals(WIDTH, first.metadata().deviceWidth());
            assertEquals(HEIGHT, first.metadata().deviceHeight());
            // a still page: pictures are taken, but the same one is not sent again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (capture.taken() < 5) {
                assertTrue(System.nanoTime() < deadline, "pictures are taken");
                Thread.sleep(20);
            }
            assertTrue(frames.isEmpty(), "no second copy of a still page: " + frames.size());
        } finally {
            capture.close();
        }
        assertFalse(capture.running(), "closed, its thread has ended");
    }

    @BeforeEach
    void backToOneTab() {
        var main = driver.resolveTab(Optional.empty());
        for (var t : driver.tabs()) {
            if (!t.tabId().equals(main)) driver.closeTab(t.tabId());
        }
        driver.setViewport(WIDTH, HEIGHT, 1.0);
    }

    /** A client connection as Puppeteer would hold one: commands by id, events in a queue. */
    private final class Client implements AutoCloseable {
        final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        final java.util.concurrent.ConcurrentHashMap<Long, CompletableFuture<JsonNode>> answers =
                new java.util.concurrent.ConcurrentHashMap<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final ProtocolClient connection;
        long ids = 100;

        Client() {
            connection = driver.connectClient(ProtocolClient.Protocol.BIDI, message -> {
                try {
                    var node = JSON.readTree(message);
                    if ("event".equals(node.path("type").asText())) events.add(node);
                    else answers.computeIfAbsent(node.path("id").asLong(-1), k -> new CompletableFuture<>()).complete(node);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, () -> closed.complete(null));
        }

        /** The whole answer message. */
        JsonNode send(String method, String params) throws Exception {
            long id = ++ids;
            var future = answers.computeIfAbsent(id, k -> new CompletableFuture<>());
            connection.send("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}");
            return future.get(20, TimeUnit.SECONDS);
        }

        JsonNode result(String method, String params) throws Exception {
            var answer = send(method, params);
            assertEquals("success", answer.path("type").asText(), answer.toString());
            return answer.path("result");
        }

        /** Evaluates in a tab; the remote value. */
        JsonNode eval(String context, String expression) throws Exception {
            var r = result("script.evaluate", JSON.createObjectNode().put("expression", expression)
                    .put("awaitPromise", true).set("target", JSON.createObjectNode().put("context", context)).toString());
            assertEquals("success", r.path("type").asText(), r.toString());
            return r.path("result");
        }

        JsonNode event(String method) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                var e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && e.path("method").asText().equals(method)) return e;
            }
            throw new AssertionError("no " + method + " within 20 s");
        }

        @Override
        public void close() {
            connection.close();
        }
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
    void clicksAndTypingReachThePage() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("input.html"));
        driver.click(tab, Optional.of(new Point(40, 35)), MouseButton.LEFT, 1);
        driver.typeText(tab, "héllo wörld");
        driver.keyChord(tab, List.of("Shift", "a"));
        driver.typeText(tab, "!\n");
        var log = log(tab);
        var click = log.stream().filter(e -> e.path("type").asText().equals("click")).findFirst().orElseThrow();
        assertEquals(40, click.path("x").asInt());
        assertEquals(35, click.path("y").asInt());
        assertEquals(0, click.path("button").asInt());
        var inputs = log.stream().filter(e -> e.path("type").asText().equals("input")).toList();
        assertEquals("héllo wörldA!", inputs.getLast().path("value").asText());
        assertTrue(log.stream().anyMatch(e -> e.path("type").asText().equals("keydown") && e.path("key").asText().equals("Enter")));
        assertTrue(log.stream().anyMatch(e -> e.path("type").asText().equals("keydown") && e.path("key").asText().equals("A")
                && e.path("shift").asBoolean()));
    }

    @Test
    void doubleAndRightClicksAndADragArriveAsSuch() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("input.html"));
        driver.click(tab, Optional.of(new Point(300, 300)), MouseButton.LEFT, 2);
        driver.click(tab, Optional.of(new Point(310, 300)), MouseButton.RIGHT, 1);
        driver.drag(tab, List.of(new Point(100, 400), new Point(200, 450)));
        var log = log(tab);
        assertTrue(log.stream().anyMatch(e -> e.path("type").asText().equals("dblclick") && e.path("detail").asInt() == 2), log.toString());
        assertTrue(log.stream().anyMatch(e -> e.path("type").asText().equals("contextmenu") && e.path("button").asInt() == 2), log.toString());
        var moves = log.stream().filter(e -> e.path("type").asText().equals("dragmove")).toList();
        assertFalse(moves.isEmpty(), log.toString());
        assertEquals(200, moves.getLast().path("x").asInt());
        assertEquals(450, moves.getLast().path("y").asInt());
    }

    @Test
    void scrollingMovesThePage() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("input.html"));
        try (var client = new Client()) {
            client.result("session.new", "{}");
            client.eval(tab, "window.wheels = []; addEventListener('wheel', e => wheels.push([e.deltaY, e.clientX, e.clientY]))");
            driver.scroll(tab, Optional.of(new Point(400, 300)), 0, 500);
            assertTrue(driver.pageContext(tab).scrollY() > 0, "scrolled to " + driver.pageContext(tab).scrollY());
            assertEquals("[[500,400,300]]", client.eval(tab, "JSON.stringify(wheels)").path("value").asText());
        }
    }

    @Test
    void keysWebDriverHasNoValueForAreClearErrors() {
        var tab = driver.resolveTab(Optional.empty());
        var e = assertThrows(PortholeException.ActionFailed.class, () -> driver.keyChord(tab, List.of("F13")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void aScreenshotIsAPngOfTheViewportTimesTheScale() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("second.html"));
        var image = ImageIO.read(new ByteArrayInputStream(driver.screenshotPng(tab)));
        assertEquals(WIDTH, image.getWidth());
        assertEquals(HEIGHT, image.getHeight());
        driver.setViewport(640, 400, 2.0);
        var png = driver.screenshotPng(tab);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(1280, image.getWidth());
        assertEquals(800, image.getHeight());
        var context = driver.pageContext(tab);
        assertEquals(640, context.viewportWidth());
        assertEquals(400, context.viewportHeight());
        assertEquals(2.0, context.deviceScaleFactor());
        // coordinates are screenshot pixels: (200, 100) is CSS (100, 50)
        driver.navigate(tab, pages.url("input.html"));
        driver.click(tab, Optional.of(new Point(200, 100)), MouseButton.LEFT, 1);
        var click = log(tab).stream().filter(e -> e.path("type").asText().equals("click")).findFirst().orElseThrow();
        assertEquals(100, click.path("x").asInt());
        assertEquals(50, click.path("y").asInt());
    }

    @Test
    void theViewportAppliesToNewTabsToo() {
        driver.setViewport(500, 350, 1.0);
        var tab = driver.newTab(Optional.of(pages.url("second.html")));
        var context = driver.pageContext(tab.tabId());
        assertEquals(500, context.viewportWidth());
        assertEquals(350, context.viewportHeight());
    }

    @Test
    void tabsOpenSwitchAndClose() {
        var first = driver.resolveTab(Optional.empty());
        driver.navigate(first, pages.url("input.html"));
        var second = driver.newTab(Optional.of(pages.url("second.html")));
        assertTrue(second.isMainTab());
        assertEquals(TabInfo.DEFAULT_CONTEXT, second.contextId());
        var tabs = driver.tabs();
        assertEquals(2, tabs.size());
        assertEquals(first, tabs.get(0).tabId());
        assertEquals("Porthole input fixture", tabs.get(0).title());
        assertEquals("Second page", tabs.get(1).title());
        assertTrue(tabs.get(1).isMainTab());
        assertEquals(second.tabId(), driver.resolveTab(Optional.empty()));
        driver.switchTab(first);
        assertEquals(first, driver.resolveTab(Optional.empty()));
        driver.closeTab(second.tabId());
        assertEquals(1, driver.tabs().size());
        assertThrows(PortholeException.ActionFailed.class, () -> driver.closeTab(first));
        assertThrows(PortholeException.ActionFailed.class, () -> driver.resolveTab(Optional.of(second.tabId())));
    }

    @Test
    void twoContextsDoNotShareCookies() throws Exception {
        var main = driver.resolveTab(Optional.empty());
        driver.navigate(main, pages.url("input.html"));
        var context = driver.createContext(Optional.empty());
        assertNotEquals(TabInfo.DEFAULT_CONTEXT, context.id());
        assertTrue(driver.contexts().stream().anyMatch(c -> c.id().equals(context.id())));
        var inContext = driver.tabs().stream().filter(t -> t.contextId().equals(context.id())).toList();
        assertEquals(1, inContext.size(), "a new context opens with one blank tab");
        var other = driver.newTabIn(context.id(), Optional.of(pages.url("input.html")));
        assertEquals(context.id(), other.contextId());
        try (var client = new Client()) {
            client.result("session.new", "{\"capabilities\":{}}");
            client.eval(main, "document.cookie = 'who=default; path=/'");
            assertEquals("who=default", client.eval(main, "document.cookie").path("value").asText());
            assertEquals("", client.eval(other.tabId(), "document.cookie").path("value").asText());
            client.eval(other.tabId(), "document.cookie = 'who=other; path=/'");
            assertEquals("who=default", client.eval(main, "document.cookie").path("value").asText());
            client.eval(main, "document.cookie = 'who=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'");
        } finally {
            driver.closeContext(context.id());
        }
        assertTrue(driver.tabs().stream().noneMatch(t -> t.contextId().equals(context.id())));
        assertThrows(PortholeException.NotFound.class, () -> driver.closeContext(context.id()));
        assertThrows(PortholeException.InvalidRequest.class, () -> driver.closeContext(TabInfo.DEFAULT_CONTEXT));
    }

    @Test
    void aContextsTrafficGoesThroughItsOwnProxy() {
        // the sandbox's egress proxy, named as a context's own: pages load through it
        var through = driver.createContext(Optional.of(sandbox.httpProxy().orElseThrow()));
        // nothing listens on port 9 in the sandbox: a context behind it reaches nothing
        var nowhere = driver.createContext(Optional.of("http://127.0.0.1:9"));
        try {
            assertEquals(Optional.of("http://127.0.0.1:3128"), driver.contexts().stream()
                    .filter(c -> c.id().equals(through.id())).findFirst().orElseThrow().proxy());
            var ok = driver.newTabIn(through.id(), Optional.of(pages.url("second.html")));
            assertTrue(driver.html(ok.tabId()).contains("id=\"heading\""));
            var tab = driver.newTabIn(nowhere.id(), Optional.empty());
            var failed = false;
            try {
                driver.navigate(tab.tabId(), pages.url("second.html"));
            } catch (PortholeException.ActionFailed e) {
                failed = true;
            }
            assertTrue(failed || !driver.html(tab.tabId()).contains("id=\"heading\""));
        } finally {
            driver.closeContext(through.id());
            driver.closeContext(nowhere.id());
        }
        assertThrows(PortholeException.InvalidRequest.class, () -> driver.createContext(Optional.of("ftp://127.0.0.1:21")));
    }

    @Test
    void aClientHasItsOwnSessionWhileTheDriverKeepsWorking() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        try (var client = new Client(); var quiet = new Client()) {
            var session = client.result("session.new", "{\"capabilities\":{\"alwaysMatch\":{\"webSocketUrl\":true}}}");
            assertEquals("firefox", session.path("capabilities").path("browserName").asText());
            assertFalse(session.path("sessionId").asText().isEmpty());
            quiet.result("session.new", "{\"capabilities\":{}}");
            var subscribed = client.result("session.subscribe", "{\"events\":[\"browsingContext.load\"]}");
            assertFalse(subscribed.path("subscription").asText().isEmpty());
            var tree = client.result("browsingContext.getTree", "{}");
            assertTrue(tree.path("contexts").toString().contains(tab));
            // the driver navigates; the subscribed client hears of it, the other does not
            driver.navigate(tab, pages.url("second.html"));
            var load = client.event("browsingContext.load");
            assertEquals(pages.url("second.html"), load.path("params").path("url").asText());
            assertTrue(quiet.events.isEmpty(), quiet.events.toString());
            // the client navigates; the driver sees it
            client.result("browsingContext.navigate", "{\"context\":\"" + tab + "\",\"url\":\"" + pages.url("input.html")
                    + "\",\"wait\":\"complete\"}");
            assertEquals(pages.url("input.html"), driver.pageContext(tab).url());
            // the client's own ids come back as it sent them, errors included
            var error = client.send("browsingContext.navigate", "{\"context\":\"nope\",\"url\":\"about:blank\"}");
            assertEquals("error", error.path("type").asText());
            assertEquals("no such frame", error.path("error").asText());
            // chrome scope is refused
            var chrome = client.send("browsingContext.getTree", "{\"moz:scope\":\"chrome\"}");
            assertEquals("unsupported operation", chrome.path("error").asText());
            // ending its session ends the client only
            client.result("session.end", "{}");
            client.closed.get(10, TimeUnit.SECONDS);
            quiet.result("browser.close", "{}");
            quiet.closed.get(10, TimeUnit.SECONDS);
        }
        driver.navigate(tab, pages.url("second.html"));
        assertTrue(driver.html(tab).contains("Second page"));
        assertTrue(driver.isAlive());
    }

    @Test
    void aClientsUnsubscribeStopsItsEventsOnly() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        try (var a = new Client(); var b = new Client()) {
            a.result("session.new", "{\"capabilities\":{}}");
            b.result("session.new", "{\"capabilities\":{}}");
            var sa = a.result("session.subscribe", "{\"events\":[\"browsingContext\"]}").path("subscription").asText();
            b.result("session.subscribe", "{\"events\":[\"browsingContext.load\"],\"contexts\":[\"" + tab + "\"]}");
            assertEquals("invalid argument", b.send("session.unsubscribe", "{\"subscriptions\":[\"" + sa + "\"]}")
                    .path("error").asText());
            a.result("session.unsubscribe", "{\"subscriptions\":[\"" + sa + "\"]}");
            driver.navigate(tab, pages.url("second.html"));
            b.event("browsingContext.load");
            assertTrue(a.events.stream().noneMatch(e -> e.path("method").asText().equals("browsingContext.load")), a.events.toString());
        }
    }

    @Test
    void firefoxsOwnContentSandboxIsOnInsideOurs() throws Exception {
        driver.navigate(driver.resolveTab(Optional.empty()), pages.url("second.html"));
        var p = sandbox.start(List.of("/bin/sh", "-c", "for p in $(pgrep -f -- '-content[p]roc'); do"
                + " echo $(tr '\\0' ' ' < /proc/$p/cmdline | awk '{print $NF}') $(grep -h '^Seccomp:' /proc/$p/status); done"), Map.of(), "/");
        var out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        // page ("tab") processes run in seccomp filter mode (2): Firefox's content sandbox; its fork server
        // is outside it by design
        var pageProcesses = out.lines().filter(l -> l.startsWith("tab ")).toList();
        assertFalse(pageProcesses.isEmpty(), out);
        assertTrue(pageProcesses.stream().allMatch(l -> l.matches("tab Seccomp:\\s+2")), out);
        assertTrue(((BidiDriver) driver).contentSandbox.contains("\"userns\":true"), ((BidiDriver) driver).contentSandbox);
    }

    @Test
    void cdpClientsAreRefused() {
        var e = assertThrows(PortholeException.InvalidRequest.class,
                () -> driver.connectClient(ProtocolClient.Protocol.CDP, m -> { }, () -> { }));
        assertEquals(ErrorCode.UNSUPPORTED_ON_ENGINE, e.code());
    }

    @Test
    void aClientThatDoesNotReadIsClosedAndHoldsNobodyBack() throws Exception {
        long before = ClientMux.maxQueuedChars;
        ClientMux.maxQueuedChars = 4L << 20;
        var stuck = new java.util.concurrent.CountDownLatch(1);
        var closed = new CompletableFuture<Void>();
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("input.html"));
        // a client whose side never takes a message: its first answer blocks it for good
        var slow = driver.connectClient(ProtocolClient.Protocol.BIDI, message -> {
            try {
                stuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> closed.complete(null));
        try (var other = new Client()) {
            for (int i = 0; i < 400 && !closed.isDone(); i++) {
                slow.send("{\"id\":" + i + ",\"method\":\"browsingContext.captureScreenshot\",\"params\":{\"context\":\""
                        + tab + "\"}}");
                // the others go on meanwhile
                if (i % 50 == 0) other.result("browsingContext.getTree", "{}");
            }
            closed.get(60, TimeUnit.SECONDS);
            other.result("browsingContext.getTree", "{}");
            driver.navigate(tab, pages.url("second.html"));
        } finally {
            stuck.countDown();
            slow.close();
            ClientMux.maxQueuedChars = before;
        }
    }

    @Test
    void pagesSeeAnOrdinaryFirefox() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        driver.navigate(tab, pages.url("second.html"));
        try (var client = new Client()) {
            client.result("session.new", "{\"capabilities\":{}}");
            var seen = JSON.readTree(client.eval(tab, "JSON.stringify({webdriver: navigator.webdriver,"
                    + " hasWebdriver: 'webdriver' in navigator, ua: navigator.userAgent, languages: navigator.languages,"
                    + " plugins: navigator.plugins.length, pdf: navigator.pdfViewerEnabled,"
                    + " mimes: Array.from(navigator.mimeTypes).map(m => m.type),"
                    + " sw: screen.width, sh: screen.height, ow: outerWidth, oh: outerHeight, iw: innerWidth, ih: innerHeight})")
                    .path("value").asText());
            System.out.println("page sees " + seen);
            assertFalse(seen.path("webdriver").asBoolean(true), seen.toString());
            assertTrue(seen.path("hasWebdriver").asBoolean(), "an ordinary Firefox has the property, false");
            assertFalse(seen.path("ua").asText().contains("Headless"), seen.toString());
            assertTrue(seen.path("ua").asText().contains("Firefox/"), seen.toString());
            assertEquals("[\"en-US\",\"en\"]", seen.path("languages").toString());
            assertTrue(seen.path("plugins").asInt() > 0, seen.toString());
            assertTrue(seen.path("pdf").asBoolean(), seen.toString());
            assertTrue(seen.path("mimes").toString().contains("application/pdf"), seen.toString());
            assertEquals(WIDTH, seen.path("iw").asInt());
            assertEquals(HEIGHT, seen.path("ih").asInt());
            assertTrue(seen.path("sw").asInt() >= seen.path("ow").asInt() && seen.path("ow").asInt() >= WIDTH, seen.toString());
            assertTrue(seen.path("sh").asInt() >= seen.path("oh").asInt() && seen.path("oh").asInt() >= HEIGHT, seen.toString());
        }
    }

    @Test
    void navigatesAndReadsTheHtml() throws Exception {
        var tab = driver.resolveTab(Optional.empty());
        var navigations = new LinkedBlockingQueue<String>();
        ((BidiDriver) driver).onNavigation((t, url) -> navigations.add(t + " " + url));
        driver.navigate(tab, pages.url("input.html"));
        driver.navigate(tab, pages.url("second.html"));
        var html = driver.html(tab);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, Math.min(200, html.length())));
        var context = driver.pageContext(tab);
        assertEquals(pages.url("second.html"), context.url());
        assertEquals(WIDTH, context.viewportWidth());
        assertEquals(HEIGHT, context.viewportHeight());
        assertEquals(pages.url("second.html"), driver.tabs().getFirst().url());
        assertEquals(tab + " " + pages.url("input.html"), navigations.poll(10, TimeUnit.SECONDS));
        assertEquals(tab + " " + pages.url("second.html"), navigations.poll(10, TimeUnit.SECONDS));
        ((BidiDriver) driver).onNavigation((t, url) -> { });
    }
}
