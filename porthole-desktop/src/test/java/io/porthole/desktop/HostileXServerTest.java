package io.porthole.desktop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The X server is the computer's, so the client takes nothing it says on trust: every misbehaviour ends in a clear
 * {@link IOException} within the bound, with no hang and no allocation the server chose.
 */
class HostileXServerTest {
    private static final Duration BOUND = Duration.ofMillis(500);

    private static void assertFailsWith(String expected, Exception e) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(expected), "message: " + e.getMessage());
    }

    @Test
    void aServerThatNeverAnswersTheSetUpFailsTheConnectWithinTheBound() throws Exception {
        var hold = new CountDownLatch(1);
        try (var server = FakeXServer.start(s -> {
            s.readHello();
            hold.await();
        })) {
            var e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(IOException.class, () -> server.connect(BOUND)));
            assertFailsWith("did not complete the connection set-up", e);
        } finally {
            hold.countDown();
        }
    }

    @Test
    void aRefusalIsReportedWithTheServersReason() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.readHello();
            var b = FakeXServer.le(8 + 8);
            b.put((byte) 0).put((byte) 7).putShort((short) 11).putShort((short) 0).putShort((short) 2).put("go away\0".getBytes());
            s.write(b);
        })) {
            assertFailsWith("refused the connection: go away", assertThrows(IOException.class, () -> server.connect(BOUND)));
        }
    }

    @Test
    void aSetUpThatDoesNotAddUpIsRefused() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.readHello();
            // success, with 8 bytes of set-up where at least 40 (and a screen) must be
            var b = FakeXServer.le(16);
            b.put((byte) 1).put((byte) 0).putShort((short) 11).putShort((short) 0).putShort((short) 2).putLong(-1);
            s.write(b);
        })) {
            assertFailsWith("malformed", assertThrows(IOException.class, () -> server.connect(BOUND)));
        }
    }

    @Test
    void aReplyLongerThanItsRequestCanHaveEndsTheConnection() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.serveOpen();
            s.readRequest();
            // GetInputFocus answered with 16 GiB to come
            s.reply(1, 0xffffffffL, b -> { });
            Thread.sleep(5000);
        })) {
            var x = server.connect(BOUND);
            var e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(IOException.class, x::sync));
            assertFailsWith("broke the protocol: a reply of 17179869180 bytes to GetInputFocus", e);
            assertTrue(!x.isOpen());
            assertFailsWith("ended", assertThrows(IOException.class, x::sync));
        }
    }

    @Test
    void aServerThatStopsAnsweringFailsTheRequestWithinTheBound() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.serveOpen();
            s.readRequest();
            Thread.sleep(5000);
        })) {
            var x = server.connect(BOUND);
            var e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(IOException.class, x::sync));
            assertFailsWith("did not answer GetInputFocus within 500 ms", e);
        }
    }

    @Test
    void aServerThatStopsReadingEndsTheConnectionWithinTheBound() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.serveOpen();
            Thread.sleep(10_000);
        })) {
            var x = server.connect(BOUND);
            var e = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> assertThrows(IOException.class, () -> {
                while (true) {
                    x.fakeMotion(1, 1);
                    x.flush();
                }
            }));
            assertTrue(e.getMessage().contains("took nothing written") || e.getMessage().contains("ended"), e.getMessage());
        }
    }

    @Test
    void aServerThatClosesFailsTheNextRequestAtOnce() throws Exception {
        try (var server = FakeXServer.start(FakeXServer::serveOpen)) {
            var x = server.connect(BOUND);
            var e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(IOException.class, () -> {
                while (true) x.sync();
            }));
            assertTrue(e.getMessage().contains("closed the connection") || e.getMessage().contains("ended"), e.getMessage());
        }
    }

    @Test
    void aReplyToNothingEndsTheConnection() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.serveOpen();
            s.sequence = 999;
            s.reply(0, 0, b -> { });
            Thread.sleep(5000);
        })) {
            var x = server.connect(BOUND);
            var e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(IOException.class, () -> {
                while (true) x.sync();
            }));
            assertFailsWith("awaits none", e);
        }
    }

    @Test
    void aKeyboardMapThatDoesNotAddUpIsRefused() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.serveOpen();
            s.readRequest();
            // 7 keysyms a keycode for 248 keycodes would be 1736; this says 3
            s.reply(7, 3, b -> { });
            s.write(FakeXServer.le(12).position(12));
            Thread.sleep(5000);
        })) {
            var x = server.connect(BOUND);
            assertFailsWith("keyboard map of 3 keysyms", assertThrows(IOException.class, x::keyboardMapping));
        }
    }

    @Test
    void anImageShorterThanTheScreenIsRefused() throws Exception {
        try (var server = FakeXServer.start(s -> {
            s.serveOpen();
            s.readRequest();
            s.reply(24, 4, b -> { });
            s.write(FakeXServer.le(16).position(16));
            Thread.sleep(5000);
        })) {
            var x = server.connect(BOUND);
            assertFailsWith("an image of 16 bytes", assertThrows(IOException.class, () -> x.getImage(0, 0, 64, 48)));
        }
    }
}
