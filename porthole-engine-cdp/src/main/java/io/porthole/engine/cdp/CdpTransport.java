package io.porthole.engine.cdp;

/**
 * The narrow pipe under a {@link CdpConnection}: whole text messages out, whole text messages in. A
 * WebSocket today; a pipe or a unix socket when the browser runs in a sandbox. Implementations call the
 * {@link Listener} from one thread at a time, in arrival order.
 */
public interface CdpTransport extends AutoCloseable {

    /** Receives what arrives. */
    interface Listener {
        void onMessage(String message);

        /** Called once when the transport is closed, by either side. */
        void onClose(String reason);
    }

    /** Sends one message; safe to call from any thread. */
    void send(String message);

    @Override
    void close();
}
