package io.porthole.server.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.porthole.core.internal.WebSocketClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server side of one WebSocket connection after the handshake: reads frames (masked, as clients must),
 * joins fragments, answers pings, and delivers whole text messages; sends unmasked text frames. Why ours and
 * not Helidon's WebSocket module: ADR 0017; {@code WsConnectionTest} is what a replacement has to pass.
 */
final class WsConnection implements ServerConnection, WsSession {
    private static final System.Logger LOG = System.getLogger(WsConnection.class.getName());
    private static final int OP_CONTINUATION = 0;
    private static final int OP_TEXT = 1;
    private static final int OP_BINARY = 2;
    private static final int OP_CLOSE = 8;
    private static final int OP_PING = 9;
    private static final int OP_PONG = 10;

    private final ConnectionContext ctx;
    private final WsHandler handler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object writeLock = new Object();

    WsConnection(ConnectionContext ctx, WsHandler handler) {
        this.ctx = ctx;
        this.handler = handler;
    }

    @Override
    public void handle(Semaphore requestSemaphore) {
        var reader = ctx.dataReader();
        var message = new ByteArrayOutputStream();
        int messageOp = -1;
        try {
            handler.onOpen(this);
            while (!closed.get()) {
                int b0 = reader.read() & 0xff;
                int b1 = reader.read() & 0xff;
                boolean fin = (b0 & 0x80) != 0;
                int op = b0 & 0x0f;
                boolean masked = (b1 & 0x80) != 0;
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = ((reader.read() & 0xffL) << 8) | (reader.read() & 0xffL);
                } else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) len = (len << 8) | (reader.read() & 0xffL);
                }
                if (!masked) {
                    close(1002, "client frames must be masked");
                    break;
                }
                if (len > WebSocketClient.MAX_MESSAGE_BYTES || message.size() + len > WebSocketClient.MAX_MESSAGE_BYTES) {
                    close(1009, "message too big");
                    break;
                }
                var mask = readFully(reader, 4);
                var payload = readFully(reader, (int) len);
                for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
                switch (op) {
                    case OP_TEXT, OP_BINARY, OP_CONTINUATION -> {
                        if (op != OP_CONTINUATION) {
                            message.reset();
                            messageOp = op;
                        }
                        message.write(payload, 0, payload.length);
                        if (fin) {
                            if (messageOp == OP_TEXT) {
                                String text;
                                try {
                                    text = StandardCharsets.UTF_8.newDecoder()
                                            .onMalformedInput(CodingErrorAction.REPORT)
                                            .decode(java.nio.ByteBuffer.wrap(message.toByteArray())).toString();
                                } catch (CharacterCodingException e) {
                                    close(1007, "text messages must be UTF-8");
                                    break;
                                }
                                handler.onMessage(text);
                            } else {
                                // CDP and BiDi are JSON text; binary is not part of either
                                handler.onMessage(message.toString(StandardCharsets.UTF_8));
                            }
                            message.reset();
                        }
                    }
                    case OP_PING -> writeFrame(OP_PONG, payload);
                    case OP_PONG -> {
                        // nothing asked
                    }
                    case OP_CLOSE -> {
                        close(1000, "");
                    }
                    default -> close(1002, "unknown opcode " + op);
                }
            }
        } catch (RuntimeException e) {
            // the client went away (Helidon's reader throws when the socket ends)
            LOG.log(System.Logger.Level.DEBUG, "websocket ended: {0}", e.toString());
        } finally {
            closed.set(true);
            try {
                handler.onClose();
            } finally {
                ctx.dataWriter().close();
            }
        }
    }

    /** {@code n} bytes, waiting for them to arrive. */
    private static byte[] readFully(io.helidon.common.buffers.DataReader reader, int n) {
        // readBytes(0) would wait for a byte that may never come (an empty close frame is the last one)
        if (n == 0) return new byte[0];
        while (reader.available() < n) reader.pullData();
        return reader.readBytes(n);
    }

    @Override
    public void send(String text) {
        if (closed.get()) return;
        try {
            writeFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            closed.set(true);
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!closed.compareAndSet(false, true)) return;
        var r = reason.getBytes(StandardCharsets.UTF_8);
        var payload = new byte[2 + Math.min(r.length, 120)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(r, 0, payload, 2, payload.length - 2);
        try {
            writeFrame(OP_CLOSE, payload);
        } catch (RuntimeException ignored) {
            // gone already
        }
        try {
            ctx.dataWriter().close();
        } catch (RuntimeException ignored) {
            // gone already
        }
    }

    private void writeFrame(int op, byte[] payload) {
        int headerLength = payload.length < 126 ? 2 : payload.length < 65536 ? 4 : 10;
        var frame = new byte[headerLength + payload.length];
        frame[0] = (byte) (0x80 | op);
        if (payload.length < 126) {
            frame[1] = (byte) payload.length;
        } else if (payload.length < 65536) {
            frame[1] = 126;
            frame[2] = (byte) (payload.length >> 8);
            frame[3] = (byte) payload.length;
        } else {
            frame[1] = 127;
            long len = payload.length;
            for (int i = 0; i < 8; i++) frame[2 + i] = (byte) (len >> (56 - 8 * i));
        }
        System.arraycopy(payload, 0, frame, headerLength, payload.length);
        synchronized (writeLock) {
            ctx.dataWriter().writeNow(BufferData.create(frame));
        }
    }

    @Override
    public Duration idleTime() {
        // a protocol connection may rest for as long as its client likes; a dead peer ends the read loop
        return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        close(1001, "server stopping");
    }
}
