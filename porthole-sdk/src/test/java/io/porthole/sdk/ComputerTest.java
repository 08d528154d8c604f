package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Computers API through the SDK against a real server and a real Chromium: one computer for the class (the
 * tests leave it on the input fixture page or put it back there).
 */
class ComputerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RealServer server;
    private static Porthole porthole;
    private static Computer computer;

    @BeforeAll
    static void create() {
        server = RealServer.get();
        porthole = server.client();
        computer = porthole.computers().create(ComputerSpec.browser().viewport(1280, 720)
                .identity(IdentitySpec.create().timezone("Europe/Berlin").locale("de-DE").geolocation(52.52, 13.405, 30)
                        .screen(1920, 1080)));
    }

    @AfterAll
    static void closeTwice() {
        if (computer != null) {
            computer.close();
            computer.close(); // idempotent: sends nothing
            assertFalse(porthole.computers().get(computer.id()).info().isLive());
        }
        porthole.close();
    }

    @Test
    void aCreatedComputerRunsWithTheAskedViewportAndIsListedAndFound() {
        var info = computer.info();
        assertEquals("running", info.status());
        assertEquals("browser", info.kind());
        assertEquals(1280, info.display().width());
        assertEquals(720, info.display().height());
        var identity = info.identity().orElseThrow();
        assertEquals("Europe/Berlin", identity.timezone());
        assertEquals("de-DE", identity.locale());
        assertEquals(List.of("de-DE", "de"), identity.languages());
        assertEquals(52.52, identity.geolocation().orElseThrow().latitude());
        assertEquals(30, identity.geolocation().orElseThrow().accuracyMeters());
        assertEquals(1920, identity.screenWidth());
        assertEquals(1080, identity.screenHeight());
        assertTrue(porthole.computers().list().stream().anyMatch(c -> c.id().equals(computer.id())));
        assertEquals(computer.id(), porthole.computers().get(computer.id()).info().id());
        assertEquals("running", computer.status().status());
        assertEquals("running", computer.keepalive().status());
    }

    @Test
    void clicksAndTypingReachThePage() {
        computer.navigate(server.pages.url("input.html"));
        computer.click(100, 35); // the input field
        computer.type("hello sdk");
        var html = computer.html();
        var clicks = PageLog.ofType(html, "click");
        assertFalse(clicks.isEmpty(), html);
        assertEquals(100, clicks.get(clicks.size() - 1).path("x").asInt());
        assertEquals(35, clicks.get(clicks.size() - 1).path("y").asInt());
        var inputs = PageLog.ofType(html, "input");
        assertEquals("hello sdk", inputs.get(inputs.size() - 1).path("value").asText(), html);
    }

    @Test
    void aScreenshotIsAPngWithAUrl() {
        var shot = computer.screenshot();
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(shot.png(), 4));
        assertTrue(shot.url().startsWith("http"), shot.url());
    }

    @Test
    void aBatchRunsInOrderAndStopsAtTheFirstFailure() {
        var result = computer.batch(Action.waitFor(Duration.ofMillis(10)), Action.of("switch_tab", Map.of("tab_id", "no-such-tab")),
                Action.waitFor(Duration.ofMillis(10)));
        assertFalse(result.success());
        assertEquals(2, result.executed());
        assertEquals(1, result.failedIndex().orElse(-1));
        assertTrue(result.results().get(0).succeeded());
        assertFalse(result.results().get(1).succeeded());
    }

    @Test
    void executeHandsFailuresBackWhileTypedActionsThrowThem() {
        var r = computer.execute(Action.of("switch_tab", Map.of("tab_id", "no-such-tab")));
        assertFalse(r.succeeded());
        assertTrue(r.errorMessage().isPresent());
        var e = assertThrows(ActionFailedException.class, () -> computer.tabs().switchTo("no-such-tab"));
        assertEquals(200, e.status());
        assertFalse(e.code().isEmpty());
        assertTrue(computer.execute(Action.waitFor(Duration.ofMillis(1)).requestId("sdk-wait")).succeeded());
        assertEquals("sdk-wait", computer.execute(Action.waitFor(Duration.ofMillis(1)).requestId("sdk-wait")).requestId().orElse(""));
        assertTrue(computer.wait(Duration.ofMillis(5)).succeeded());
    }

    @Test
    void execStreamsOutputThenTheExitCode() {
        var events = new ArrayList<ExecEvent>();
        try (var stream = computer.exec(ExecRequest.of("echo out; echo err >&2; exit 3").timeout(Duration.ofSeconds(60)))) {
            stream.forEach(events::add);
        }
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        for (var e : events) {
            if (e instanceof ExecEvent.Stdout) stdout.append(((ExecEvent.Stdout) e).data());
            if (e instanceof ExecEvent.Stderr) stderr.append(((ExecEvent.Stderr) e).data());
        }
        assertEquals("out\n", stdout.toString());
        assertEquals("err\n", stderr.toString());
        assertEquals(new ExecEvent.Exit(3), events.get(events.size() - 1));
    }

    @Test
    void execAsAStreamOfTypedEvents() {
        try (var stream = computer.exec("printf 'a\\nb\\n'; exit 0").stream()) {
            var all = stream.toList();
            assertEquals(new ExecEvent.Exit(0), all.get(all.size() - 1));
        }
    }

    @Test
    void execSyncReturnsTheOutputAndExitCode() {
        var r = computer.execSync("echo hi; exit 7");
        assertEquals(7, r.exitCode());
        assertEquals("hi\n", r.stdout());
        assertFalse(r.timedOut());
    }

    @Test
    void aBadExecRequestEndsTheStreamWithAFailure() {
        try (var stream = computer.exec(ExecRequest.of(""))) {
            var all = new ArrayList<ExecEvent>();
            stream.forEach(all::add);
            assertEquals(1, all.size(), all.toString());
            assertTrue(all.get(0) instanceof ExecEvent.Failure, all.toString());
        }
    }

    @Test
    void theEventStreamShowsAnActionsRequestAndResponse() {
        assertTimeoutPreemptively(WAIT, () -> {
            try (var events = computer.events()) {
                computer.execute(Action.waitFor(Duration.ofMillis(1)).requestId("sdk-events-1"));
                var seen = new ArrayList<String>();
                for (var e : events) {
                    if (e.requestId().filter("sdk-events-1"::equals).isEmpty()) continue;
                    seen.add(e.type());
                    assertTrue(e.id().isPresent());
                    if (e.type().equals("action_response")) break;
                }
                assertEquals(List.of("action_request", "action_response"), seen);
            }
        });
    }

    @Test
    void closingAnEventStreamFromAnotherThreadEndsTheReaderBlockedOnIt() throws Exception {
        var events = computer.events();
        var started = new java.util.concurrent.CountDownLatch(1);
        var leftInterrupted = new java.util.concurrent.atomic.AtomicBoolean(true);
        var reader = new Thread(() -> {
            started.countDown();
            for (var e : events) {
                // nothing happens on the computer: the reader blocks until the close
            }
            leftInterrupted.set(Thread.currentThread().isInterrupted());
        });
        reader.start();
        assertTrue(started.await(30, java.util.concurrent.TimeUnit.SECONDS));
        // closed while the reader waits inside the JDK's body stream (bounded poll on the thread's state)
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (reader.getState() != Thread.State.WAITING && reader.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the reader never blocked: " + reader.getState());
            Thread.sleep(10);
        }
        events.close();
        reader.join(WAIT.toMillis());
        assertFalse(reader.isAlive(), "the reader ended");
        assertFalse(leftInterrupted.get(), "the interrupt that woke it was cleared");
    }

    @Test
    void tabsAreListedCreatedSwitchedAndClosed() {
        var before = computer.tabs().list();
        assertTrue(before.stream().anyMatch(Tab::mainTab), before.toString());
        var created = computer.tabs().create(server.pages.url("second.html"));
        assertFalse(created.isEmpty());
        var after = computer.tabs().list();
        assertEquals(before.size() + 1, after.size(), after.toString());
        assertTrue(after.stream().anyMatch(t -> t.tabId().equals(created) && t.mainTab()), after.toString());
        // an action aimed at the first tab while the new one is main
        var first = before.stream().filter(Tab::mainTab).findFirst().orElseThrow().tabId();
        assertEquals(first, computer.inTab(first).execute(Action.waitFor(Duration.ofMillis(1))).executedTabId().orElse(""));
        computer.tabs().switchTo(first);
        computer.tabs().close(created);
        assertEquals(before.size(), computer.tabs().list().size());
    }

    @Test
    void theScreencastStreamsJpegFrames() {
        assertTimeoutPreemptively(WAIT, () -> {
            try (var frames = computer.screencast()) {
                var first = frames.stream().filter(f -> f.image().isPresent()).findFirst().orElseThrow();
                assertEquals("message", first.name());
                var jpeg = first.image().orElseThrow();
                assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8}, Arrays.copyOf(jpeg, 2), "a JPEG");
            }
        });
    }

    @Test
    void debugReturnsBufferedOutputAndExitCode() {
        var r = computer.debug("echo dbg; exit 4");
        assertEquals(4, r.exitCode());
        assertEquals("dbg\n", r.stdout());
        assertTrue(r.output().contains("dbg"));
    }

    @Test
    void theCdpUrlIsAWebSocketUrlWithTheComputersToken() {
        var url = computer.cdpUrl();
        assertTrue(url.startsWith("ws://"), url);
        assertTrue(url.contains("token="), url);
        assertFalse(url.contains(RealServer.KEY), "the API key never goes into a URL");
    }
}
