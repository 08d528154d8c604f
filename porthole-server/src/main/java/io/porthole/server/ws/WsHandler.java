package io.porthole.server.ws;

/** One accepted WebSocket connection's behaviour. Callbacks run on the connection's own thread, in order. */
public interface WsHandler {
    /** The connection is open; {@code session} sends to the client. */
    void onOpen(WsSession session);

    /** One whole text message from the client. */
    void onMessage(String text);

    /** The connection has ended, for whatever reason; called once. */
    void onClose();
}
