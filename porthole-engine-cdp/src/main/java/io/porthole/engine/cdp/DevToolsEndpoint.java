package io.porthole.engine.cdp;

import io.porthole.api.ErrorCode;
import io.porthole.core.PortholeException;
import io.porthole.core.browser.ProtocolClient;
import io.porthole.core.internal.Threads;
import io.porthole.core.internal.WebSocketClient;
import io.porthole.core.sandbox.Sandbox;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Chromium's own DevTools WebSocket endpoint, for clients (Playwright, Puppeteer) that bring their own CDP
 * session: Chromium listens on a port of the sandbox's loopback, which no other computer can reach, and the
 * server reaches it through a unix socket in the channel directory, forwarded inside by socat. The forwarder
 * starts with the first client, so computers nobody connects to pay nothing. Thread-safe.
 */
final class DevToolsEndpoint {
    private static final long START_TIMEOUT_MILLIS = 10_000;
    static final String SOCKET = "devtools.sock";

    private final Sandbox sandbox;
    private final String profile;
    private String browserPath;

    DevToolsEndpoint(Sandbox sandbox, String profile) {
        this.sandbox = sandbox;
        this.profile = profile;
    }

    /** Opens one client connection to the browser target. */
    ProtocolClient connect(Consumer<String> onMessage, Runnable onClosed) {
        var path = ensureForwarder();
        try {
            var channel = connectSocket();
            var ws = WebSocketClient.connect(channel, "127.0.0.1", path, new WebSocketClient.Listener() {
                @Override
                public void onText(String message) {
                    onMessage.accept(message);
                }

                @Override
                public void onClosed(String reason) {
                    onClosed.run();
                }
            });
            return new ProtocolClient() {
                @Override
                public void send(String message) {
                    try {
                        ws.sendText(message);
                    } catch (IOException e) {
                        ws.close();
                    }
                }

                @Override
                public void close() {
                    ws.close();
                }
            };
        } catch (IOException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the browser's DevTools endpoint cannot be"
                    + " reached: " + e.getMessage(), e);
        }
    }

    /**
     * Connects to the forwarder's socket; it exists from the forwarder's bind, a moment before it listens, so
     * a refusal right after the start is retried briefly.
     */
    private SocketChannel connectSocket() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (true) {
            var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(sandbox.channels().resolve(SOCKET)));
                return channel;
            } catch (IOException e) {
                channel.close();
                if (System.nanoTime() > deadline) throw e;
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", ie);
                }
            }
        }
    }

    /** Starts the forwarder once and returns the browser target's path ({@code /devtools/browser/<id>}). */
    private synchronized String ensureForwarder() {
        if (browserPath != null && Files.exists(sandbox.channels().resolve(SOCKET))) return browserPath;
        // nodelay: CDP is small messages each waited for, which Nagle's algorithm held back (a Playwright click
        // took 9 ms through here instead of 3).
        // Chromium writes the port it got and the browser target's path to DevToolsActivePort in its profile
        // (the last line without a newline, so the second read "fails" having read it)
        var script = "f=\"$0/DevToolsActivePort\"; i=0;"
                + " while ! grep -q /devtools/browser/ \"$f\" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05;"
                + " i=$((i+1)); done; { read port; read path; } < \"$f\"; [ -n \"$port\" ] || exit 3; echo \"$path\";"
                + " exec socat -b131072 UNIX-LISTEN:" + Sandbox.CHANNELS + "/" + SOCKET + ",fork,unlink-early,mode=600"
                + " TCP:127.0.0.1:\"$port\",nodelay";
        try {
            var p = sandbox.start(List.of("/bin/sh", "-c", script, profile), Map.of(), "/");
            p.getOutputStream().close();
            var firstLine = new CompletableFuture<String>();
            Threads.onPipeThread(() -> {
                try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    firstLine.complete(out.readLine());
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    firstLine.complete(null);
                }
            });
            Threads.onPipeThread(() -> {
                try (var err = p.getErrorStream()) {
                    err.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // ended
                }
            });
            var path = firstLine.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (path == null || !path.startsWith("/devtools/browser/")) {
                p.destroyForcibly();
                throw new PortholeException.Unavailable("the browser did not say where its DevTools endpoint is");
            }
            Path socket = sandbox.channels().resolve(SOCKET);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
            while (!Files.exists(socket)) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new PortholeException.Unavailable("the DevTools forwarder did not start");
                }
                Thread.sleep(5);
            }
            browserPath = path;
            return path;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the DevTools forwarder could not start: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.Unavailable("interrupted");
        }
    }
}
