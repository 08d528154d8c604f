package io.porthole.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against a tiny WebSocket server written here on a JDK server channel. */
@Timeout(30)
class WebSocketClientTest {

    /** What the client delivered. */
    static final class Recorder implements WebSocketClient.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public void onText(String message) {
            texts.add(message);
        }

        @Override
        public void onClosed(String reason) {
            if (!closed.complete(reason)) throw new AssertionError("onClosed twice");
        }

        String next() throws InterruptedException {
            var text = texts.poll(20, TimeUnit.SECONDS);
            if (text == null) throw new AssertionError("no message within 20 s");
            return text;
        }
    }

    /** The server's end of one connection: frames in and out, unmasked by the server as RFC 6455 says. */
    static final class ServerEnd {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();
        String requestHead;

        ServerEnd(SocketChannel ch) {
            this.ch = ch;
        }

        int readByte() throws IOException {
            if (!in.hasRemaining()) {
                in.clear();
                int n = ch.read(in);
                in.flip();
                if (n < 0) throw new EOFException();
            }
            return in.get() & 0xff;
        }

        /** Reads the request head and answers it with {@code accept} as the accept value (null: the right one). */
        void handshake(String accept) throws IOException {
            var head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) head.write(readByte());
            requestHead = head.toString(StandardCharsets.ISO_8859_1);
            var key = requestHead.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                    .findFirst().orElseThrow().substring("sec-websocket-key:".length()).strip();
            var answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + (accept != null ? accept : WebSocketClient.expectedAccept(key))
                    + "\r\n\r\n";
            write(answer.getBytes(StandardCharsets.US_ASCII));
        }

        void write(byte[] bytes) throws IOException {
            var buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        }

        void frame(boolean fin, int opcode, byte[] payload) throws IOException {
            var out = new ByteArrayOutputStream();
            out.write((fin ? 0x80 : 0) | opcode);
            if (payload.length > 65535) {
                out.write(127);
                out.write(ByteBuffer.allocate(8).putLong(payload.length).array());
            } else if (payload.length > 125) {
                out.write(126);
                out.write(ByteBuffer.allocate(2).putShort((short) payload.length).array());
            } else {
                out.write(payload.length);
            }
            out.write(payload);
            write(out.toByteArray());
        }

        /** Reads one client frame: {opcode, payload}; client frames must be masked. */
        Object[] readFrame() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            assertTrue((b1 & 0x80) != 0, "client frames are masked");
            long length = b1 & 0x7f;
            if (length == 126) length = (readByte() << 8) | readByte();
            else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) length = (length << 8) | readByte();
            }
            var mask = new byte[] {(byte) readByte(), (byte) readByte(), (byte) readByte(), (byte) readByte()};
            var payload = new byte[(int) length];
            for (int i = 0; i < payload.length; i++) payload[i] = (byte) (readByte() ^ mask[i & 3]);
            return new Object[] {b0 & 0x0f, payload};
        }
    }

    /** Serves one connection on loopback TCP with {@code script}; returns the client's connected channel. */
    private static SocketChannel serve(Consumer<ServerEnd> script) throws IOException {
        var server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofPlatform().daemon(true).start(() -> {
            try (server; var ch = server.accept()) {
                script.accept(new ServerEnd(ch));
            } catch (IOException e) {
                // the test sees it on the client side
            }
        });
        return SocketChannel.open(server.getLocalAddress());
    }

    private interface Script {
        void run(ServerEnd s) throws Exception;
    }

    private static Consumer<ServerEnd> script(Script script) {
        return s -> {
            try {
                script.run(s);
            } catch (IOException e) {
                // the client went away: what the test checks is on its side
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };
    }

    @Test
    void echoesTextBothWaysAndSendsTheRightHandshake() throws Exception {
        var heads = new CompletableFuture<String>();
        var ch = serve(script(s -> {
            s.handshake(null);
            heads.complete(s.requestHead);
            for (int i = 0; i < 2; i++) {
                var frame = s.readFrame();
                s.frame(true, (int) frame[0], (byte[]) frame[1]);
            }
            s.readFrame(); // the close frame
        }));
        var rec = new Recorder();
        try (var ws = WebSocketClient.connect(ch, "127.0.0.1:9222", "/session", rec)) {
            var head = heads.get(10, TimeUnit.SECONDS);
            assertTrue(head.startsWith("GET /session HTTP/1.1\r\n"), head);
            assertTrue(head.contains("\r\nHost: 127.0.0.1:9222\r\n"), head);
            assertTrue(head.contains("\r\nSec-WebSocket-Version: 13\r\n"), head);
            ws.sendText("{\"id\":1}");
            assertEquals("{\"id\":1}", rec.next());
            var unicode = "héllo 😀 " + "x".repeat(300); // 16-bit length and multi-byte characters
            ws.sendText(unicode);
            assertEquals(unicode, rec.next());
        }
        assertEquals("closed by Porthole", rec.closed.get(10, TimeUnit.SECONDS));
    }

    @Test
    void joinsFragmentsAndAnswersAPingInTheMiddle() throws Exception {
        var pong = new CompletableFuture<Object[]>();
        var ch = serve(script(s -> {
            s.handshake(null);
            s.frame(false, 1, "frag".getBytes(StandardCharsets.UTF_8));
            s.frame(true, 9, "are you there".getBytes(StandardCharsets.UTF_8));
            s.frame(false, 0, "men".getBytes(StandardCharsets.UTF_8));
            s.frame(true, 0, "ted".getBytes(StandardCharsets.UTF_8));
            pong.complete(s.readFrame());
            s.readFrame();
        }));
        var rec = new Recorder();
        try (var ws = WebSocketClient.connect(ch, "localhost", "/", rec)) {
            assertEquals("fragmented", rec.next());
            var frame = pong.get(10, TimeUnit.SECONDS);
            assertEquals(10, frame[0]);
            assertArrayEquals("are you there".getBytes(StandardCharsets.UTF_8), (byte[]) frame[1]);
        }
    }

    @Test
    void receivesAndSendsATenMebibyteMessage() throws Exception {
        var big = new byte[10 << 20];
        for (int i = 0; i < big.length; i++) big[i] = (byte) ('a' + i % 26);
        var received = new CompletableFuture<byte[]>();
        var ch = serve(script(s -> {
            s.handshake(null);
            // in three fragments of uneven size
            s.frame(false, 1, Arrays.copyOfRange(big, 0, 1000));
            s.frame(false, 0, Arrays.copyOfRange(big, 1000, 5 << 20));
            s.frame(true, 0, Arrays.copyOfRange(big, 5 << 20, big.length));
            received.complete((byte[]) s.readFrame()[1]);
            s.readFrame();
        }));
        var rec = new Recorder();
        try (var ws = WebSocketClient.connect(ch, "localhost", "/", rec)) {
            var text = rec.next();
            assertEquals(big.length, text.length());
            assertArrayEquals(big, text.getBytes(StandardCharsets.US_ASCII));
            ws.sendText(text);
            assertArrayEquals(big, received.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aServerCloseIsReportedOnceAndAnswered() throws Exception {
        var answer = new CompletableFuture<Object[]>();
        var ch = serve(script(s -> {
            s.handshake(null);
            s.frame(true, 8, new byte[] {0x03, (byte) 0xe8, 'b', 'y', 'e'});
            answer.complete(s.readFrame());
        }));
        var rec = new Recorder();
        var ws = WebSocketClient.connect(ch, "localhost", "/", rec);
        assertEquals("closed by the server (1000 bye)", rec.closed.get(10, TimeUnit.SECONDS));
        assertEquals(8, answer.get(10, TimeUnit.SECONDS)[0]);
        assertThrows(IOException.class, () -> ws.sendText("late"));
        ws.close();
        ws.close();
    }

    @Test
    void aWrongAcceptValueFailsTheConnect() throws Exception {
        var ch = serve(script(s -> {
            s.handshake("dGhlIHNhbXBsZSBub25jZQ==");
            s.readByte();
        }));
        var e = assertThrows(IOException.class, () -> WebSocketClient.connect(ch, "localhost", "/", new Recorder()));
        assertTrue(e.getMessage().contains("Sec-WebSocket-Accept"), e.getMessage());
        assertTrue(!ch.isOpen());
    }

    @Test
    void aRefusedUpgradeSaysWhatTheServerAnswered() throws Exception {
        var ch = serve(script(s -> {
            while (s.readByte() != '\n') { /* the request line is enough */ }
            s.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }));
        var e = assertThrows(IOException.class, () -> WebSocketClient.connect(ch, "localhost", "/nope", new Recorder()));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        var ch = serve(script(s -> s.readByte()));
        var e = assertThrows(IOException.class, () -> WebSocketClient.connect(ch, "localhost", "/", new Recorder(),
                java.time.Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("handshake"), e.getMessage());
    }

    @Test
    void worksOverAUnixDomainSocket(@TempDir Path dir) throws Exception {
        var path = dir.resolve("ws.sock");
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
        Thread.ofPlatform().daemon(true).start(() -> {
            try (server; var ch = server.accept()) {
                var s = new ServerEnd(ch);
                s.handshake(null);
                var frame = s.readFrame();
                s.frame(true, 1, (byte[]) frame[1]);
                s.readFrame();
            } catch (IOException e) {
                // seen by the client
            }
        });
        var ch = SocketChannel.open(UnixDomainSocketAddress.of(path));
        var rec = new Recorder();
        try (var ws = WebSocketClient.connect(ch, "localhost", "/session", rec)) {
            ws.sendText("over unix");
            assertEquals("over unix", rec.next());
        }
        Files.deleteIfExists(path);
    }

    @Test
    void sendsFromManyThreadsDoNotInterleave() throws Exception {
        int threads = 8;
        int each = 50;
        var ch = serve(script(s -> {
            s.handshake(null);
            for (int i = 0; i < threads * each; i++) {
                var frame = s.readFrame();
                s.frame(true, 1, (byte[]) frame[1]);
            }
            s.readFrame();
        }));
        var rec = new Recorder();
        try (var ws = WebSocketClient.connect(ch, "localhost", "/", rec)) {
            var workers = new java.util.ArrayList<Thread>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            ws.sendText(id + ":" + i + ":" + "y".repeat(200 + i));
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                }));
            }
            for (var w : workers) w.join();
            var seen = new java.util.HashSet<String>();
            for (int i = 0; i < threads * each; i++) seen.add(rec.next());
            assertEquals(threads * each, seen.size());
        }
    }
}
