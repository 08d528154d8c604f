package io.porthole.engine.cdp;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/** A {@link CdpTransport} over the JDK's WebSocket client. Thread-safe. */
public final class WebSocketTransport implements CdpTransport {
    private final WebSocket socket;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Listener listener;

    private WebSocketTransport(WebSocket socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
    }

    public static WebSocketTransport connect(HttpClient client, URI uri, Listener listener, Duration timeout) {
        var holder = new CompletableFuture<WebSocketTransport>();
        var wsListener = new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    var message = partial.toString();
                    partial.setLength(0);
                    listener.onMessage(message);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                holder.thenAccept(t -> t.closedBy("closed by the browser (" + statusCode + ")"));
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                holder.thenAccept(t -> t.closedBy("connection error: " + error));
            }
        };
        var ws = client.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, wsListener)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        var transport = new WebSocketTransport(ws, listener);
        holder.complete(transport);
        return transport;
    }

    private void closedBy(String reason) {
        if (closed.compareAndSet(false, true)) listener.onClose(reason);
    }

    @Override
    public void send(String message) {
        sendLock.lock();
        try {
            socket.sendText(message, true).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdpException(-1, "interrupted while sending");
        } catch (Exception e) {
            throw new CdpException(-1, "could not send to the browser: " + e);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public void close() {
        if (!closed.get()) {
            socket.abort();
            closedBy("closed by Porthole");
        }
    }
}
