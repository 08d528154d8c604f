package io.porthole.server.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import io.porthole.core.internal.WebSocketClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our WebSocket layer on a bare Helidon listener, over raw sockets, with what the CDP and BiDi passthrough needs
 * of it (ADR 0013, ADR 0017): large and fragmented messages, binary frames, ping/pong, close codes, a client that
 * vanishes, a client that reads slowly, a client that stays silent. These are also the bar a replacement (such
 * as Helidon's own WebSocket module) has to pass. No browser: the endpoint echoes.
 */
class WsConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Short, so that the idle checker runs during the test; our connections must not count as idle. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(600);
    private static final int FLOOD_MESSAGES = 64;
    private static final int FLOOD_MESSAGE_BYTES = 1 << 20;

    /** What each connection's handler saw, by the {@code tag} of its URL: "open", "message <n chars>", "closed". */
    private static final Map<String, BlockingQueue<String>> seen = new ConcurrentHashMap<>();
    private static final AtomicReference<Thread> flooder = new AtomicReference<>();
    private static final AtomicInteger flooded = new AtomicInteger();
    private static WebServer server;

    @BeforeAll
    static void start() {
        WsEndpoint endpoint = (prologue, headers) -> switch (prologue.uriPath().path()) {
            case "/echo" -> Optional.of(new Echo(events(prologue.query().first("tag").orElse(""))));
            case "/flood" -> Optional.of(new Flood());
            default -> Optional.empty();
        };
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .idleConnectionTimeout(IDLE_TIMEOUT)
                .idleConnectionPeriod(Duration.ofMillis(200))
                .addProtocol(new WsProtocolConfig(List.of(endpoint)))
                .routing(r -> r.any((req, res) -> res.status(404).send("no such endpoint")))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    private static BlockingQueue<String> events(String tag) {
        return seen.computeIfAbsent(tag, t -> new LinkedBlockingQueue<>());
    }

    /** Echoes every message as text; "close:<code>" makes it close with that code. */
    private static final class Echo implements WsHandler {
        private final BlockingQueue<String> events;
        private WsSession session;

        Echo(BlockingQueue<String> events) {
            this.events = events;
        }

        @Override
        public void onOpen(WsSession session) {
            this.session = session;
            events.add("open");
        }

        @Override
        public void onMessage(String text) {
            events.add("message " + text.length());
            if (text.startsWith("close:")) {
                session.close(Integer.parseInt(text.substring(6)), "asked to");
            } else {
                session.send(text);
            }
        }

        @Override
        public void onClose() {
            events.add("closed");
        }
    }

    /** Sends {@link #FLOOD_MESSAGES} messages of {@link #FLOOD_MESSAGE_BYTES} as fast as the client takes them. */
    private static final class Flood implements WsHandler {
        @Override
        public void onOpen(WsSession session) {
            var message = "f".repeat(FLOOD_MESSAGE_BYTES);
            flooder.set(Thread.ofVirtual().name("flood").start(() -> {
                for (int i = 0; i < FLOOD_MESSAGES; i++) {
                    session.send(message);
                    flooded.incrementAndGet();
                }
            }));
        }

        @Override
        public void onMessage(String text) {
            // nothing expected
        }

        @Override
        public void onClose() {
            // nothing to record
        }
    }

    @Test
    void aMessageOfSeveralMegabytesGoesBothWaysWhole() throws IOException {
        var text = json(8 << 20);
        try (var ws = Peer.open("/echo")) {
            ws.send(true, Peer.TEXT, text.getBytes(StandardCharsets.UTF_8));
            var back = ws.read();
            assertEquals(Peer.TEXT, back.op());
            assertTrue(back.fin());
            assertEquals(text, back.text());
        }
    }

    @Test
    void aFragmentedMessageIsJoinedEvenWhereAFragmentEndsInsideACharacter() throws IOException {
        // a four-byte character split after its second byte, and a ping between the fragments
        var text = "{\"text\":\"ab\uD83D\uDE00cd\u00e9\"}";
        var bytes = text.getBytes(StandardCharsets.UTF_8);
        int cut = text.indexOf('\uD83D') + 2;
        try (var ws = Peer.open("/echo")) {
            ws.send(false, Peer.TEXT, Arrays.copyOfRange(bytes, 0, cut));
            ws.send(true, Peer.PING, "still there?".getBytes(StandardCharsets.UTF_8));
            ws.send(true, Peer.CONTINUATION, Arrays.copyOfRange(bytes, cut, bytes.length));
            var pong = ws.read();
            assertEquals(Peer.PONG, pong.op());
            assertEquals("still there?", pong.text());
            assertEquals(text, ws.read().text());
        }
    }

    @Test
    void aBinaryMessageIsTakenAsItsUtf8Text() throws IOException {
        var json = "{\"id\":1,\"method\":\"Browser.getVersion\"}";
        try (var ws = Peer.open("/echo")) {
            ws.send(true, Peer.BINARY, json.getBytes(StandardCharsets.UTF_8));
            var back = ws.read();
            assertEquals(Peer.TEXT, back.op());
            assertEquals(json, back.text());
        }
    }

    @Test
    void textThatIsNotUtf8ClosesWith1007() throws IOException {
        try (var ws = Peer.open("/echo")) {
            ws.send(true, Peer.TEXT, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
            assertEquals(1007, ws.read().closeCode());
            ws.assertEndsWithin(WAIT);
        }
    }

    @Test
    void anUnmaskedFrameClosesWith1002() throws IOException {
        try (var ws = Peer.open("/echo")) {
            ws.sendUnmasked(Peer.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
            assertEquals(1002, ws.read().closeCode());
            ws.assertEndsWithin(WAIT);
        }
    }

    @Test
    void aFrameLargerThanTheLimitClosesWith1009BeforeItsPayloadIsRead() throws IOException {
        try (var ws = Peer.open("/echo")) {
            // only the header goes out: the declared length alone is refused
            ws.sendHeader(Peer.TEXT, WebSocketClient.MAX_MESSAGE_BYTES + 1L);
            assertEquals(1009, ws.read().closeCode());
            ws.assertEndsWithin(WAIT);
        }
    }

    @Test
    void theServersCloseCarriesItsCode() throws IOException {
        try (var ws = Peer.open("/echo")) {
            ws.send(true, Peer.TEXT, "close:4000".getBytes(StandardCharsets.UTF_8));
            var close = ws.read();
            assertEquals(4000, close.closeCode());
            assertEquals("asked to", close.closeReason());
            ws.assertEndsWithin(WAIT);
        }
    }

    @Test
    void theClientsCloseIsAnsweredAndEndsTheSession() throws IOException, InterruptedException {
        try (var ws = Peer.open("/echo?tag=client-close")) {
            assertEquals("open", next("client-close"));
            ws.send(true, Peer.CLOSE, new byte[] {0x03, (byte) 0xe8});
            assertEquals(1000, ws.read().closeCode());
            ws.assertEndsWithin(WAIT);
            assertEquals("closed", next("client-close"));
        }
    }

    @Test
    void aClientThatVanishesWithoutACloseEndsTheSession() throws IOException, InterruptedException {
        var ws = Peer.open("/echo?tag=vanish");
        assertEquals("open", next("vanish"));
        ws.send(true, Peer.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}", ws.read().text());
        assertEquals("message 2", next("vanish"));
        // the process of a client dies: its socket closes without a close frame
        ws.close();
        assertEquals("closed", next("vanish"), "the relay must learn of it to close its browser connection and record the detach");
    }

    @Test
    void aClientThatReadsSlowlyHoldsTheSenderBackInsteadOfFillingMemory() throws IOException, InterruptedException {
        flooded.set(0);
        flooder.set(null);
        try (var ws = Peer.open("/flood", 64 << 10)) {
            // the client reads nothing: the sender must come to a stop in a blocking write, not queue
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (flooder.get() == null || flooder.get().getState() != Thread.State.WAITING) {
                assertTrue(System.nanoTime() < deadline, "the sender never blocked; it sent " + flooded.get());
                if (flooder.get() != null && !flooder.get().isAlive()) break;
                Thread.sleep(10);
            }
            int sentWhileBlocked = flooded.get();
            assertTrue(sentWhileBlocked < FLOOD_MESSAGES / 4, "the server took " + sentWhileBlocked
                    + " MiB for a client that read nothing; it must hold the sender back at what the socket takes");
            // once the client reads, everything arrives and the sender finishes
            for (int i = 0; i < FLOOD_MESSAGES; i++) assertEquals(FLOOD_MESSAGE_BYTES, ws.read().payload().length);
            flooder.get().join(WAIT);
            assertEquals(FLOOD_MESSAGES, flooded.get());
        }
    }

    @Test
    void aSilentClientIsNotClosedAsIdle() throws IOException, InterruptedException {
        try (var ws = Peer.open("/echo")) {
            // an ordinary keep-alive connection opened later is idle for less time than the WebSocket: once the
            // idle checker has closed it, it has passed over the WebSocket too
            try (var http = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                http.setSoTimeout((int) WAIT.toMillis());
                http.getOutputStream().write("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                var in = http.getInputStream();
                var answer = new ByteArrayOutputStream();
                for (int b; (b = in.read()) >= 0; ) answer.write(b);
                assertTrue(answer.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 404"), answer.toString());
            }
            ws.send(true, Peer.TEXT, "{\"id\":2}".getBytes(StandardCharsets.UTF_8));
            assertEquals("{\"id\":2}", ws.read().text());
        }
    }

    @Test
    void anOfferedSubprotocolIsNotSelected() throws IOException {
        // Playwright and Puppeteer offer none; CDP and BiDi define none. The RFC lets the server choose none.
        try (var ws = Peer.open("/echo", 0, "Sec-WebSocket-Protocol: chat, cdp\r\n")) {
            assertFalse(ws.responseHeaders.containsKey("sec-websocket-protocol"), ws.responseHeaders.toString());
            ws.send(true, Peer.TEXT, "{}".getBytes(StandardCharsets.UTF_8));
            assertEquals("{}", ws.read().text());
        }
    }

    private static String next(String tag) throws InterruptedException {
        var event = events(tag).poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(event, "nothing happened within " + WAIT);
        return event;
    }

    /** A JSON message of about {@code bytes}, with some characters outside ASCII. */
    private static String json(int bytes) {
        var sb = new StringBuilder(bytes + 64).append("{\"id\":1,\"result\":{\"data\":\"");
        var pattern = "iVBORw0KGgo\u00e9\u4e2d\uD83D\uDE00";
        while (sb.length() < bytes) sb.append(pattern);
        return sb.append("\"}}").toString();
    }

    /** A WebSocket client over a raw socket, sending frames exactly as told. Every read is bounded. */
    private static final class Peer implements AutoCloseable {
        static final int CONTINUATION = 0;
        static final int TEXT = 1;
        static final int BINARY = 2;
        static final int CLOSE = 8;
        static final int PING = 9;
        static final int PONG = 10;

        record Frame(boolean fin, int op, byte[] payload) {
            String text() {
                return new String(payload, StandardCharsets.UTF_8);
            }

            int closeCode() {
                assertEquals(CLOSE, op, "not a close frame");
                return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            }

            String closeReason() {
                return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
            }
        }

        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        final Map<String, String> responseHeaders = new HashMap<>();

        private Peer(Socket socket, InputStream in) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(in);
            this.out = socket.getOutputStream();
        }

        static Peer open(String path) throws IOException {
            return open(path, 0, "");
        }

        static Peer open(String path, int receiveBuffer) throws IOException {
            return open(path, receiveBuffer, "");
        }

        /** Connects and upgrades; fails unless the answer is 101. */
        static Peer open(String path, int receiveBuffer, String extraHeaders) throws IOException {
            var socket = new Socket();
            if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            socket.setSoTimeout((int) WAIT.toMillis());
            var peer = new Peer(socket, socket.getInputStream());
            peer.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
            var head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = peer.in.read();
                if (b < 0) throw new EOFException("closed before the handshake answer: " + head);
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            var lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            assertTrue(lines[0].startsWith("HTTP/1.1 101 "), lines[0]);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    peer.responseHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            assertEquals(WebSocketClient.expectedAccept("dGhlIHNhbXBsZSBub25jZQ=="), peer.responseHeaders.get("sec-websocket-accept"));
            return peer;
        }

        void send(boolean fin, int op, byte[] payload) throws IOException {
            var mask = new byte[] {0x37, (byte) 0xfa, 0x21, 0x3d};
            var masked = payload.clone();
            for (int i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
            var frame = new ByteArrayOutputStream(masked.length + 14);
            frame.write((fin ? 0x80 : 0) | op);
            writeLength(frame, 0x80, masked.length);
            frame.write(mask);
            frame.write(masked);
            out.write(frame.toByteArray());
            out.flush();
        }

        void sendUnmasked(int op, byte[] payload) throws IOException {
            var frame = new ByteArrayOutputStream();
            frame.write(0x80 | op);
            writeLength(frame, 0, payload.length);
            frame.write(payload);
            out.write(frame.toByteArray());
            out.flush();
        }

        /** A masked frame's header declaring {@code length} bytes, and nothing of the payload. */
        void sendHeader(int op, long length) throws IOException {
            var frame = new ByteArrayOutputStream();
            frame.write(0x80 | op);
            writeLength(frame, 0x80, length);
            frame.write(new byte[] {1, 2, 3, 4});
            out.write(frame.toByteArray());
            out.flush();
        }

        private static void writeLength(ByteArrayOutputStream frame, int maskBit, long length) {
            if (length < 126) {
                frame.write(maskBit | (int) length);
            } else if (length < 65536) {
                frame.write(maskBit | 126);
                frame.write((int) (length >> 8));
                frame.write((int) length);
            } else {
                frame.write(maskBit | 127);
                for (int i = 7; i >= 0; i--) frame.write((int) (length >> (8 * i)));
            }
        }

        /** The next frame from the server, which must be unmasked. */
        Frame read() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            assertEquals(0, b1 & 0x80, "a server's frames are not masked");
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            var payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
        }

        /** Reads to the end of the stream, which must come within {@code wait}: the server closed the socket. */
        void assertEndsWithin(Duration wait) throws IOException {
            socket.setSoTimeout((int) wait.toMillis());
            var rest = in.readAllBytes();
            assertArrayEquals(new byte[0], rest, "nothing is sent after the close frame");
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
