package io.porthole.engine.cdp;

import static io.porthole.engine.cdp.FakeCdpTransport.WAIT;
import static io.porthole.engine.cdp.FakeCdpTransport.answer;
import static io.porthole.engine.cdp.FakeCdpTransport.frame;
import static io.porthole.engine.cdp.FakeCdpTransport.frames;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CdpConnectionTest {
    private static final String SESSION = "6D1C8E0B2F9A4E31B7C05D8A9E4F2B17";

    private FakeCdpTransport browser;
    private CdpConnection cdp;

    @BeforeEach
    void connect() {
        browser = new FakeCdpTransport();
        cdp = new CdpConnection(browser::attach);
    }

    @AfterEach
    void disconnect() {
        cdp.close();
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("not completed within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        var e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        return e.getCause();
    }

    private static <T> T poll(BlockingQueue<T> q) {
        try {
            var v = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (v == null) fail("nothing arrived within " + WAIT);
            return v;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertTrue(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "latch not released within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // --- commands ---

    @Test
    void aCommandIsSentWithItsIdMethodParamsAndSession() {
        var f = cdp.send("Runtime.evaluate",
                CdpConnection.params().put("expression", "document.title").put("returnByValue", true), SESSION);
        var sent = browser.nextSent("Runtime.evaluate");
        assertTrue(sent.path("id").isIntegralNumber(), sent.toString());
        assertEquals("document.title", sent.path("params").path("expression").asText());
        assertTrue(sent.path("params").path("returnByValue").asBoolean());
        assertEquals(SESSION, sent.path("sessionId").asText());
        assertFalse(f.isDone());
    }

    @Test
    void aBrowserLevelCommandCarriesNoSessionAndNoEmptyParams() {
        cdp.send("Browser.getVersion", null, null);
        var sent = browser.nextSent("Browser.getVersion");
        assertFalse(sent.has("sessionId"), sent.toString());
        assertFalse(sent.has("params"), sent.toString());
        cdp.send("Target.getTargets", CdpConnection.params(), "");
        var second = browser.nextSent("Target.getTargets");
        assertFalse(second.has("sessionId"), second.toString());
        assertTrue(second.path("params").isObject());
    }

    @Test
    void everyCommandGetsItsOwnIncreasingId() {
        for (int i = 0; i < 5; i++) cdp.send("Page.enable", null, SESSION);
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            long id = browser.nextSent("Page.enable").path("id").asLong();
            assertTrue(id > previous, "id " + id + " after " + previous);
            previous = id;
        }
    }

    @Test
    void anAnswerCompletesItsCommandWithTheResult() {
        var f = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent("Browser.getVersion").path("id").asLong();
        browser.deliver(answer("browser-get-version-result.json", id));
        var result = await(f);
        assertEquals("1.3", result.path("protocolVersion").asText());
        assertTrue(result.path("product").asText().startsWith("HeadlessChrome/"), result.toString());
    }

    @Test
    void answersArrivingOutOfOrderCompleteTheirOwnCommands() {
        var version = cdp.send("Browser.getVersion", null, null);
        var create = cdp.send("Target.createTarget", CdpConnection.params().put("url", "about:blank"), null);
        var evaluate = cdp.send("Runtime.evaluate", CdpConnection.params().put("expression", "document.title"), SESSION);
        long versionId = browser.nextSent("Browser.getVersion").path("id").asLong();
        long createId = browser.nextSent("Target.createTarget").path("id").asLong();
        long evaluateId = browser.nextSent("Runtime.evaluate").path("id").asLong();

        browser.deliver(answer("runtime-evaluate-result.json", evaluateId));
        assertEquals("Example Domain", await(evaluate).path("result").path("value").asText());
        assertFalse(version.isDone());
        assertFalse(create.isDone());

        browser.deliver(answer("browser-get-version-result.json", versionId));
        assertEquals("1.3", await(version).path("protocolVersion").asText());
        assertFalse(create.isDone());

        browser.deliver(answer("target-create-target-result.json", createId));
        assertEquals("B8E1C2D3A4F5061728394A5B6C7D8E9F", await(create).path("targetId").asText());
    }

    @Test
    void anAnswerToNoPendingCommandIsIgnored() {
        var f = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent().path("id").asLong();
        browser.deliver(answer("target-create-target-result.json", id + 1000));
        assertFalse(f.isDone());
        browser.deliver(answer("browser-get-version-result.json", id));
        assertEquals("1.3", await(f).path("protocolVersion").asText());
    }

    @Test
    void aSecondAnswerToTheSameIdIsIgnored() {
        var f = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent().path("id").asLong();
        browser.deliver(answer("browser-get-version-result.json", id));
        browser.deliver(answer("error-no-target.json", id));
        assertEquals("1.3", await(f).path("protocolVersion").asText());
    }

    @Test
    void framesThatAreNotCdpMessagesAreIgnored() {
        var f = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent().path("id").asLong();
        browser.deliver("this is not json");
        browser.deliver("{}");
        browser.deliver("{\"id\":\"not-a-number\",\"result\":{}}");
        browser.deliver("[1,2,3]");
        assertFalse(f.isDone());
        assertTrue(cdp.isOpen());
        browser.deliver(answer("browser-get-version-result.json", id));
        assertEquals("1.3", await(f).path("protocolVersion").asText());
    }

    @Test
    void anErrorAnswerFailsTheCommandWithTheBrowsersCodeAndMessage() {
        var f = cdp.send("Target.attachToTarget", CdpConnection.params().put("targetId", "nope").put("flatten", true), null);
        long id = browser.nextSent("Target.attachToTarget").path("id").asLong();
        browser.deliver(answer("error-no-target.json", id));
        var e = assertInstanceOf(CdpException.class, failureOf(f));
        assertEquals(-32602, e.code());
        assertEquals("No target with given id found", e.getMessage());
    }

    @Test
    void anErrorAnswersDataIsAddedToTheMessage() {
        var f = cdp.send("Page.navigate", CdpConnection.params(), SESSION);
        long id = browser.nextSent("Page.navigate").path("id").asLong();
        browser.deliver(answer("error-invalid-params-with-data.json", id));
        var e = assertInstanceOf(CdpException.class, failureOf(f));
        assertEquals(-32602, e.code());
        assertEquals("Invalid parameters (Failed to deserialize params.url - BINDINGS: mandatory field missing"
                + " at position 2)", e.getMessage());
    }

    @Test
    void callReturnsTheResult() {
        browser.respondWith(cmd -> answer("runtime-evaluate-result.json", cmd.path("id").asLong()));
        var result = cdp.call("Runtime.evaluate", CdpConnection.params().put("expression", "document.title"), SESSION,
                WAIT);
        assertEquals("Example Domain", result.path("result").path("value").asText());
    }

    @Test
    void callRethrowsAnErrorAnswerNamingTheMethodAndKeepingTheCode() {
        browser.respondWith(cmd -> answer("error-no-target.json", cmd.path("id").asLong()));
        var e = assertThrows(CdpException.class, () -> cdp.call("Target.attachToTarget",
                CdpConnection.params().put("targetId", "gone"), null, WAIT));
        assertEquals(-32602, e.code());
        assertEquals("Target.attachToTarget: No target with given id found", e.getMessage());
    }

    @Test
    void callTimesOutWithAMessageNamingTheMethodAndTheWait() {
        var e = assertTimeoutPreemptively(WAIT, () -> assertThrows(CdpException.class,
                () -> cdp.call("Page.navigate", CdpConnection.params().put("url", "https://example.com"), SESSION,
                        Duration.ofSeconds(1))));
        assertEquals(-1, e.code());
        assertEquals("Page.navigate did not answer within 1000 ms", e.getMessage());
        assertTrue(cdp.isOpen(), "a slow command does not close the connection");
    }

    @Test
    void anAnswerArrivingAfterTheTimeoutIsHarmless() {
        assertThrows(CdpException.class, () -> cdp.call("Page.navigate", CdpConnection.params(), SESSION,
                Duration.ofMillis(100)));
        long lateId = browser.nextSent("Page.navigate").path("id").asLong();
        browser.deliver(answer("runtime-evaluate-result.json", lateId));
        var next = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent("Browser.getVersion").path("id").asLong();
        browser.deliver(answer("browser-get-version-result.json", id));
        assertEquals("1.3", await(next).path("protocolVersion").asText());
    }

    @Test
    void inputSentWithOneThatTimedOutIsForgottenOnceAbandonedAndLaterCommandsWork() {
        // a click's events go out together and are awaited in order; the first one timing out leaves the others
        var move = cdp.send("Input.dispatchMouseEvent", CdpConnection.params().put("type", "mouseMoved"), SESSION);
        var press = cdp.send("Input.dispatchMouseEvent", CdpConnection.params().put("type", "mousePressed"), SESSION);
        assertThrows(CdpException.class, () -> cdp.await("Input.dispatchMouseEvent", move, Duration.ofMillis(100)));
        cdp.abandon(press);
        assertEquals(0, cdp.pendingCount(), "no command is waited for any more");
        assertTrue(press.isCancelled());
        long moveId = browser.nextSent("Input.dispatchMouseEvent").path("id").asLong();
        long pressId = browser.nextSent("Input.dispatchMouseEvent").path("id").asLong();
        browser.deliver(answer("runtime-evaluate-result.json", moveId));
        browser.deliver(answer("runtime-evaluate-result.json", pressId));
        var next = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent("Browser.getVersion").path("id").asLong();
        browser.deliver(answer("browser-get-version-result.json", id));
        assertEquals("1.3", await(next).path("protocolVersion").asText());
        assertEquals(0, cdp.pendingCount());
    }

    @Test
    void aSendTheTransportRefusesFailsTheCommand() {
        var broken = new CdpException(-1, "could not send to the browser: broken pipe");
        browser.failSendsWith(broken);
        var f = cdp.send("Page.enable", null, SESSION);
        assertSame(broken, failureOf(f));
        var e = assertThrows(CdpException.class, () -> cdp.call("Page.enable", null, SESSION, WAIT));
        assertTrue(e.getMessage().startsWith("Page.enable: "), e.getMessage());
        assertTrue(e.getMessage().contains("broken pipe"), e.getMessage());
    }

    // --- events ---

    @Test
    void eventsReachListenersInArrivalOrderWithTheirSession() {
        var received = new LinkedBlockingQueue<CdpConnection.Event>();
        cdp.onEvent(received::add);
        var recorded = frames("page-load-sequence.ndjson");
        recorded.forEach(browser::deliver);

        var got = new ArrayList<CdpConnection.Event>();
        for (int i = 0; i < recorded.size(); i++) got.add(poll(received));
        assertEquals(List.of("Target.attachedToTarget", "Page.frameStartedLoading", "Page.frameNavigated",
                "Page.domContentEventFired", "Page.loadEventFired", "Page.frameStoppedLoading",
                "Target.targetInfoChanged"), got.stream().map(CdpConnection.Event::method).toList());
        assertEquals(List.of("", SESSION, SESSION, SESSION, SESSION, SESSION, ""),
                got.stream().map(CdpConnection.Event::sessionId).toList());

        var attached = got.get(0).params();
        assertEquals(SESSION, attached.path("sessionId").asText());
        assertEquals("page", attached.path("targetInfo").path("type").asText());
        assertEquals("https://example.com/", got.get(2).params().path("frame").path("url").asText());
        assertEquals(52871.402117, got.get(4).params().path("timestamp").asDouble());
    }

    @Test
    void everyListenerSeesEveryEventInOrder() {
        var first = new LinkedBlockingQueue<String>();
        var second = new LinkedBlockingQueue<String>();
        cdp.onEvent(e -> first.add(e.method()));
        cdp.onEvent(e -> second.add(e.method()));
        browser.deliver(frame("target-attached-to-target.json"));
        browser.deliver(frame("page-load-event-fired.json"));
        assertEquals("Target.attachedToTarget", poll(first));
        assertEquals("Page.loadEventFired", poll(first));
        assertEquals("Target.attachedToTarget", poll(second));
        assertEquals("Page.loadEventFired", poll(second));
    }

    @Test
    void eventsAreDeliveredOffTheTransportThread() {
        var threads = new LinkedBlockingQueue<Thread>();
        cdp.onEvent(e -> threads.add(Thread.currentThread()));
        browser.deliver(frame("page-load-event-fired.json"));
        assertNotEquals(Thread.currentThread(), poll(threads));
    }

    @Test
    void aListenerBlockedOnCallDoesNotStallResponsesOrLaterEvents() {
        var listenerResult = new CompletableFuture<JsonNode>();
        var order = new LinkedBlockingQueue<String>();
        cdp.onEvent(e -> {
            if (e.method().equals("Page.loadEventFired")) {
                try {
                    // As the driver does: ask the page something from inside an event.
                    listenerResult.complete(cdp.call("Runtime.evaluate",
                            CdpConnection.params().put("expression", "document.title"), e.sessionId(), WAIT));
                } catch (RuntimeException ex) {
                    listenerResult.completeExceptionally(ex);
                }
            }
            order.add(e.method());
        });

        browser.deliver(frame("page-load-event-fired.json"));
        var evaluate = browser.nextSent("Runtime.evaluate");
        assertEquals(SESSION, evaluate.path("sessionId").asText());

        // While the listener waits: a later event queues, and another command's answer still gets through.
        browser.deliver(frame("target-attached-to-target.json"));
        var version = cdp.send("Browser.getVersion", null, null);
        long versionId = browser.nextSent("Browser.getVersion").path("id").asLong();
        browser.deliver(answer("browser-get-version-result.json", versionId));
        assertEquals("1.3", await(version).path("protocolVersion").asText());
        assertFalse(listenerResult.isDone());
        assertTrue(order.isEmpty(), "the later event waits for the listener: " + order);

        browser.deliver(answer("runtime-evaluate-result.json", evaluate.path("id").asLong()));
        assertEquals("Example Domain", await(listenerResult).path("result").path("value").asText());
        assertEquals("Page.loadEventFired", poll(order));
        assertEquals("Target.attachedToTarget", poll(order));
    }

    @Test
    void aListenerThatThrowsDoesNotStopLaterEvents() {
        var received = new LinkedBlockingQueue<String>();
        cdp.onEvent(e -> {
            received.add(e.method());
            if (e.method().equals("Target.attachedToTarget")) throw new IllegalStateException("listener bug");
        });
        browser.deliver(frame("target-attached-to-target.json"));
        browser.deliver(frame("page-load-event-fired.json"));
        assertEquals("Target.attachedToTarget", poll(received));
        assertEquals("Page.loadEventFired", poll(received));
    }

    // --- closing ---

    @Test
    void closingTheTransportFailsPendingCommandsAndCompletesClosedFuture() {
        var a = cdp.send("Page.navigate", CdpConnection.params().put("url", "https://example.com"), SESSION);
        var b = cdp.send("Browser.getVersion", null, null);
        browser.nextSent();
        browser.nextSent();
        assertTrue(cdp.isOpen());
        assertFalse(cdp.closedFuture().isDone());

        browser.closeBy("closed by the browser (1006)");

        for (var f : List.of(a, b)) {
            var e = assertInstanceOf(CdpException.class, failureOf(f));
            assertEquals(-1, e.code());
            assertTrue(e.getMessage().contains("closed by the browser (1006)"), e.getMessage());
        }
        assertEquals("closed by the browser (1006)", await(cdp.closedFuture()));
        assertFalse(cdp.isOpen());
    }

    @Test
    void aCallWaitingWhenTheTransportClosesFailsAtOnce() {
        var outcome = new CompletableFuture<JsonNode>();
        Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(cdp.call("Page.captureScreenshot", CdpConnection.params(), SESSION,
                        Duration.ofMinutes(5)));
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        browser.nextSent("Page.captureScreenshot");
        browser.closeBy("connection error: java.io.EOFException");
        var e = assertInstanceOf(CdpException.class, failureOf(outcome));
        assertEquals(-1, e.code());
        assertTrue(e.getMessage().startsWith("Page.captureScreenshot: "), e.getMessage());
        assertTrue(e.getMessage().contains("java.io.EOFException"), e.getMessage());
    }

    @Test
    void aCommandAfterCloseFailsWithoutBeingSent() {
        browser.closeBy("closed by the browser (1000)");
        int sentBefore = browser.sent().size();
        var f = cdp.send("Page.enable", null, SESSION);
        assertTrue(f.isCompletedExceptionally());
        var e = assertInstanceOf(CdpException.class, failureOf(f));
        assertTrue(e.getMessage().contains("closed by the browser (1000)"), e.getMessage());
        assertEquals(sentBefore, browser.sent().size());
        assertThrows(CdpException.class, () -> cdp.call("Page.enable", null, SESSION, WAIT));
    }

    @Test
    void closingTheConnectionClosesTheTransportAndFailsPendingCommands() {
        var f = cdp.send("Page.enable", null, SESSION);
        browser.nextSent();
        cdp.close();
        assertTrue(browser.isClosed());
        assertEquals(1, browser.closeCalls());
        assertEquals("closed by Porthole", await(cdp.closedFuture()));
        assertInstanceOf(CdpException.class, failureOf(f));
        assertFalse(cdp.isOpen());
    }

    @Test
    void framesRacingInAfterCloseAreDroppedQuietly() {
        var f = cdp.send("Browser.getVersion", null, null);
        long id = browser.nextSent().path("id").asLong();
        browser.closeBy("closed by the browser (1000)");
        assertDoesNotThrow(() -> browser.deliver(frame("page-load-event-fired.json")));
        assertDoesNotThrow(() -> browser.deliver(answer("browser-get-version-result.json", id)));
        assertInstanceOf(CdpException.class, failureOf(f));
    }
}
