package io.porthole.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small RFC 6455 WebSocket client over a {@link SocketChannel} that is connected already (TCP or a unix
 * domain socket, which the JDK's HTTP client cannot use): text messages out (masked, one frame each), whole
 * text messages in (fragments joined, pings answered). Reads run on a platform thread
 * ({@link Threads#onPipeThread}): a blocking read pins a virtual thread's carrier. Thread-safe.
 *
 * <p>The channel is used in blocking mode through {@link SocketChannel#read} and {@link SocketChannel#write}
 * directly, which lock reads and writes separately; the streams of {@code java.nio.channels.Channels} lock
 * both on one monitor, so a send would wait for the next message to arrive.
 */
public final class WebSocketClient implements AutoCloseable {
    /** The largest message accepted; a larger one closes the connection (1009). */
    public static final int MAX_MESSAGE_BYTES = 256 << 20;
    /** How long the opening handshake may take by default. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;

    /** What arrives; called from one thread, in order. */
    public interface Listener {
        void onText(String message);

        /** Called once when the connection ends, by either side, after the handshake succeeded. */
        void onClosed(String reason);
    }

    private final SocketChannel channel;
    private final Listener listener;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    /** Bytes read from the channel but not consumed yet: starts with what followed the handshake. */
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();

    private WebSocketClient(SocketChannel channel, Listener listener) {
        this.channel = channel;
        this.listener = listener;
    }

    /** {@link #connect(SocketChannel, String, String, Listener, Duration)} with the default timeout. */
    public static WebSocketClient connect(SocketChannel ch, String hostHeader, String path, Listener l) throws IOException {
        return connect(ch, hostHeader, path, l, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * Does the opening handshake on {@code ch} (blocking, connected) and starts reading.
     *
     * @param hostHeader the {@code Host} header, e.g. {@code 127.0.0.1:9222}
     * @param path the request target, e.g. {@code /session}
     * @throws IOException if the server does not accept the upgrade within {@code timeout}; the channel is
     *     closed then
     */
    public static WebSocketClient connect(SocketChannel ch, String hostHeader, String path, Listener l,
                                          Duration timeout) throws IOException {
        if (!ch.isBlocking()) ch.configureBlocking(true);
        var client = new WebSocketClient(ch, l);
        var handshake = new CompletableFuture<Void>();
        Threads.onPipeThread(() -> {
            try {
                client.handshake(hostHeader, path);
                handshake.complete(null);
            } catch (Throwable e) {
                handshake.completeExceptionally(e);
                quietlyClose(ch);
                return;
            }
            client.readLoop();
        });
        try {
            handshake.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            quietlyClose(ch);
            throw new IOException("interrupted during the WebSocket handshake", e);
        } catch (TimeoutException e) {
            quietlyClose(ch);
            throw new IOException("no WebSocket handshake answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            quietlyClose(ch);
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("WebSocket handshake failed: " + e.getCause(), e.getCause());
        }
    }

    private void handshake(String hostHeader, String path) throws IOException {
        var nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        var key = Base64.getEncoder().encodeToString(nonce);
        var request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
        writeFully(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));

        var head = new ByteArrayOutputStream();
        int matched = 0; // of "\r\n\r\n"
        while (matched < 4) {
            if (!in.hasRemaining()) fill("the server closed the connection during the WebSocket handshake");
            byte b = in.get();
            head.write(b);
            if (head.size() > 65536) throw new IOException("WebSocket handshake answer too long");
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        var lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        var status = lines[0];
        var parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].equals("101")) {
            throw new IOException("the server refused the WebSocket upgrade of " + path + ": " + status);
        }
        String accept = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("sec-websocket-accept")) {
                accept = lines[i].substring(colon + 1).strip();
            }
        }
        if (!expectedAccept(key).equals(accept)) {
            throw new IOException("wrong Sec-WebSocket-Accept in the server's handshake answer: " + accept);
        }
    }

    /** The {@code Sec-WebSocket-Accept} value a server must answer to {@code key}. */
    public static String expectedAccept(String key) {
        try {
            var sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JDK", e);
        }
    }

    private void readLoop() {
        String reason;
        try {
            reason = readMessages();
        } catch (IOException e) {
            reason = closing.get() ? "closed by Porthole" : "connection error: " + e.getMessage();
        } catch (RuntimeException e) {
            reason = "error while reading: " + e;
        }
        quietlyClose(channel);
        report(reason);
    }

    /** Reads until the connection ends; returns why. */
    private String readMessages() throws IOException {
        byte[] message = new byte[0];
        int messageLength = 0;
        int messageOpcode = -1; // of the fragmented message being assembled, -1 if none
        while (true) {
            int b0 = readByte();
            int b1 = readByte();
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7f;
            if (length == 126) {
                length = ((long) readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) length = (length << 8) | readByte();
                if (length < 0) return protocolError(1002, "negative frame length");
            }
            byte[] mask = null;
            if (masked) {
                mask = new byte[4];
                readFully(mask, 0, 4);
            }
            if (opcode >= 8) { // control frame: short, never fragmented, may come between fragments
                if (length > 125 || !fin) return protocolError(1002, "bad control frame");
                var payload = new byte[(int) length];
                readFully(payload, 0, payload.length);
                unmask(payload, 0, payload.length, mask);
                switch (opcode) {
                    case OP_PING -> sendFrame(OP_PONG, payload);
                    case OP_PONG -> { }
                    case OP_CLOSE -> {
                        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        var why = payload.length > 2
                                ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                        if (closing.compareAndSet(false, true)) {
                            try {
                                sendFrame(OP_CLOSE, payload.length >= 2 ? Arrays.copyOf(payload, 2) : new byte[0]);
                            } catch (IOException ignored) {
                                // it is going away anyway
                            }
                        }
                        return "closed by the server (" + code + (why.isEmpty() ? "" : " " + why) + ")";
                    }
                    default -> { return protocolError(1002, "unknown control opcode " + opcode); }
                }
                continue;
            }
            if (opcode == OP_CONTINUATION) {
                if (messageOpcode < 0) return protocolError(1002, "continuation frame without a message");
            } else if (opcode == OP_TEXT || opcode == OP_BINARY) {
                if (messageOpcode >= 0) return protocolError(1002, "new message inside a fragmented one");
                messageOpcode = opcode;
                messageLength = 0;
            } else {
                return protocolError(1002, "unknown opcode " + opcode);
            }
            if (messageLength + length > MAX_MESSAGE_BYTES) {
                return protocolError(1009, "message larger than " + MAX_MESSAGE_BYTES + " bytes");
            }
            int needed = messageLength + (int) length;
            if (needed > message.length) {
                message = Arrays.copyOf(message, (int) Math.min(MAX_MESSAGE_BYTES, Math.max(needed, 2L * message.length)));
            }
            readFully(message, messageLength, (int) length);
            unmask(message, messageLength, (int) length, mask);
            messageLength = needed;
            if (fin) {
                if (messageOpcode == OP_TEXT) {
                    listener.onText(new String(message, 0, messageLength, StandardCharsets.UTF_8));
                } // binary messages are not part of what we speak: dropped
                messageOpcode = -1;
                if (message.length > (1 << 20)) message = new byte[0]; // do not keep a large buffer around
            }
        }
    }

    private String protocolError(int code, String why) {
        if (closing.compareAndSet(false, true)) {
            try {
                sendFrame(OP_CLOSE, closePayload(code));
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        return "protocol error: " + why;
    }

    private static byte[] closePayload(int code) {
        return new byte[] {(byte) (code >> 8), (byte) code};
    }

    private static void unmask(byte[] data, int offset, int length, byte[] mask) {
        if (mask == null) return;
        for (int i = 0; i < length; i++) data[offset + i] ^= mask[i & 3];
    }

    private int readByte() throws IOException {
        if (!in.hasRemaining()) fill("the server closed the connection");
        return in.get() & 0xff;
    }

    private void readFully(byte[] into, int offset, int length) throws IOException {
        while (length > 0) {
            if (!in.hasRemaining()) fill("the server closed the connection mid-frame");
            int n = Math.min(length, in.remaining());
            in.get(into, offset, n);
            offset += n;
            length -= n;
        }
    }

    /** Reads at least one byte into the (empty) input buffer. */
    private void fill(String eofMessage) throws IOException {
        in.clear();
        int n;
        do {
            n = channel.read(in);
        } while (n == 0);
        in.flip();
        if (n < 0) throw new java.io.EOFException(eofMessage);
    }

    /** Sends {@code message} as one masked text frame. */
    public void sendText(String message) throws IOException {
        if (closing.get()) throw new IOException("the WebSocket connection is closed");
        sendFrame(OP_TEXT, message.getBytes(StandardCharsets.UTF_8));
    }

    private void sendFrame(int opcode, byte[] payload) throws IOException {
        int length = payload.length;
        int headerLength = 2 + (length > 65535 ? 8 : length > 125 ? 2 : 0) + 4;
        var frame = ByteBuffer.allocate(headerLength + length);
        frame.put((byte) (0x80 | opcode));
        if (length > 65535) {
            frame.put((byte) (0x80 | 127)).putLong(length);
        } else if (length > 125) {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            frame.put((byte) (0x80 | length));
        }
        var mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.put(mask);
        var bytes = frame.array();
        int at = frame.position();
        for (int i = 0; i < length; i++) bytes[at + i] = (byte) (payload[i] ^ mask[i & 3]);
        frame.position(0).limit(headerLength + length);
        sendLock.lock();
        try {
            writeFully(frame);
        } finally {
            sendLock.unlock();
        }
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /** Whether the connection is still open (neither side has closed it). */
    public boolean isOpen() {
        return !closing.get() && channel.isOpen();
    }

    /** Sends a close frame, then closes the channel; the listener hears {@code onClosed}. Idempotent. */
    @Override
    public void close() {
        if (closing.compareAndSet(false, true)) {
            try {
                sendFrame(OP_CLOSE, closePayload(1000));
            } catch (IOException ignored) {
                // the other side is gone already
            }
        }
        quietlyClose(channel);
    }

    private void report(String reason) {
        if (reported.compareAndSet(false, true)) listener.onClosed(reason);
    }

    private static void quietlyClose(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
