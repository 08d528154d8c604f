package io.porthole.server.ws;

/** The server's side of an open WebSocket connection. Thread-safe. */
public interface WsSession {
    /** Sends one text message; a no-op once closed. */
    void send(String text);

    /** Sends a close frame with {@code code} and ends the connection. Idempotent. */
    void close(int code, String reason);
}
