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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Chromium's own DevTools WebSocket endpoint, for clients (Playwright, Puppeteer) that bring their own CDP
 * session: Chromium listens on a port of the sandbox's loopback, which no other computer can reach, and the
 * server connects to it through the sandbox ({@link Sandbox#connect}), one connection per client. The port is
 * looked up with the first client, so computers nobody connects to pay nothing. Thread-safe.
 */
final class DevToolsEndpoint {
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final Sandbox sandbox;
    private final String profile;
    private int port;
    private String browserPath;

    DevToolsEndpoint(Sandbox sandbox, String profile) {
        this.sandbox = sandbox;
        this.profile = profile;
    }

    /** Opens one client connection to the browser target. */
    ProtocolClient connect(Consumer<String> onMessage, Runnable onClosed) {
        var path = ensurePort();
        try {
            // nodelay on the relay's TCP side: CDP is small messages each waited for, which Nagle's algorithm held
            // back (a Playwright click took 9 ms instead of 3)
            var channel = sandbox.connect(new Sandbox.Endpoint.Tcp(port));
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

    /** Reads the port and the browser target's path ({@code /devtools/browser/<id>}) once, and returns the path. */
    private synchronized String ensurePort() {
        if (browserPath != null) return browserPath;
        // Chromium writes the port it got and the browser target's path to DevToolsActivePort in its profile
        // (the last line without a newline, so the second read "fails" having read it)
        var script = "f=\"$0/DevToolsActivePort\"; i=0;"
                + " while ! grep -q /devtools/browser/ \"$f\" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05;"
                + " i=$((i+1)); done; { read port; read path; } < \"$f\"; [ -n \"$port\" ] || exit 3;"
                + " echo \"$port $path\"";
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
            var line = firstLine.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            var parts = line == null ? new String[0] : line.split(" ", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9]{1,5}") || !parts[1].startsWith("/devtools/browser/")) {
                p.destroyForcibly();
                throw new PortholeException.Unavailable("the browser did not say where its DevTools endpoint is");
            }
            port = Integer.parseInt(parts[0]);
            browserPath = parts[1];
            return browserPath;
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new PortholeException.Unavailable(ErrorCode.UNAVAILABLE, "the DevTools endpoint could not be found: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortholeException.Unavailable("interrupted");
        }
    }
}
