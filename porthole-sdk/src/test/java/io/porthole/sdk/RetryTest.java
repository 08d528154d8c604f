package io.porthole.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.sdk.StubServer.Reply;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retry rules of {@link Porthole} against a stub that fails on purpose: which requests go again, how often,
 * after how long, and what the server's x-should-retry and Retry-After change.
 */
class RetryTest {
    private static final String COMPUTER = "{\"id\":\"comp_1\",\"kind\":\"browser\",\"status\":\"running\"}";
    private static final String OK_ACTION = "{\"status\":\"success\",\"result\":{}}";
    private StubServer stub;
    private Porthole porthole;

    @BeforeEach
    void start() {
        stub = new StubServer();
        porthole = stub.client();
    }

    @AfterEach
    void stop() {
        porthole.close();
        stub.close();
    }

    private static Reply unavailable() {
        return Reply.of(503, "{\"code\":\"unavailable\",\"message\":\"try later\"}").with("retry-after-ms", "10");
    }

    @Test
    void aReadIsRetriedOn503UntilItSucceedsCountingItsRetries() {
        stub.then(unavailable(), unavailable(), Reply.of(200, "[]"));
        assertEquals(List.of(), porthole.computers().list());
        var requests = stub.requests();
        assertEquals(3, requests.size());
        assertEquals(List.of("0", "1", "2"), requests.stream().map(StubServer.Request::retryCount).toList());
        assertEquals("Bearer stub-key", requests.get(0).authorization());
    }

    @Test
    void retriesStopAtTheBudgetAndTheLastErrorIsThrown() {
        stub.then(unavailable());
        var e = assertThrows(InternalServerException.class, () -> porthole.computers().list());
        assertEquals(503, e.status());
        assertEquals("unavailable", e.code());
        assertEquals("try later", e.getMessage());
        assertEquals(3, stub.requests().size(), "two retries by default");
    }

    @Test
    void theBudgetIsPerClientAndPerRequest() {
        stub.then(unavailable());
        assertThrows(InternalServerException.class,
                () -> porthole.withOptions(RequestOptions.none().maxRetries(0)).computers().list());
        assertEquals(1, stub.requests().size());
        try (var patient = Porthole.builder().baseUrl(stub.url()).apiKey("k").maxRetries(4).build()) {
            assertThrows(InternalServerException.class, () -> patient.computers().list());
        }
        assertEquals(1 + 5, stub.requests().size());
    }

    @Test
    void xShouldRetryFalseStopsRetrying() {
        stub.then(unavailable().with("x-should-retry", "false"));
        assertThrows(InternalServerException.class, () -> porthole.computers().list());
        assertEquals(1, stub.requests().size());
    }

    @Test
    void aClickIsNotRepeatedAfterA500() {
        stub.then(Reply.of(500, "{\"code\":\"internal\",\"message\":\"boom\"}"));
        var computer = porthole.computers().attach("comp_1");
        assertThrows(InternalServerException.class, () -> computer.click(1, 2));
        assertEquals(1, stub.requests().size(), "the server may have clicked");
        assertThrows(InternalServerException.class, () -> porthole.computers().create());
        assertEquals(2, stub.requests().size(), "a create is not repeated either: it could start two computers");
    }

    @Test
    void aClickIsRepeatedWhenTheServerSaysSo() {
        stub.then(Reply.of(500, "{}").with("x-should-retry", "true"), Reply.of(200, OK_ACTION));
        assertTrue(porthole.computers().attach("comp_1").click(1, 2).succeeded());
        assertEquals(2, stub.requests().size());
        assertEquals(stub.requests().get(0).body(), stub.requests().get(1).body());
    }

    @Test
    void aRateLimitedCreateIsRetriedAfterRetryAfter() {
        stub.then(Reply.of(429, "{\"code\":\"limit_exceeded\",\"message\":\"slow down\"}").with("Retry-After", "1"),
                Reply.of(200, COMPUTER));
        var computer = porthole.computers().create();
        assertEquals("comp_1", computer.id());
        var requests = stub.requests();
        assertEquals(2, requests.size());
        // Retry-After: 1 is a lower bound on the wait; nothing asserts how fast anything is
        assertTrue(requests.get(1).atNanos() - requests.get(0).atNanos() >= Duration.ofMillis(950).toNanos(),
                "waited for Retry-After");
    }

    @Test
    void aRateLimitThatOutlastsTheRetriesIsARateLimitException() {
        stub.then(Reply.of(429, "{\"code\":\"limit_exceeded\",\"message\":\"slow down\"}").with("retry-after-ms", "5"));
        var e = assertThrows(RateLimitException.class, () -> porthole.computers().create());
        assertEquals("limit_exceeded", e.code());
        assertEquals(3, stub.requests().size());
    }

    @Test
    void aConflictIsRetriedForAReadOnly() {
        stub.then(Reply.of(409, "{\"code\":\"wrong_state\",\"message\":\"paused\"}").with("retry-after-ms", "5"));
        assertThrows(ConflictException.class, () -> porthole.computers().get("comp_1"));
        assertEquals(3, stub.requests().size());
        assertThrows(ConflictException.class, () -> porthole.computers().attach("comp_1").type("x"));
        assertEquals(4, stub.requests().size());
    }

    @Test
    void aTimedOutReadIsRetriedAndATimedOutActionIsNot() throws Exception {
        stub.then(Reply.of(200, OK_ACTION).after(Duration.ofSeconds(5)));
        var quick = porthole.withOptions(RequestOptions.none().timeout(Duration.ofMillis(500)));
        var e = assertThrows(ApiTimeoutException.class, () -> quick.computers().attach("comp_1").type("x"));
        assertEquals(0, e.status());
        assertEquals("timeout", e.code());
        assertEquals(1, awaitRequests(1));
        assertThrows(ApiTimeoutException.class, () -> quick.computers().attach("comp_1").screenshot());
        assertEquals(1 + 3, awaitRequests(1 + 3), "a screenshot is safe to repeat");
    }

    /**
     * The number of requests the stub has seen, once it has seen {@code n} or 10 s have passed: a request the client
     * gave up on may be handled by the stub a little after the client's timeout.
     */
    private int awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stub.requests().size() < n && System.nanoTime() < deadline) Thread.sleep(10);
        return stub.requests().size();
    }

    @Test
    void aRefusedConnectionIsAnApiConnectionException() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (var nowhere = Porthole.builder().baseUrl("http://127.0.0.1:" + port).apiKey("k").maxRetries(1).build()) {
            var e = assertThrows(ApiConnectionException.class, () -> nowhere.computers().attach("c").click(1, 1));
            assertEquals(0, e.status());
            assertEquals("connection_error", e.code());
        }
    }

    @Test
    void errorsAreNamedByStatusAndKeepCodeAndMessage() {
        stub.then(Reply.of(404, "{\"code\":\"not_found\",\"message\":\"no computer\"}"),
                Reply.of(422, "{\"code\":\"computer_paused\",\"message\":\"resume it\"}"),
                Reply.of(403, "{\"code\":\"forbidden\",\"message\":\"admins only\"}"),
                Reply.of(418, "not json"));
        var computers = porthole.computers();
        var notFound = assertThrows(NotFoundException.class, () -> computers.get("x"));
        assertEquals("no computer", notFound.getMessage());
        assertEquals("computer_paused", assertThrows(UnprocessableEntityException.class, () -> computers.attach("x").click(1, 1)).code());
        assertInstanceOf(PermissionDeniedException.class, assertThrows(PortholeException.class, () -> computers.list()));
        var teapot = assertThrows(PortholeException.class, () -> computers.list());
        assertEquals(418, teapot.status());
        assertEquals("not json", teapot.getMessage());
        assertEquals(4, stub.requests().size(), "none of these is retried");
    }

    @Test
    void pagesAreFetchedOnlyAsFarAsTheStreamIsRead() {
        stub.then(Reply.of(200, "{\"id\":\"comp_1\",\"browser\":\"chromium\",\"state\":\"running\"}"),
                Reply.of(200, "{\"items\":[{\"id\":\"3\",\"category\":\"lifecycle\",\"type\":\"a\"}],\"nextCursor\":\"3\"}"),
                Reply.of(200, "{\"items\":[{\"id\":\"2\",\"category\":\"lifecycle\",\"type\":\"b\"}],\"nextCursor\":\"2\"}"),
                Reply.of(200, "{\"items\":[{\"id\":\"1\",\"category\":\"lifecycle\",\"type\":\"c\"}],\"nextCursor\":null}"));
        var sandbox = porthole.sandboxes().get("comp_1");
        assertEquals("3", sandbox.replayEvents(1).findFirst().orElseThrow().id());
        assertEquals(2, stub.requests().size(), "one page read for one event");
        assertTrue(stub.requests().get(1).path().endsWith("/replay-events?limit=1"), stub.requests().get(1).path());
        assertEquals(List.of("2", "1"), sandbox.replayEvents(1).map(ReplayEvent::id).limit(2).toList());
        assertTrue(stub.requests().get(3).path().endsWith("&cursor=2"), stub.requests().get(3).path());
    }
}
