package io.porthole.core.browser;

/**
 * A client's own protocol connection to a running browser (CDP or WebDriver BiDi), which the server relays
 * to a WebSocket. Any number coexist with each other and with the driver's own connection. Thread-safe.
 */
public interface ProtocolClient extends AutoCloseable {
    /** The protocols a client may speak. */
    enum Protocol {
        CDP, BIDI
    }

    /** Sends one protocol message (a JSON text) from the client to the browser. */
    void send(String message);

    /** Ends the connection; the browser goes on. Idempotent. */
    @Override
    void close();
}
