package io.porthole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.porthole.api.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server at the HTTP level, over raw sockets, with what no SDK sends: bodies a route answers before reading
 * (which must never be taken for a next request), broken framing, HEAD, and the errors Helidon answers itself.
 */
class HttpProtocolTest {
    private static final String KEY = TestServer.KEY;
    private static TestServer t;

    @BeforeAll
    static void server() {
        t = TestServer.get();
    }

    private static RawHttp connect(TestServer server) {
        return new RawHttp(server.server.port());
    }

    /** A request that, if the server ever ran it, would make an API key for {@code tenant}. */
    private static String keyRequest(String tenant) {
        var body = "{\"tenant\":\"" + tenant + "\"}";
        return "POST /admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static boolean keyExists(TestServer server, String tenant) {
        var keys = server.call("GET", "/admin/keys", null);
        assertEquals(200, keys.status(), keys.body());
        for (var k : keys.json()) if (k.path("tenant").asText().equals(tenant)) return true;
        return false;
    }

    private static String chunked(String body) {
        return Integer.toHexString(body.getBytes(StandardCharsets.ISO_8859_1).length) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    /** Requests answered before their body is read: the line and headers, without framing or Connection. */
    static Stream<Arguments> earlyAnswers() {
        var auth = "Authorization: Bearer " + KEY + "\r\n";
        var cases = List.of(
                Arguments.of("401 without a key", "POST /computers HTTP/1.1\r\nHost: x\r\n", 401),
                Arguments.of("404 for an unknown sandbox", "POST /browser-sandboxes/comp_nope/suspend HTTP/1.1\r\nHost: x\r\n" + auth, 404),
                Arguments.of("404 for exec on an unknown computer", "POST /computers/comp_nope/exec HTTP/1.1\r\nHost: x\r\n" + auth, 404),
                Arguments.of("404 for rpc to an unknown sandbox", "POST /browser-sandboxes/comp_nope/rpc HTTP/1.1\r\nHost: x\r\n" + auth, 404),
                Arguments.of("404 for an unknown route", "POST /nowhere HTTP/1.1\r\nHost: x\r\n" + auth, 404));
        var all = new ArrayList<Arguments>();
        for (var c : cases) {
            for (var close : new boolean[] {true, false}) {
                for (var chunked : new boolean[] {false, true}) {
                    var a = c.get();
                    all.add(Arguments.of(a[0], a[1], a[2], close, chunked));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, Connection: close {3}, chunked {4}")
    @MethodSource("earlyAnswers")
    void aBodyAnsweredBeforeItIsReadIsNeverRunAsARequest(String what, String head, int status, boolean close, boolean chunked) {
        var tenant = "smuggled-" + UUID.randomUUID();
        var inner = keyRequest(tenant);
        var request = head + (close ? "Connection: close\r\n" : "")
                + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" + chunked(inner) : "Content-Length: " + inner.length() + "\r\n\r\n" + inner);
        try (var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(status, answer.status(), what + ": " + answer.text());
            assertEquals("application/json", answer.header("Content-Type"));
            if (close) {
                assertEquals("close", answer.header("Connection"), what);
                assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1), "nothing after the answer");
            } else {
                // the connection is still in step: the next answer on it is the next request's
                var next = c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
                assertEquals(200, next.status(), next.text());
                assertEquals("ok", next.json().path("status").asText(), next.text());
                assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
            }
        }
        assertFalse(keyExists(t, tenant), "the body was run as a request");
    }

    @ParameterizedTest(name = "Connection: close {0}")
    @MethodSource("closeOrNot")
    void aBodyDeclaredOverTheLimitIs413AndTheConnectionCloses(boolean close) {
        var tenant = "smuggled-" + UUID.randomUUID();
        // the declared length is over the 1 MiB limit and more than is drained; what is sent of it is a request
        var request = "POST /computers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "Content-Length: " + (ConnectionGuard.DRAIN_BYTES + 1)
                + "\r\n\r\n" + keyRequest(tenant);
        try (var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(413, answer.status(), answer.text());
            assertEquals("payload_too_large", answer.json().path("code").asText());
            assertEquals("close", answer.header("Connection"), "too much to drain: the answer says it closes");
            assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
        }
        assertFalse(keyExists(t, tenant), "the body was run as a request");
    }

    static Stream<Boolean> closeOrNot() {
        return Stream.of(true, false);
    }

    @Test
    void anUploadOverTheLimitIsTakenToItsEndSoTheClientSeesThe413() {
        // closing with the upload still coming resets the connection, and a client often loses the answer with it
        var big = "{\"text\":\"" + "a".repeat(4 << 20) + "\"}";
        for (int i = 0; i < 10; i++) {
            var r = t.post("/computers", big);
            assertEquals(413, r.status(), "attempt " + i + ": " + r.body());
            assertEquals("payload_too_large", r.json().path("code").asText());
        }
        assertEquals(200, t.call("GET", "/health", null).status());
    }

    @Test
    void aSmallBodyOverTheLimitIsDrainedAndTheConnectionStaysInStep() {
        // a server of its own whose limit is smaller than the request inside the body
        var small = new TestServer(c -> c.toBuilder().maxBodyBytes(64).build());
        try {
            for (var chunked : new boolean[] {false, true}) {
                var tenant = "smuggled-" + UUID.randomUUID();
                var inner = keyRequest(tenant);
                var request = "POST /computers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n"
                        + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" + chunked(inner) : "Content-Length: " + inner.length() + "\r\n\r\n" + inner);
                try (var c = connect(small)) {
                    var answer = c.send(request).read();
                    assertEquals(413, answer.status(), answer.text());
                    var next = c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
                    assertEquals(200, next.status(), "chunked " + chunked + ": " + next.text());
                    assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
                }
                assertFalse(keyExists(small, tenant), "the body was run as a request");
            }
        } finally {
            small.close();
        }
    }

    @Test
    void aRequestThatAsksToCloseClosesTheConnectionAndNothingAfterItRuns() {
        var first = "first-" + UUID.randomUUID();
        var second = "second-" + UUID.randomUUID();
        var request = keyRequest(first).replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n") + keyRequest(second);
        try (var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(201, answer.status(), answer.text());
            assertEquals("close", answer.header("Connection"));
            assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
        }
        assertTrue(keyExists(t, first));
        assertFalse(keyExists(t, second), "a request after Connection: close was run");
    }

    @Test
    void aBodyTooLongToDrainClosesTheConnectionAfterTheAnswer() {
        var request = "POST /computers HTTP/1.1\r\nHost: x\r\nContent-Length: " + (ConnectionGuard.DRAIN_BYTES * 3) + "\r\n\r\n"
                + "x".repeat(100);
        try (var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(401, answer.status());
            assertEquals("close", answer.header("Connection"));
            c.awaitClose();
        }
    }

    @Test
    void aBodyThatStopsComingClosesTheConnectionAfterTheAnswer() {
        // 1,000 bytes declared, 10 sent, and then nothing: the server answers and does not wait for the rest
        var request = "POST /computers HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(10);
        try (var logs = new LogCapture(); var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(401, answer.status());
            c.awaitClose();
            assertEquals(List.of(), logs.warningsOrTraces());
        }
        assertEquals(200, t.call("GET", "/health", null).status());
    }

    @Test
    void aBodyHeldBackFor100ContinueIsNotWaitedFor() {
        var request = "POST /computers HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 20\r\n\r\n";
        try (var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(401, answer.status(), "a final answer, not 100 Continue");
            assertEquals("close", answer.header("Connection"));
            assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1), "no late 100 Continue");
        }
    }

    @Test
    void aMalformedChunkSizeIsAPrompt400AndNothingSevereIsLogged() {
        try (var logs = new LogCapture()) {
            for (var route : List.of("/computers", "/browser-sandboxes", "/admin/keys")) {
                var request = "POST " + route + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
                try (var c = connect(t)) {
                    var answer = c.send(request).read();
                    assertEquals(400, answer.status(), route + ": " + answer.text());
                    assertEquals("invalid_request", answer.json().path("code").asText(), answer.text());
                    assertEquals("close", answer.header("Connection"), "where the next request starts is unknown");
                    c.awaitClose();
                }
            }
            assertEquals(List.of(), logs.warningsOrTraces());
        }
    }

    @Test
    void aMalformedChunkInAnRpcStreamEndsItWithAnErrorLine() {
        var id = t.createComputer("{}");
        try {
            var line = "{\"id\":1,\"method\":\"tabs.list\"}\n";
            var request = "POST /browser-sandboxes/" + id + "/rpc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(line.length()) + "\r\n" + line + "\r\nzz\r\n";
            try (var logs = new LogCapture(); var c = connect(t)) {
                var answer = c.send(request).read();
                assertEquals(200, answer.status());
                var lines = answer.text().strip().split("\n");
                assertEquals(2, lines.length, answer.text());
                assertTrue(lines[0].contains("\"result\""), lines[0]);
                assertTrue(lines[1].contains("\"invalid_request\""), lines[1]);
                c.awaitClose();
                assertEquals(List.of(), logs.warningsOrTraces());
            }
        } finally {
            t.delete(id);
        }
    }

    @Test
    void headAnswersLikeGetWithoutABody() {
        var get = t.request("GET", "/health", null, Map.of());
        try (var c = connect(t)) {
            var head = c.send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n").readHead();
            assertEquals(200, head.status());
            assertEquals("application/json", head.header("Content-Type"));
            assertEquals(String.valueOf(get.raw().body().length), head.header("Content-Length"));
            // no body came: the next bytes on the connection are the next answer
            var next = c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
            assertEquals(200, next.status());
            assertEquals(get.body(), next.text());
            assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
        }
    }

    static Stream<Arguments> headRequests() {
        var auth = "Authorization: Bearer " + KEY + "\r\n";
        return Stream.of(
                Arguments.of("/computers", auth, 200),
                Arguments.of("/browser-sandboxes", auth, 200),
                Arguments.of("/openapi/browser-sandboxes.yaml", "", 200),
                Arguments.of("/computers/comp_nope", auth, 404),
                Arguments.of("/computers", "", 401),
                Arguments.of("/no/such/route", auth, 404),
                Arguments.of("/computers/comp_nope/click", auth, 404),
                Arguments.of("/screenshots/nope.png", "", 404));
    }

    @ParameterizedTest(name = "HEAD {0} {2}")
    @MethodSource("headRequests")
    void aHeadAnswerNeverCarriesABody(String path, String headers, int status) {
        try (var c = connect(t)) {
            var head = c.send("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n").readHead();
            assertEquals(status, head.status(), path);
            var next = c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
            assertEquals(200, next.status(), "the HEAD answer had a body: " + next.text());
            assertEquals("", new String(c.awaitClose(), StandardCharsets.ISO_8859_1));
        }
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("a request line too long", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                Arguments.of("a bad percent-encoding in the path", "GET /health%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a bad percent-encoding in the query", "GET /computers?type=%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a header without a colon", "GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400),
                Arguments.of("a space in a header name", "GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
                Arguments.of("headers too large", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: " + "a".repeat(20_000) + "\r\n\r\n", 400),
                Arguments.of("a Content-Length that is not a number", "POST /computers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
                Arguments.of("two Content-Lengths", "POST /computers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
                Arguments.of("Content-Length and chunked", "POST /computers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 400),
                Arguments.of("a transfer coding besides chunked", "POST /computers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
                Arguments.of("no Host header", "GET /health HTTP/1.1\r\n\r\n", 400),
                Arguments.of("HTTP/1.0", "GET /health HTTP/1.0\r\nHost: x\r\n\r\n", 505),
                Arguments.of("HTTP/1.2", "GET /health HTTP/1.2\r\nHost: x\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void whatHelidonRefusesItselfIsAJsonError(String what, String request, int status) {
        try (var c = connect(t)) {
            var answer = c.send(request).read();
            assertEquals(status, answer.status(), what + ": " + answer.text());
            assertEquals("application/json", answer.header("Content-Type"), what);
            var code = answer.json().path("code").asText();
            var known = Arrays.stream(ErrorCode.values()).filter(e -> e.wireName().equals(code)).findFirst();
            assertTrue(known.isPresent(), what + ": unknown code " + code);
            assertEquals(status, known.get().httpStatus(), what);
            var message = answer.json().path("message").asText();
            assertFalse(message.isBlank(), what);
            assertFalse(message.matches("(?s).*(Exception|java\\.|io\\.helidon|\\tat ).*"), what + ": " + message);
            c.awaitClose();
        }
    }
}
