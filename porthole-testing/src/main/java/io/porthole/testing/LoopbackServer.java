package io.porthole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP server on a free loopback port for test fixtures: one platform daemon thread per connection, each
 * given to {@link #handle}. Subclasses call {@link #listen} once they are fully built. Thread-safe.
 */
abstract class LoopbackServer implements AutoCloseable {
    private final ServerSocket server;

    LoopbackServer() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts accepting; {@code name} names the accepting thread. */
    final void listen(String name) {
        Thread.ofPlatform().daemon(true).name(name).start(() -> {
            while (!server.isClosed()) {
                try {
                    var socket = server.accept();
                    Thread.ofPlatform().daemon(true).start(() -> {
                        try (socket) {
                            handle(socket);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Serves one connection; the socket is closed afterwards. */
    abstract void handle(Socket socket) throws IOException;

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
